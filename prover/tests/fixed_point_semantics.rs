//! The fixed-point semantics keep the float model's decisions and bound its score error.

mod common;

use common::{float_leaf, float_scores, random_tree, tree_model, Rng};
use zkinfer::fixed_point::{SplitRule, FEATURE_MAX};
use zkinfer::inference::{infer, path};
use zkinfer::model::{Body, Link, Precision, Task};
use zkinfer::quantize::{quantize, score_error_bound};
use zkinfer::source::{SourceBody, SourceModel};
use zkinfer::{Calibration, InputError, Model};

/// Thresholds on very different magnitudes per feature, like real data.
fn threshold_for(rng: &mut Rng, feature: usize) -> f64 {
    let magnitude = [1e-3, 0.5, 30.0, 2500.0, 1e6][feature % 5];
    let t = rng.uniform(-magnitude, magnitude);
    // Some thresholds are f32 values, as XGBoost and ONNX store them.
    if feature % 2 == 0 {
        t as f32 as f64
    } else {
        t
    }
}

/// The real value of grid point `q` of feature `f`.
fn grid_value(model: &Model, f: usize, q: i64) -> f64 {
    let feature = &model.input.features[f];
    (q + feature.offset) as f64 * 2f64.powi(-feature.scale_log2)
}

#[test]
fn every_tree_decision_equals_the_float_decision_on_the_grid() {
    let mut rng = Rng::new(1);
    for rule in [SplitRule::LessThan, SplitRule::LessOrEqual] {
        for round in 0..4 {
            let features = 5;
            let trees = (0..20)
                .map(|_| random_tree(&mut rng, 5, features, 1, None, threshold_for))
                .collect();
            let source = tree_model(rule, Precision::F64, features, trees);
            let model = quantize(&source, None).expect("quantizes");
            let SourceBody::Trees { trees, .. } = &source.body else {
                unreachable!()
            };
            let Body::Trees(ensemble) = &model.body else {
                unreachable!()
            };
            for _ in 0..2000 {
                // A random grid point per feature, biased towards the thresholds' region.
                let q: Vec<i64> = (0..features)
                    .map(|_| rng.below(FEATURE_MAX as u64 + 1) as i64)
                    .collect();
                let x: Vec<f64> = (0..features).map(|f| grid_value(&model, f, q[f])).collect();
                let input = model.quantize_input(&x).expect("grid points are in range");
                let q16: Vec<i64> = input.values().iter().map(|&v| v as i64).collect();
                assert_eq!(q16, q, "grid points quantize to themselves");
                for (source_tree, tree) in trees.iter().zip(&ensemble.trees) {
                    let float_leaf = float_leaf(source_tree, rule, &x)[0];
                    let leaf = *path(tree, input.values()).last().unwrap() as usize;
                    let quantized_leaf = tree.leaf(leaf - tree.num_splits(), 1)[0];
                    let expected = (float_leaf * 2f64.powi(model.output.score_scale_log2 as i32))
                        .round() as i64;
                    assert_eq!(quantized_leaf, expected, "{rule:?} round {round} x={x:?}");
                }
            }
        }
    }
}

