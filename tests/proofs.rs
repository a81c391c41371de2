//! Every example model proves and verifies on every held-out row, and the proved output is the
//! reference inference's (and so the original library's decision); lies about the output are
//! rejected.

use winterfell::math::fields::f64::BaseElement;
use zkinfer::examples::ExampleModel;
use zkinfer::inference::infer;
use zkinfer::model::{Body, Task};
use zkinfer::profile::Profile;
use zkinfer::proving::{input_commitment, prove, verify, Disclosure, Output, VerifyError};
use zkinfer::{no_progress, read_inputs, Model, QuantizedInput};
use zkinfer_integration::{example_models, import_example, read_example};

/// The example model `name`.
fn example_model(name: &str) -> (ExampleModel, Model) {
    let example = example_models()
        .into_iter()
        .find(|e| e.name == name)
        .unwrap();
    let model = import_example(&example);
    (example, model)
}

/// An example model and its quantized held-out row `row`.
fn heldout_input(name: &str, row: usize) -> (Model, QuantizedInput) {
    let (example, model) = example_model(name);
    let raw = &read_inputs(&model, &read_example(&example.heldout_csv)).unwrap()[row];
    let input = model.quantize_input(raw).unwrap();
    (model, input)
}

/// The context every proof here is made under (a verifier's nonce, say).
const CONTEXT: &[u8] = b"nonce 7f3a; origin https://lender.example";

/// A fixed salt: these tests are about the statement, not hiding.
fn salt() -> [BaseElement; 4] {
    [11, 22, 33, 44].map(BaseElement::new)
}

/// Proves `model` on `input` under [`CONTEXT`] with the fixed salt.
fn prove_input(
    model: &Model,
    input: &QuantizedInput,
    disclosure: Disclosure,
    profile: Profile,
) -> (Vec<u8>, Output) {
    prove(
        model,
        input,
        disclosure,
        &salt(),
        CONTEXT,
        profile,
        &no_progress,
    )
    .unwrap()
}

/// Verifies `proof` of `output` for `model` on the commitment to `input` with the fixed salt.
fn verify_input(
    model: &Model,
    input: &QuantizedInput,
    output: &Output,
    context: &[u8],
    proof: &[u8],
    profile: Profile,
) -> Result<(), VerifyError> {
    let commitment = input_commitment(model, input, &salt());
    verify(
        model,
        model.id(),
        output,
        &commitment,
        context,
        proof,
        profile,
    )
}

/// One test per example model, so that the harness spreads them over the cores.
macro_rules! every_heldout_row {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            prove_every_heldout_row(stringify!($name));
        }
    )*};
}

every_heldout_row!(
    breast_cancer_decision_tree,
    breast_cancer_lightgbm,
    breast_cancer_logreg,
    breast_cancer_mlp,
    breast_cancer_random_forest,
    breast_cancer_xgboost,
    credit_catboost,
    credit_lightgbm_early_stopping,
    credit_onehot_gradient_boosting,
    credit_onehot_logreg,
    credit_onehot_mlp,
    credit_onehot_random_forest,
    credit_strings_logreg,
    credit_strings_random_forest,
    credit_missing_lightgbm,
    credit_missing_xgboost,
    credit_nan_lightgbm,
    credit_nan_lightgbm_zero,
    credit_nan_xgboost,
    credit_xgboost,
    credit_xgboost_early_stopping,
    diabetes_catboost_regressor,
    diabetes_decision_tree_regressor,
    diabetes_lightgbm,
    diabetes_linear_regression,
    diabetes_random_forest_regressor,
    diabetes_xgboost_regressor,
    digits_mlp,
    iris_catboost_multiclass,
    iris_logreg_multinomial,
    iris_xgboost_multiclass,
    wine_lightgbm,
    wine_linear_svc,
    wine_random_forest,
);

#[test]
fn every_example_has_a_proof_test() {
    let source = include_str!("proofs.rs");
    for example in example_models() {
        assert!(
            source.contains(&format!("    {},\n", example.name)),
            "{}",
            example.name
        );
    }
}

/// Proves and verifies every held-out row of the example `name`, disclosing on alternate rows
/// the class (a threshold bit for regressors) or the scores, and checks the proved output
/// against the reference inference.
fn prove_every_heldout_row(name: &str) {
    let (example, model) = example_model(name);
    let rows = read_inputs(&model, &read_example(&example.heldout_csv)).unwrap();
    assert!(!rows.is_empty());
    for (r, raw) in rows.iter().enumerate() {
        let input = model.quantize_input(raw).unwrap();
        let reference = infer(&model, &input);
        let disclosure = match (r % 2, model.output.task) {
            (1, _) => Disclosure::Scores,
            (_, Task::Regression) => Disclosure::AtLeast(reference.scores[0] - 2 + (r % 5) as i64),
            _ => Disclosure::Class,
        };
        let (proof, output) = prove_input(&model, &input, disclosure, Profile::Default);
        match &output {
            Output::Class(c) => assert_eq!(Some(*c), reference.class),
            Output::Scores(s) => assert_eq!(s, &reference.scores),
            Output::AtLeast { threshold, holds } => {
                assert_eq!(*holds, reference.scores[0] >= *threshold)
            }
        }
        verify_input(&model, &input, &output, CONTEXT, &proof, Profile::Default)
            .unwrap_or_else(|e| panic!("{name} row {r}: {e}"));
    }
}

