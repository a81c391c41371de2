//! A CSV table with a header row, read with the `csv` crate.

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Parses CSV text whose first row names the columns; every row must have every column.
    pub fn parse_csv(text: &str) -> Result<Table, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("bad CSV header: {e}"))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if header.iter().all(String::is_empty) {
            return Err("the CSV has no header row".into());
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = header.iter().find(|h| !seen.insert(h.as_str())) {
            return Err(format!("column {dup:?} appears twice in the header"));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| format!("bad CSV: {e}"))?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(Table { header, rows })
    }

    /// The index of each named column, or the names that are missing.
    pub fn columns(&self, names: &[String]) -> Result<Vec<usize>, Vec<String>> {
        let mut found = Vec::with_capacity(names.len());
        let mut missing = Vec::new();
        for name in names {
            let exact = self.header.iter().position(|h| h == name);
            let rewritten = || self.header.iter().position(|h| names_feature(h, name));
            match exact.or_else(rewritten) {
                Some(i) => found.push(i),
                None => missing.push(name.clone()),
            }
        }
        if missing.is_empty() {
            Ok(found)
        } else {
            Err(missing)
        }
    }
}

/// Whether `given` (a column or a key an input names) names the model feature `feature`:
/// the same name, or LightGBM's rewriting of it, which stores a name with its spaces as
/// underscores (`Annual Income ($)` as `Annual_Income_($)`), so users keep the names they
/// trained with.
pub fn names_feature(given: &str, feature: &str) -> bool {
    given == feature || (given.contains(' ') && given.replace(' ', "_") == feature)
}
