//! The fixed-point semantics keep the float model's decisions and bound its score error.

mod common;

use common::{float_leaf, float_scores, random_tree, tree_model, Rng};
use zkinfer::fixed_point::SplitRule;
use zkinfer::inference::{infer, path};
use zkinfer::model::{Body, Encoding, Link, Precision, Task};
use zkinfer::quantize::{quantize, score_error_bound};
use zkinfer::source::{SourceBody, SourceModel, SourceNode, SourceTree};
use zkinfer::{Calibration, InputError};

/// Thresholds on very different magnitudes per feature, like real data.
fn threshold_for(rng: &mut Rng, feature: usize) -> f64 {
    let magnitude = [1e-3, 0.5, 30.0, 2500.0, 1e6][feature % 5];
    let t = rng.uniform(-magnitude, magnitude);
    // Some thresholds are f32 values, as XGBoost and ONNX store them.
    if feature.is_multiple_of(2) {
        t as f32 as f64
    } else {
        t
    }
}

/// Inputs that probe every threshold: the threshold itself, the floats just around it (in
/// f64 and f32), and values far outside.
fn probes(rng: &mut Rng, thresholds: &[Vec<f64>], features: usize) -> Vec<Vec<f64>> {
    let mut inputs = Vec::new();
    for _ in 0..3000 {
        let mut x: Vec<f64> = (0..features).map(|f| threshold_for(rng, f) * 1.5).collect();
        for (f, value) in x.iter_mut().enumerate() {
            let list = &thresholds[f];
            if list.is_empty() || rng.below(3) == 0 {
                continue;
            }
            let t = list[rng.below(list.len() as u64) as usize];
            *value = match rng.below(5) {
                0 => t,
                1 => t.next_up(),
                2 => t.next_down(),
                3 => (t as f32).next_up() as f64,
                _ => (t as f32).next_down() as f64,
            };
        }
        inputs.push(x);
    }
    inputs.push(vec![1e300; features]);
    inputs.push(vec![-1e300; features]);
    inputs.push(vec![f64::MIN_POSITIVE; features]);
    inputs
}