#[test]
fn off_grid_inputs_err_only_next_to_a_threshold() {
    let mut rng = Rng::new(2);
    for rule in [SplitRule::LessThan, SplitRule::LessOrEqual] {
        let features = 5;
        let trees: Vec<_> = (0..10)
            .map(|_| random_tree(&mut rng, 4, features, 1, None, threshold_for))
            .collect();
        let thresholds: Vec<Vec<f64>> = (0..features)
            .map(|f| {
                trees
                    .iter()
                    .flat_map(|t| &t.nodes)
                    .filter_map(|n| match n {
                        zkinfer::source::SourceNode::Split {
                            feature, threshold, ..
                        } if *feature == f => Some(*threshold),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let source = tree_model(rule, Precision::F64, features, trees.clone());
        let model = quantize(&source, None).unwrap();
        let Body::Trees(ensemble) = &model.body else {
            unreachable!()
        };
        let mut exact_hits = 0;
        for i in 0..5000 {
            let mut x: Vec<f64> = (0..features)
                .map(|f| threshold_for(&mut rng, f) * 1.5)
                .collect();
            // Every fifth input sits exactly on a threshold: it must go where the library
            // sends it.
            if i % 5 == 0 {
                let f = rng.below(features as u64) as usize;
                if let Some(&t) = thresholds[f].first() {
                    x[f] = t;
                    exact_hits += 1;
                }
            }
            let input = model.quantize_input(&x).unwrap();
            for (source_tree, tree) in trees.iter().zip(&ensemble.trees) {
                let float_leaf = float_leaf(source_tree, rule, &x)[0];
                let leaf = *path(tree, input.values()).last().unwrap() as usize;
                let expected =
                    (float_leaf * 2f64.powi(model.output.score_scale_log2 as i32)).round() as i64;
                if tree.leaf(leaf - tree.num_splits(), 1)[0] != expected {
                    // Allowed only strictly within one grid step of some threshold, on the
                    // side away from it.
                    let near = (0..features).any(|f| {
                        let step = 2f64.powi(-model.input.features[f].scale_log2);
                        thresholds[f]
                            .iter()
                            .any(|&t| x[f] != t && (x[f] - t).abs() < step)
                    });
                    assert!(
                        near,
                        "{rule:?}: decision differs far from thresholds at {x:?}"
                    );
                }
            }
        }
        assert!(exact_hits > 500);
    }
}

#[test]
fn inputs_beyond_the_grid_saturate_without_changing_tree_decisions() {
    let mut rng = Rng::new(3);
    let trees: Vec<_> = (0..10)
        .map(|_| random_tree(&mut rng, 4, 3, 1, None, threshold_for))
        .collect();
    let source = tree_model(SplitRule::LessThan, Precision::F32, 3, trees);
    let model = quantize(&source, None).unwrap();
    for x in [
        [1e30, -1e30, 1e30],
        [-3e38, 3e38, 0.0],
        [1e300, -1e300, 5e-320],
    ] {
        let input = model.quantize_input(&x).expect("trees saturate");
        let scores = infer(&model, &input).real_scores(&model);
        let expected = float_scores(&source, &x);
        assert!((scores[0] - expected[0]).abs() <= score_error_bound(&model)[0]);
    }
}

fn linear_source(weights: Vec<Vec<f64>>, bias: Vec<f64>, task: Task) -> SourceModel {
    let classes = match task {
        Task::Binary => vec!["no".into(), "yes".into()],
        Task::Multiclass => (0..weights.len()).map(|c| format!("c{c}")).collect(),
        Task::Regression => vec![],
    };
    SourceModel {
        source: "test linear".into(),
        feature_names: (0..weights[0].len()).map(|i| format!("x{i}")).collect(),
        precision: Precision::F64,
        task,
        classes,
        link: match task {
            Task::Binary => Link::Logistic,
            Task::Multiclass => Link::Softmax,
            Task::Regression => Link::Identity,
        },
        body: SourceBody::Linear { weights, bias },
    }
}

fn calibration(ranges: &[(f64, f64)]) -> Calibration {
    let header: Vec<String> = (0..ranges.len()).map(|i| format!("x{i}")).collect();
    let low: Vec<String> = ranges.iter().map(|r| r.0.to_string()).collect();
    let high: Vec<String> = ranges.iter().map(|r| r.1.to_string()).collect();
    Calibration::from_csv(&format!(
        "{}\n{}\n{}\n",
        header.join(","),
        low.join(","),
        high.join(",")
    ))
    .unwrap()
}

#[test]
fn linear_scores_stay_within_the_documented_bound() {
    let mut rng = Rng::new(4);
    let ranges = [
        (0.0, 1.0),
        (-50.0, 50.0),
        (140.0, 2500.0),
        (1e-4, 3e-3),
        (-1e5, 1e6),
    ];
    let cal = calibration(&ranges);
    for task in [Task::Binary, Task::Multiclass, Task::Regression] {
        let rows = if task == Task::Multiclass { 3 } else { 1 };
        let weights: Vec<Vec<f64>> = (0..rows)
            .map(|_| {
                ranges
                    .iter()
                    .map(|r| rng.uniform(-1.0, 1.0) / r.1.abs())
                    .collect()
            })
            .collect();
        let bias: Vec<f64> = (0..rows).map(|_| rng.uniform(-2.0, 2.0)).collect();
        let source = linear_source(weights, bias, task);
        let model = quantize(&source, Some(&cal)).unwrap();
        let bound = score_error_bound(&model);
        let mut largest = 0f64;
        for _ in 0..5000 {
            let x: Vec<f64> = ranges.iter().map(|r| rng.uniform(r.0, r.1)).collect();
            let ours = infer(&model, &model.quantize_input(&x).unwrap()).real_scores(&model);
            for ((o, e), b) in ours.iter().zip(float_scores(&source, &x)).zip(&bound) {
                assert!((o - e).abs() <= *b, "{task:?}: |{o} − {e}| > {b}");
                largest = largest.max((o - e).abs() / b);
            }
        }
        // The bound is not vacuous: errors reach a visible fraction of it.
        assert!(
            largest > 1e-3,
            "{task:?}: bound never approached ({largest})"
        );
    }
}

#[test]
fn linear_inputs_outside_the_range_are_refused_with_the_range() {
    let cal = calibration(&[(0.0, 10.0), (0.0, 1.0)]);
    let source = linear_source(vec![vec![0.5, -2.0]], vec![0.1], Task::Binary);
    let model = quantize(&source, Some(&cal)).unwrap();
    let (min, max) = model.feature_range(0);
    assert!(
        min <= -5.0 && max >= 15.0,
        "widened by half the width: [{min}, {max}]"
    );
    let err = model.quantize_input(&[1e6, 0.5]).unwrap_err();
    match err {
        InputError::OutOfRange {
            ref feature, value, ..
        } => {
            assert_eq!(feature, "x0");
            assert_eq!(value, 1e6);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("outside the model's input range"));
    assert!(model.quantize_input(&[14.9, 0.5]).is_ok());
}

#[test]
fn non_finite_values_and_wrong_counts_are_refused() {
    let cal = calibration(&[(0.0, 10.0), (0.0, 1.0)]);
    let source = linear_source(vec![vec![0.5, -2.0]], vec![0.1], Task::Binary);
    let model = quantize(&source, Some(&cal)).unwrap();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let err = model.quantize_input(&[bad, 0.5]).unwrap_err();
        assert!(matches!(err, InputError::NotFinite { .. }), "{err:?}");
        assert!(err.to_string().contains("must be finite"));
    }
    let err = model.quantize_input(&[1.0]).unwrap_err();
    assert_eq!(
        err,
        InputError::FeatureCount {
            expected: 2,
            found: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "the model takes 2 features, the input has 1"
    );
    // Trees refuse non-finite values too, even though they saturate finite ones.
    let mut rng = Rng::new(5);
    let trees = vec![random_tree(&mut rng, 3, 2, 1, None, threshold_for)];
    let tree_model = quantize(
        &tree_model(SplitRule::LessThan, Precision::F32, 2, trees),
        None,
    )
    .unwrap();
    assert!(matches!(
        tree_model.quantize_input(&[f64::NAN, 0.0]),
        Err(InputError::NotFinite { .. })
    ));
}

#[test]
fn linear_models_need_calibration() {
    let source = linear_source(vec![vec![0.5, -2.0]], vec![0.1], Task::Binary);
    let err = quantize(&source, None).unwrap_err();
    assert!(err.to_string().contains("calibration"), "{err}");
}

#[test]
fn multiclass_ties_go_to_the_first_class_and_binary_zero_to_class_zero() {
    use zkinfer::inference::decide;
    assert_eq!(decide(Task::Multiclass, &[5, 7, 7]), Some(1));
    assert_eq!(decide(Task::Multiclass, &[-1, -1, -1]), Some(0));
    assert_eq!(decide(Task::Binary, &[0]), Some(0));
    assert_eq!(decide(Task::Binary, &[1]), Some(1));
    assert_eq!(decide(Task::Regression, &[1]), None);
}