#[test]
fn lies_about_the_output_and_foreign_proofs_are_rejected() {
    let (model, input) = heldout_input("breast_cancer_logreg", 0);
    let (proof, output) = prove_input(&model, &input, Disclosure::Class, Profile::Default);
    let check = |model: &Model, output: &Output, profile| {
        verify_input(model, &input, output, CONTEXT, &proof, profile)
    };
    let Output::Class(class) = output else {
        panic!()
    };
    // The other class.
    let lie = Output::Class(1 - class);
    assert!(matches!(
        check(&model, &lie, Profile::Default),
        Err(VerifyError::Invalid(_))
    ));
    // Another model (one weight changed).
    let mut other = model.clone();
    let Body::Linear(linear) = &mut other.body else {
        panic!()
    };
    linear.weights[0][0] += 1;
    assert!(check(&other, &output, Profile::Default).is_err());
    // The right proof under another profile's expectations.
    assert_eq!(
        check(&model, &output, Profile::High),
        Err(VerifyError::Header("high"))
    );
    // A class that does not exist.
    assert_eq!(
        check(&model, &Output::Class(7), Profile::Default),
        Err(VerifyError::Output)
    );
}

#[test]
fn the_high_profile_proves_too() {
    let (model, input) = heldout_input("iris_logreg_multinomial", 3);
    let (proof, output) = prove_input(&model, &input, Disclosure::Class, Profile::High);
    let parsed = winterfell::Proof::from_bytes(&proof).unwrap();
    assert_eq!(
        parsed
            .conjectured_security::<zkinfer_air::prover::Hash>()
            .bits(),
        128
    );
    verify_input(&model, &input, &output, CONTEXT, &proof, Profile::High).unwrap();
}

/// Mutated and truncated proofs are refused with an error: never accepted, never a panic or an
/// abort. (Winterfell's own decoder trusts length prefixes and some bytes; `proof_layout`
/// checks them first. Runs of 20 000 cases found no panic after those checks.)
#[test]
fn mutated_and_truncated_proofs_are_rejected_without_panicking() {
    // A tree proof and a linear proof: the same verifier path, different shapes.
    for name in ["breast_cancer_xgboost", "breast_cancer_logreg"] {
        let (model, input) = heldout_input(name, 0);
        let (proof, output) = prove_input(&model, &input, Disclosure::Class, Profile::Default);
        let check =
            |bytes: &[u8]| verify_input(&model, &input, &output, CONTEXT, bytes, Profile::Default);
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        for case in 0..1000 {
            let mut bytes = proof.clone();
            if case % 3 == 0 {
                bytes.truncate(next() % bytes.len());
            } else {
                for _ in 0..1 + case % 4 {
                    let position = next() % bytes.len();
                    bytes[position] ^= (next() as u8) | 1;
                }
            }
            assert!(check(&bytes).is_err(), "{name}: case {case} was accepted");
        }
        let mut oversized = proof.clone();
        oversized.resize(zkinfer::proving::MAX_PROOF_BYTES + 1, 0);
        assert!(matches!(check(&oversized), Err(VerifyError::TooLarge(_))));
        let mut trailing = proof.clone();
        trailing.push(0);
        assert!(matches!(check(&trailing), Err(VerifyError::Malformed(_))));
        // The query count, the byte after the header: Winterfell panics on 0 when it parses
        // the openings.
        let context = winterfell::Proof::from_bytes(&proof).unwrap().context;
        let at = winter_utils::Serializable::to_bytes(&context).len();
        for count in [0, 30, 255] {
            let mut bytes = proof.clone();
            bytes[at] = count;
            let refused = check(&bytes);
            assert!(
                matches!(&refused, Err(VerifyError::Malformed(m)) if m.contains("query count")),
                "{name}: {count} queries: {refused:?}"
            );
        }
    }
}

#[test]
fn a_proof_only_verifies_under_its_own_context() {
    let (model, input) = heldout_input("wine_linear_svc", 0);
    let (proof, output) = prove_input(&model, &input, Disclosure::Class, Profile::Default);
    let check =
        |context: &[u8]| verify_input(&model, &input, &output, context, &proof, Profile::Default);
    check(CONTEXT).unwrap();
    for other in [
        &b""[..],
        b"nonce 7f3b; origin https://lender.example",
        b"replayed elsewhere",
    ] {
        assert!(matches!(check(other), Err(VerifyError::Invalid(_))));
    }
}
