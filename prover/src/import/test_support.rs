//! Checks the XGBoost and LightGBM importers' tests share.

use crate::import::xgboost::tests::float_scores;
use crate::input::Feature;
use crate::model::{Body, Categories, CategoryRead, Model, CATEGORICAL_VERSION};
use crate::source::{SourceBody, SourceMissing, SourceModel, SourceNode, SourceTree};

/// Checks `source`, a binary model of base margin 0 over two features, against a table of
/// hand-computed scores: the float semantics, then the quantized model (after a round trip
/// through its canonical JSON) on the quantized input. Every leaf is a multiple of 1/8, so
/// both must be exact. Returns the quantized model.
pub(super) fn check_score_table(source: &SourceModel, table: &[([f64; 2], f64)]) -> Model {
    let model = crate::quantize::quantize(source, None).unwrap();
    let reread = Model::from_json(&model.to_canonical_json()).unwrap();
    assert_eq!(reread, model);
    for (x, expected) in table {
        assert_eq!(float_scores(source, x), [*expected], "float, x = {x:?}");
        let q = model
            .quantize_input(x)
            .unwrap_or_else(|e| panic!("x = {x:?}: {e}"));
        let prediction = crate::inference::infer(&model, &q);
        assert_eq!(
            prediction.real_scores(&model),
            [*expected],
            "quantized, x = {x:?}, q = {:?}",
            q.values()
        );
        assert_eq!(prediction.class, Some(usize::from(*expected > 0.0)));
    }
    model
}

/// Checks `source`, read from a model over a categorical `c` and a numeric `n`: valid, `c`
/// read as `read`, default branches recorded, and the root of each tree splitting `c` as its
/// entry of `roots` says (the categories `set`, which go left iff `set_left`; children 1
/// and 2). Returns the trees and the missing values.
pub(super) fn check_categorical_source<'s>(
    source: &'s SourceModel,
    read: CategoryRead,
    roots: &[(&[u32], bool)],
) -> (&'s [SourceTree], &'s SourceMissing) {
    source.check().unwrap();
    let SourceBody::Trees {
        trees,
        missing,
        categorical,
        ..
    } = &source.body
    else {
        panic!("a tree ensemble")
    };
    assert_eq!(categorical.as_deref(), Some(&[Some(read), None][..]));
    assert_eq!(trees.len(), roots.len());
    for (t, (tree, &(set, set_left))) in trees.iter().zip(roots).enumerate() {
        let root = SourceNode::CategorySplit {
            feature: 0,
            set: set.to_vec(),
            set_left,
            left: 1,
            right: 2,
        };
        assert_eq!(tree.nodes[0], root, "tree {t}");
    }
    let missing = missing.as_ref().expect("default branches are recorded");
    (trees, missing)
}

/// Checks `model`, quantized from a model over a categorical `c` and a numeric `n`: version 3,
/// `c` read as `read` with `count` categories; each tree's codes sent left at its splits in
/// `left_codes` (`None` at a split on `n`); and each value of `c` in `codes` (with n = 1)
/// quantized to its code.
pub(super) fn check_categorical_model(
    model: &Model,
    (read, count): (CategoryRead, u32),
    left_codes: &[Vec<Option<Vec<u16>>>],
    codes: &[(f64, Feature)],
) {
    assert_eq!(model.version, CATEGORICAL_VERSION);
    assert_eq!(
        model.input.categorical,
        Some(vec![
            Some(Categories {
                read,
                count,
                known: None,
                labels: None,
            }),
            None
        ])
    );
    let Body::Trees(ensemble) = &model.body else {
        panic!("a tree ensemble")
    };
    assert_eq!(ensemble.trees.len(), left_codes.len());
    for (tree, left_codes) in ensemble.trees.iter().zip(left_codes) {
        assert_eq!(tree.categories.as_ref(), Some(left_codes));
    }
    let code = |c: f64| model.quantize_input(&[c, 1.0]).unwrap().values()[0];
    for &(c, expected) in codes {
        assert_eq!(code(c), expected, "c = {c}");
    }
}
