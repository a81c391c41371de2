//! At-least disclosures (`--disclose at-least=T`, `{atLeast: T}` in JavaScript): a real-score
//! threshold, given in decimal, turned into the exact fixed-point threshold. With scores
//! `s / 2^scale`, `s / 2^scale ≥ T ⇔ s ≥ ceil(T · 2^scale)`, computed on the decimal itself (not
//! on the nearest float), so no rounding can flip a borderline answer.
//!
//! Probability cut-offs (`--disclose at-least-probability=P`): for a binary classifier whose
//! class-1 probability grows with its score, the fixed-point threshold `T` for which
//! `s ≥ T ⇔ probability(s) ≥ P` on every score `s` ([`probability_threshold`]).

use std::fmt;
use std::str::FromStr;

use crate::fixed_point::SCORE_BITS;
use crate::model::{Link, Model, Task};

/// Most significant digits a threshold may have (`10^38 < 2^127`, so every step fits a `u128`).
const MAX_DIGITS: usize = 38;

/// An exact decimal `±digits · 10^exponent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    digits: u128,
    exponent: i32,
    text: String,
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Decimal {
    type Err = String;

    /// `[+-]digits[.digits][e[+-]digits]`, at most 38 significant digits.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{text:?} is not a decimal number such as 0.5, -1.25 or 3e-2");
        let (unsigned, negative) = match text.as_bytes().first() {
            Some(b'-') => (&text[1..], true),
            Some(b'+') => (&text[1..], false),
            _ => (text, false),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
            None => (unsigned, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
            return Err(bad());
        }
        let mut exponent: i32 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || digits.len() > 6 || !all_digits(digits) {
                    return Err(bad());
                }
                e.parse().map_err(|_| bad())?
            }
        };
        exponent -= fraction.len() as i32;
        let significant = format!("{whole}{fraction}");
        let significant = significant.trim_start_matches('0');
        let trimmed = significant.trim_end_matches('0');
        exponent += (significant.len() - trimmed.len()) as i32;
        if trimmed.len() > MAX_DIGITS {
            return Err(format!(
                "{text:?} has more than {MAX_DIGITS} significant digits"
            ));
        }
        let digits = if trimmed.is_empty() {
            0
        } else {
            trimmed.parse().map_err(|_| bad())?
        };
        Ok(Decimal {
            negative,
            digits,
            exponent: if digits == 0 { 0 } else { exponent },
            text: text.to_string(),
        })
    }
}

impl Decimal {
    /// `ceil(self · 2^scale_log2)`, or an error when it falls outside the ±2^46 score range
    /// (or the decimal has more places than can be handled exactly).
    pub fn fixed_ceil(&self, scale_log2: u32) -> Result<i64, String> {
        let limit: u128 = 1 << SCORE_BITS;
        let out_of_range = || {
            format!(
                "the threshold {self} is outside the model's score range (±2^{} at 2^{scale_log2} \
                 per unit)",
                SCORE_BITS as i64 - scale_log2 as i64
            )
        };
        let (floor, exact) = if self.exponent >= 0 {
            let whole = 10u128
                .checked_pow(self.exponent as u32)
                .and_then(|p| p.checked_mul(self.digits))
                .filter(|&n| n < limit)
                .ok_or_else(out_of_range)?;
            (whole << scale_log2, true)
        } else {
            let places = self.exponent.unsigned_abs();
            let denominator = 10u128.checked_pow(places).ok_or_else(|| {
                format!(
                    "the threshold {self} has more than {MAX_DIGITS} decimal places \
                     below its first digit"
                )
            })?;
            // Long division of digits · 2^scale by 10^places, one bit at a time: every
            // intermediate stays below 2 · 10^38 < 2^128.
            let (mut quotient, mut remainder) =
                (self.digits / denominator, self.digits % denominator);
            for _ in 0..scale_log2 {
                if quotient >= limit {
                    return Err(out_of_range());
                }
                quotient *= 2;
                remainder *= 2;
                if remainder >= denominator {
                    quotient += 1;
                    remainder -= denominator;
                }
            }
            (quotient, remainder == 0)
        };
        if floor >= limit {
            return Err(out_of_range());
        }
        // ceil(x) = floor(x) + 1 unless x is an integer; ceil(−x) = −floor(x).
        let value = floor as i64;
        let fixed = match self.negative {
            false if !exact => value + 1,
            false => value,
            true => -value,
        };
        if fixed.unsigned_abs() >= 1 << SCORE_BITS {
            return Err(out_of_range());
        }
        Ok(fixed)
    }
}

