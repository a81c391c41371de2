//! What a caller asks to disclose, in its own terms (the CLI's `--disclose`, the bindings'
//! options), before the model's scale is known; [`DiscloseRequest::disclosure`] turns it into
//! the exact fixed-point [`Disclosure`] a proof makes.

use std::str::FromStr;

use crate::api::{default_disclosure, Disclosure};
use crate::model::Model;
use crate::threshold::{probability_threshold, Decimal};

#[derive(Clone, Debug, PartialEq)]
pub enum DiscloseRequest {
    Class,
    Scores,
    /// "The score is at least this real number", converted exactly ([`Decimal::fixed_ceil`]).
    AtLeast(Decimal),
    /// "The probability of class 1 is at least this", strictly between 0 and 1, converted to
    /// the score threshold that decides it exactly ([`probability_threshold`]).
    AtLeastProbability(f64),
}

impl DiscloseRequest {
    /// A probability cut-off, if `p` is strictly between 0 and 1.
    pub fn probability(p: f64) -> Result<DiscloseRequest, String> {
        match p > 0.0 && p < 1.0 {
            true => Ok(DiscloseRequest::AtLeastProbability(p)),
            false => Err(format!("{p} is not a probability strictly between 0 and 1")),
        }
    }

    /// The disclosure on `model`: its fixed-point threshold, for a cut-off.
    pub fn disclosure(&self, model: &Model) -> Result<Disclosure, String> {
        Ok(match self {
            DiscloseRequest::Class => Disclosure::Class,
            DiscloseRequest::Scores => Disclosure::Scores,
            DiscloseRequest::AtLeast(threshold) => {
                Disclosure::AtLeast(threshold.fixed_ceil(model.output.score_scale_log2)?)
            }
            DiscloseRequest::AtLeastProbability(p) => {
                Disclosure::AtLeast(probability_threshold(model, *p)?)
            }
        })
    }

    /// [`Self::disclosure`] of a request, or the model's default (the class for classifiers,
    /// the scores for regression) without one.
    pub fn disclosure_or_default(
        request: Option<&DiscloseRequest>,
        model: &Model,
    ) -> Result<Disclosure, String> {
        request.map_or(Ok(default_disclosure(model)), |r| r.disclosure(model))
    }
}

impl FromStr for DiscloseRequest {
    type Err = String;

    /// `class`, `scores`, `at-least=<real score>` or `at-least-probability=<p>`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(p) = text.strip_prefix("at-least-probability=") {
            // The message quotes the value as given.
            let probability = p.parse().ok().map(DiscloseRequest::probability);
            return (probability.and_then(Result::ok))
                .ok_or_else(|| format!("{p:?} is not a probability strictly between 0 and 1"));
        }
        match text {
            "class" => Ok(DiscloseRequest::Class),
            "scores" => Ok(DiscloseRequest::Scores),
            _ => match text.strip_prefix("at-least=") {
                Some(threshold) => threshold.parse().map(DiscloseRequest::AtLeast),
                None => Err(
                    "expected class, scores, at-least=<real score> or at-least-probability=<p>"
                        .into(),
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DiscloseRequest;

    #[test]
    fn requests_parse_as_the_cli_spells_them() {
        let parse = |text: &str| text.parse::<DiscloseRequest>();
        assert_eq!(parse("class"), Ok(DiscloseRequest::Class));
        assert_eq!(parse("scores"), Ok(DiscloseRequest::Scores));
        assert_eq!(
            parse("at-least=0.5"),
            Ok(DiscloseRequest::AtLeast("0.5".parse().unwrap()))
        );
        assert_eq!(
            parse("at-least-probability=0.6"),
            Ok(DiscloseRequest::AtLeastProbability(0.6))
        );
        for bad in ["1e0", "0", "x", "nan"] {
            let error = parse(&format!("at-least-probability={bad}")).unwrap_err();
            assert_eq!(
                error,
                format!("{bad:?} is not a probability strictly between 0 and 1")
            );
        }
        assert!(parse("at-least=half").is_err());
        assert!(parse("label")
            .unwrap_err()
            .starts_with("expected class, scores"));
        assert!(DiscloseRequest::probability(f64::NAN).is_err());
    }
}