fn split_thresholds(trees: &[SourceTree], features: usize) -> Vec<Vec<f64>> {
    (0..features)
        .map(|f| {
            trees
                .iter()
                .flat_map(|t| &t.nodes)
                .filter_map(|n| match n {
                    SourceNode::Split {
                        feature, threshold, ..
                    } if *feature == f => Some(*threshold),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_tree_decision_equals_the_float_decision_for_every_input() {
    let mut rng = Rng::new(1);
    for rule in [SplitRule::LessThan, SplitRule::LessOrEqual] {
        for precision in [Precision::F32, Precision::F64] {
            let features = 5;
            let trees: Vec<_> = (0..20)
                .map(|_| random_tree(&mut rng, 5, features, 1, None, threshold_for))
                .collect();
            let thresholds = split_thresholds(&trees, features);
            let source = tree_model(rule, precision, features, trees.clone());
            let model = quantize(&source, None).expect("quantizes");
            let Body::Trees(ensemble) = &model.body else {
                unreachable!()
            };
            let unit = 2f64.powi(model.output.score_scale_log2 as i32);
            let mut at_threshold = 0;
            for x in probes(&mut rng, &thresholds, features) {
                let input = model
                    .quantize_input(&x)
                    .expect("trees take every finite input");
                let rounded: Vec<f64> = match precision {
                    Precision::F32 => x.iter().map(|&v| v as f32 as f64).collect(),
                    Precision::F64 => x.clone(),
                };
                at_threshold += (0..features)
                    .filter(|&f| thresholds[f].contains(&rounded[f]))
                    .count();
                for (source_tree, tree) in trees.iter().zip(&ensemble.trees) {
                    let float_leaf = float_leaf(source_tree, rule, &rounded)[0];
                    let leaf = *path(tree, input.values()).last().unwrap() as usize;
                    let quantized_leaf = tree.leaf(leaf - tree.num_splits(), 1)[0];
                    assert_eq!(
                        quantized_leaf,
                        (float_leaf * unit).round() as i64,
                        "{rule:?} {precision:?} x={x:?}"
                    );
                }
            }
            assert!(
                at_threshold > 500,
                "only {at_threshold} inputs hit a threshold exactly"
            );
        }
    }
}

#[test]
fn split_thresholds_become_cut_indices() {
    let mut rng = Rng::new(2);
    let trees: Vec<_> = (0..5)
        .map(|_| random_tree(&mut rng, 4, 3, 1, None, threshold_for))
        .collect();
    let source = tree_model(SplitRule::LessThan, Precision::F64, 3, trees);
    let model = quantize(&source, None).unwrap();
    let Encoding::Bins { cuts, .. } = &model.input.encoding else {
        panic!("trees use the bins encoding")
    };
    let Body::Trees(ensemble) = &model.body else {
        unreachable!()
    };
    for tree in &ensemble.trees {
        for (&f, &t) in tree.feature.iter().zip(&tree.threshold) {
            assert!((1..=cuts[f as usize].len() as i64).contains(&t));
        }
    }
    // 5 trees × 15 splits, all thresholds distinct random values.
    assert_eq!(cuts.iter().map(Vec::len).sum::<usize>(), 75);
}

fn linear_source(weights: Vec<Vec<f64>>, bias: Vec<f64>, task: Task) -> SourceModel {
    let classes = match task {
        Task::Binary => vec!["no".into(), "yes".into()],
        Task::Multiclass => (0..weights.len()).map(|c| format!("c{c}")).collect(),
        Task::Regression => vec![],
    };
    SourceModel {
        labels: None,
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
        body: SourceBody::Linear {
            weights,
            bias,
            indicators: None,
        },
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
    let (min, max) = model.feature_range(0).unwrap();
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
    for bad in [f64::INFINITY, f64::NEG_INFINITY] {
        let err = model.quantize_input(&[bad, 0.5]).unwrap_err();
        assert!(matches!(err, InputError::NotFinite { .. }), "{err:?}");
        assert!(err.to_string().contains("must be finite"));
    }
    let err = model.quantize_input(&[f64::NAN, 0.5]).unwrap_err();
    assert_eq!(err, InputError::Missing("x0".into()));
    assert!(err
        .to_string()
        .contains("this model defines no missing values"));
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
    // Trees without missing values (format version 1) refuse them too, though they take every
    // finite value.
    let mut rng = Rng::new(5);
    let trees = vec![random_tree(&mut rng, 3, 2, 1, None, threshold_for)];
    let tree_model = quantize(
        &tree_model(SplitRule::LessThan, Precision::F32, 2, trees),
        None,
    )
    .unwrap();
    assert!(matches!(
        tree_model.quantize_input(&[f64::NAN, 0.0]),
        Err(InputError::Missing(_))
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

/// A split at +∞ under `x ≤ t` (LightGBM sets missing values apart this way) sends every value
/// left, +∞ itself too, and one at −∞ under `x < t` every value right: both are encoded
/// exactly. Under the other rules the infinity goes the other way from every finite value,
/// which the bins cannot say (an f32 input may round to it), so they are refused.
#[test]
fn splits_at_infinity_are_exact_or_refused() {
    let stump = |threshold: f64| SourceTree {
        target: None,
        nodes: vec![
            SourceNode::Split {
                feature: 0,
                threshold,
                left: 1,
                right: 2,
            },
            SourceNode::Leaf { value: vec![-1.0] },
            SourceNode::Leaf { value: vec![1.0] },
        ],
    };
    let exact = [
        (SplitRule::LessOrEqual, f64::INFINITY),
        (SplitRule::LessThan, f64::NEG_INFINITY),
    ];
    for (rule, threshold) in exact {
        let source = tree_model(rule, Precision::F32, 1, vec![stump(threshold)]);
        let model = quantize(&source, None).unwrap();
        for x in [-1e39, -3.0, 0.0, 7.5, f64::MAX, 1e39] {
            let input = model.quantize_input(&[x]).unwrap();
            let expected = float_scores(&source, &[x as f32 as f64])[0];
            let unit = model.output.score_unit();
            let proved = infer(&model, &input).scores[0] as f64 * unit;
            assert_eq!(proved, expected, "{rule:?} {threshold} at {x}");
        }
    }
    for (rule, threshold) in [
        (SplitRule::LessThan, f64::INFINITY),
        (SplitRule::LessOrEqual, f64::NEG_INFINITY),
    ] {
        let source = tree_model(rule, Precision::F32, 1, vec![stump(threshold)]);
        let err = quantize(&source, None).unwrap_err().to_string();
        assert!(err.contains("infinite threshold"), "{err}");
    }
}
