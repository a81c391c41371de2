//! Re-proves the committed honest envelopes of the `proof_verify` fuzz target
//! (`tests/fuzz/seeds/proof_verify/`) and the regression inputs made from them
//! (`tests/fuzz/regressions/proof_verify/`). Any change to the AIRs or to the proof statement
//! invalidates every proof: run `cargo run -p zkinfer-integration --bin fuzz-seeds` then.

use zkinfer::examples::Flagship;
use zkinfer::threshold::Decimal;
use zkinfer::{prove, Disclosure, Envelope, Model, Output, Profile, ProveOptions};
use zkinfer_integration::fuzz::fuzz_dir;
use zkinfer_integration::{example_models, import_example, read_example};

/// A seed: file name, model, held-out row, disclosure, context.
type Seed = (&'static str, Model, Vec<f64>, Disclosure, &'static [u8]);

fn seeds() -> Vec<Seed> {
    let flagship = Flagship::load().expect("the flagship imports");
    let first = flagship.heldout_inputs().expect("held-out rows")[0].clone();
    let half = ("0.5".parse::<Decimal>().expect("a decimal"))
        .fixed_ceil(flagship.model.output.score_scale_log2)
        .expect("0.5 in fixed point");
    let example = |name: &str, row: usize| {
        let example = (example_models().into_iter())
            .find(|e| e.name == name)
            .expect("an example");
        let model = import_example(&example);
        let inputs = zkinfer::read_inputs(&model, &read_example(&example.heldout_csv))
            .expect("held-out rows");
        (model, inputs[row].clone())
    };
    let (iris_trees, flower) = example("iris_xgboost_multiclass", 0);
    let (iris_linear, other_flower) = example("iris_logreg_multinomial", 0);
    let (digits, image) = example("digits_mlp", 0);
    vec![
        (
            "flagship-class",
            flagship.model.clone(),
            first.clone(),
            Disclosure::Class,
            b"fuzz seed 1",
        ),
        (
            "flagship-at-least",
            flagship.model,
            first,
            Disclosure::AtLeast(half),
            b"",
        ),
        (
            "iris-xgboost-scores",
            iris_trees,
            flower,
            Disclosure::Scores,
            b"fuzz seed 3",
        ),
        (
            "iris-logreg-class",
            iris_linear,
            other_flower,
            Disclosure::Class,
            b"fuzz seed 4",
        ),
        (
            "digits-mlp-class",
            digits,
            image,
            Disclosure::Class,
            b"fuzz seed",
        ),
    ]
}

fn main() {
    let folder = fuzz_dir().join("seeds/proof_verify");
    for (name, model, raw, disclosure, context) in seeds() {
        let input = model
            .quantize_input(&raw)
            .expect("a held-out row quantizes");
        let options = ProveOptions {
            disclosure,
            context: context.to_vec(),
            profile: Profile::Default,
        };
        let (envelope, _) = prove(&model, &input, &options).expect("an honest proof");
        let path = folder.join(format!("{name}.bin"));
        std::fs::write(&path, envelope.to_bytes().expect("encodes")).expect("written");
        println!("{}: {:?}", path.display(), envelope.output);
        if name == "flagship-class" {
            restate_class_as_at_least(&envelope, &model);
        }
    }
}

/// A binary model's class-1 envelope restated as "score ≥ 1 unit": both rest on the same
/// comparison, so it verified until the output's kind was bound into the statement.
fn restate_class_as_at_least(envelope: &Envelope, model: &Model) {
    assert_eq!(envelope.output, Output::Class(1), "{}", model.id());
    let mut restated = envelope.clone();
    restated.output = Output::AtLeast {
        threshold: 1,
        holds: true,
    };
    let path = fuzz_dir().join("regressions/proof_verify/class-restated-as-at-least.bin");
    std::fs::write(&path, restated.to_bytes().expect("encodes")).expect("written");
    println!("{}: {:?}", path.display(), restated.output);
}
