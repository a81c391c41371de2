use super::LinearBody;

impl LinearBody {
    /// The integer scores, as the trace holds them.
    pub fn scores(&self, q: &[u16]) -> Vec<i64> {
        (self.weights.iter().zip(&self.bias))
            .map(|(row, &bias)| {
                row.iter()
                    .zip(q)
                    .fold(bias, |acc, (&w, &x)| acc + w * x as i64)
            })
            .collect()
    }
}
