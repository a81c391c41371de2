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

    /// The index of each named column, or the names that are missing ([`resolve`]).
    pub fn columns(&self, names: &[String]) -> Result<Vec<usize>, Vec<String>> {
        let found = resolve(&self.header, names);
        let missing: Vec<String> = (found.iter().zip(names))
            .filter(|(column, _)| column.is_none())
            .map(|(_, name)| name.clone())
            .collect();
        match missing.is_empty() {
            true => Ok(found.into_iter().flatten().collect()),
            false => Err(missing),
        }
    }
}

/// The position in `header` of each of `names`: the column of that exact name, or else the
/// one column no name claims exactly that [`names_feature`] gives it; `None` for a name no
/// column gives, or whose column would also serve another name (so no two features ever read
/// one column).
pub fn resolve(header: &[String], names: &[String]) -> Vec<Option<usize>> {
    let exact = |name: &String| header.iter().position(|h| h == name);
    let claimed: Vec<usize> = names.iter().filter_map(exact).collect();
    let rewritten = |name: &String| {
        let mut candidates = (header.iter().enumerate())
            .filter(|(i, h)| !claimed.contains(i) && names_feature(h, name))
            .map(|(i, _)| i);
        match (candidates.next(), candidates.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    };
    let found: Vec<Option<usize>> = names
        .iter()
        .map(|n| exact(n).or_else(|| rewritten(n)))
        .collect();
    let shared = |i: usize| found.iter().filter(|f| **f == Some(i)).count() > 1;
    found.iter().map(|f| f.filter(|&i| !shared(i))).collect()
}

/// Whether `given` (a column or a key an input names) names the model feature `feature`:
/// the same name, or LightGBM's rewriting of it, which stores a name with its spaces as
/// underscores (`Annual Income ($)` as `Annual_Income_($)`), so users keep the names they
/// trained with.
pub fn names_feature(given: &str, feature: &str) -> bool {
    given == feature || (given.contains(' ') && given.replace(' ', "_") == feature)
}

#[cfg(test)]
mod tests {
    use super::resolve;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    /// An exact name first; a rewritten one only from a column no name claims, and never
    /// one column for two names.
    #[test]
    fn no_two_features_read_one_column() {
        let resolved = |header: &[&str], wanted: &[&str]| resolve(&names(header), &names(wanted));
        assert_eq!(resolved(&["x", "a b"], &["a_b", "x"]), [Some(1), Some(0)]);
        assert_eq!(resolved(&["a b", "a_b"], &["a_b"]), [Some(1)]);
        assert_eq!(resolved(&["a b"], &["a b", "a_b"]), [Some(0), None]);
        assert_eq!(resolved(&["a b_c", "a_b c"], &["a_b_c"]), [None]);
        assert_eq!(
            resolved(&["a b", "c d"], &["a_b", "c_d"]),
            [Some(0), Some(1)]
        );
        assert_eq!(resolved(&["a  b"], &["a_b"]), [None]);
    }
}
