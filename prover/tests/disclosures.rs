//! What a disclosure reveals, measured on real proofs: zero knowledge hides everything but the
//! statement, and the statement itself can give the input away (README, "What a disclosure
//! reveals"; `docs/security.md`).

use zkinfer::examples::manifest;
use zkinfer::model::Body;
use zkinfer::{
    import, prove, read_inputs, verify, Calibration, Disclosure, Model, Output, ProveOptions,
    QuantizedInput,
};

fn example(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An example imported with its calibration, and its held-out rows quantized.
fn imported(name: &str) -> (Model, Vec<QuantizedInput>) {
    let models = manifest(&example("models.json")).unwrap();
    let entry = models.iter().find(|m| m.name == name).unwrap();
    let calibration = Calibration::from_csv(&example(&entry.calibration_csv)).unwrap();
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(&entry.model_file),
    )
    .unwrap();
    let model = import::import(&bytes, &entry.model_file, Some(&calibration)).unwrap();
    let rows = read_inputs(&model, &example(&entry.heldout_csv)).unwrap();
    let inputs = rows
        .iter()
        .map(|raw| model.quantize_input(raw).unwrap())
        .collect();
    (model, inputs)
}

fn det3(m: [[i128; 3]; 3]) -> i128 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

/// Every 16-bit input of a 4-feature, 3-score linear model with these scores: feature 0 runs
/// over its 2^16 values, and the three scores then fix the other three (Cramer's rule, exact).
fn inputs_with_scores(weights: &[Vec<i64>], bias: &[i64], scores: &[i64]) -> Vec<[i64; 4]> {
    let w = |c: usize, f: usize| i128::from(weights[c][f]);
    let matrix: [[i128; 3]; 3] = core::array::from_fn(|c| core::array::from_fn(|f| w(c, f + 1)));
    let det = det3(matrix);
    assert_ne!(det, 0, "features 1..4 are independent");
    let mut found = Vec::new();
    for q0 in 0..1i128 << 16 {
        let rhs: [i128; 3] =
            core::array::from_fn(|c| i128::from(scores[c]) - i128::from(bias[c]) - w(c, 0) * q0);
        let mut q = [q0 as i64, 0, 0, 0];
        let solved = (0..3).all(|k| {
            let mut replaced = matrix;
            (0..3).for_each(|c| replaced[c][k] = rhs[c]);
            let numerator = det3(replaced);
            let value = numerator / det;
            q[k + 1] = value as i64;
            numerator % det == 0 && (0..1 << 16).contains(&value)
        });
        if solved {
            found.push(q);
        }
    }
    found
}

/// The iris logistic regression (4 features, 3 classes): its three disclosed scores leave one
/// 16-bit input of the 2^64, found by trying the 2^16 values of one feature.
#[test]
fn the_scores_of_a_small_linear_model_give_its_input_away() {
    let (model, inputs) = imported("iris_logreg_multinomial");
    let Body::Linear(linear) = &model.body else {
        panic!("a linear model")
    };
    for input in inputs.iter().take(3) {
        let (envelope, _) = prove(&model, input, &ProveOptions::new(Disclosure::Scores)).unwrap();
        verify(&model, &envelope, b"").unwrap();
        let Output::Scores(scores) = &envelope.output else {
            panic!("scores")
        };
        let found = inputs_with_scores(&linear.weights, &linear.bias, scores);
        let private: Vec<i64> = input
            .values()
            .iter()
            .map(|&v| i64::from(v.expect("present")))
            .collect();
        println!(
            "scores {scores:?}: 2^16 candidates tried, {} consistent: {:?} (the private input: \
             {private:?})",
            found.len(),
            found
        );
        assert_eq!(found, [<[i64; 4]>::try_from(private).unwrap()]);
    }
}

/// A verifier that chooses each "score ≥ T" from the answers so far binary-searches the score:
/// the diabetes linear regression's exact fixed-point score in 47 proofs.
#[test]
fn repeated_threshold_proofs_binary_search_the_score() {
    let (model, inputs) = imported("diabetes_linear_regression");
    let input = &inputs[0];
    let (mut low, mut high) = (-(1i64 << 46) + 1, (1i64 << 46) - 1);
    let mut proofs = 0;
    while low < high {
        let threshold = low + (high - low + 1) / 2;
        let options = ProveOptions::new(Disclosure::AtLeast(threshold));
        let (envelope, _) = prove(&model, input, &options).unwrap();
        let verified = verify(&model, &envelope, b"").unwrap();
        let Output::AtLeast { holds, .. } = verified.output else {
            panic!("an at-least output")
        };
        if holds {
            low = threshold;
        } else {
            high = threshold - 1;
        }
        proofs += 1;
    }
    let score = zkinfer::infer(&model, input).scores[0];
    println!("{proofs} threshold proofs: score {low} (the private score: {score})");
    assert_eq!(low, score);
    assert_eq!(proofs, 47);
}