/// The fixed-point score threshold of the cut-off "probability of class 1 ≥ `p`" on `model`:
/// the smallest `T` whose score has that probability, as `predict` reports it (in `f64`,
/// [`Link::probabilities`] of the real score), so that "score ≥ T" and "probability ≥ `p`" agree
/// on every score (the probability being non-decreasing in the score). For binary classifiers
/// with a logistic link (boosters, logistic regression, networks) or a proportion (forests).
pub fn probability_threshold(model: &Model, p: f64) -> Result<i64, String> {
    let output = &model.output;
    if output.task != Task::Binary || !matches!(output.link, Link::Logistic | Link::Proportion) {
        return Err(
            "a probability cut-off needs a binary classifier whose probability grows \
                    with its score (a logistic link, or a forest's proportion)"
                .into(),
        );
    }
    if !(p > 0.0 && p < 1.0) {
        return Err(format!(
            "the probability {p} is not strictly between 0 and 1"
        ));
    }
    let unit = output.score_unit();
    let probability = |score: i64| {
        let real = [score as f64 * unit];
        output.link.probabilities(&real).expect("a binary link")[1]
    };
    // The scores a proof can compare: |s| < 2^SCORE_BITS.
    let (mut low, mut high) = (-(1i64 << SCORE_BITS) + 1, (1i64 << SCORE_BITS) - 1);
    if probability(high) < p {
        return Err(format!(
            "no score of this model has a probability of {p} or more"
        ));
    }
    // The smallest score reaching p: probability(low − 1) < p ≤ probability(high) throughout.
    if probability(low) >= p {
        return Ok(low);
    }
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        match probability(middle) >= p {
            true => high = middle,
            false => low = middle,
        }
    }
    Ok(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str, scale: u32) -> Result<i64, String> {
        text.parse::<Decimal>()?.fixed_ceil(scale)
    }

    /// The flagship (a logistic link): the threshold is the least score whose
    /// probability reaches p; p past every score's probability, and models or values a cut-off
    /// does not fit, are refused.
    #[test]
    fn probability_thresholds_are_the_least_score_reaching_p() {
        let model = crate::examples::Flagship::load().unwrap().model;
        let unit = model.output.score_unit();
        let probability = |s: i64| 1.0 / (1.0 + (-(s as f64 * unit)).exp());
        for p in [0.001, 0.1, 0.5, 0.6, 0.8, 0.999_999] {
            let t = probability_threshold(&model, p).unwrap();
            assert!(probability(t) >= p && probability(t - 1) < p, "{p}");
        }
        assert_eq!(probability_threshold(&model, 0.5), Ok(0));
        let unreachable = probability_threshold(&model, 1.0 - 1e-12).unwrap_err();
        assert!(
            unreachable.contains("no score of this model"),
            "{unreachable}"
        );
        for p in [0.0, 1.0, -0.5, f64::NAN] {
            assert!(probability_threshold(&model, p).is_err(), "{p}");
        }
        let mut regression = model.clone();
        regression.output.task = Task::Regression;
        assert!(probability_threshold(&regression, 0.5).is_err());
    }

    #[test]
    fn thresholds_convert_exactly() {
        assert_eq!(fixed("0.5", 42), Ok(1 << 41));
        assert_eq!(fixed("+0.5", 42), Ok(1 << 41));
        // 0.1 · 2^42 = 439804651110.4
        assert_eq!(fixed("0.1", 42), Ok(439_804_651_111));
        assert_eq!(fixed("-0.1", 42), Ok(-439_804_651_110));
        assert_eq!(fixed("1e-1", 42), fixed("0.1", 42));
        assert_eq!(fixed("0.010e1", 42), fixed("0.1", 42));
        assert_eq!(fixed("2.5E1", 3), Ok(200));
        assert_eq!(fixed("25", 0), Ok(25));
        assert_eq!(fixed("-2.5", 0), Ok(-2));
        assert_eq!(fixed("2.5", 0), Ok(3));
        assert_eq!(fixed("0", 42), Ok(0));
        assert_eq!(fixed("-0.000", 42), Ok(0));
        assert_eq!(fixed(".25", 2), Ok(1));
        assert_eq!(fixed("3.", 1), Ok(6));
        // 2^45 + 0.001, whose nearest float is 2^45: the exact answer is 2^45 + 1.
        assert_eq!(
            "35184372088832.001".parse::<f64>(),
            Ok(35_184_372_088_832.0)
        );
        assert_eq!(fixed("35184372088832.001", 0), Ok((1 << 45) + 1));
        let exact = "0.000000000000000000867361737988403547205962240695953369140625";
        assert!(fixed(exact, 60).unwrap_err().contains("significant digits"));
        // Tiny positive thresholds round up to one step; tiny negative ones to zero.
        assert_eq!(fixed("1e-30", 42), Ok(1));
        assert_eq!(fixed("-1e-30", 42), Ok(0));
    }

    #[test]
    fn out_of_range_and_malformed_thresholds_are_refused() {
        assert!(fixed("16", 42).is_err()); // 2^46 exactly
        assert_eq!(fixed("15.99999999", 42), Ok(70_368_744_133_684));
        assert!(fixed("1e20", 0).is_err());
        assert!(fixed("1e999999", 0).is_err());
        assert!(fixed("-1e40", 0).is_err());
        assert!(fixed("1e-50", 42).is_err());
        for bad in [
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "abc",
            "1.2.3",
            "--1",
            "nan",
            "inf",
            "1,5",
            " 1",
            "1e1234567",
            "0x10",
        ] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad:?}");
        }
    }
}
