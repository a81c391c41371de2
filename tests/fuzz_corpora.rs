//! Replays every fuzz target's committed seeds and regression inputs (`tests/fuzz/seeds/<target>/`,
//! `tests/fuzz/regressions/<target>/`) through the target's check, and the example model files
//! through the importers' checks: what the fuzzers found once stays fixed, without libFuzzer.

use zkinfer_integration::fuzz::{check, example_model_files, files_in, fuzz_dir, TARGETS};
use zkinfer_integration::{example_models, examples_dir, import_example};

fn replay(target: &str, folder: &str) -> usize {
    let files = files_in(&fuzz_dir().join(folder).join(target));
    for path in &files {
        let data = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(target, &data));
        assert!(
            outcome.is_ok(),
            "{target}: {} fails its check",
            path.display()
        );
    }
    files.len()
}

#[test]
fn seeds_and_regressions_pass_their_checks() {
    let mut replayed = 0;
    for (target, _) in TARGETS {
        replayed += replay(target, "seeds") + replay(target, "regressions");
    }
    assert!(replayed >= 4, "only {replayed} committed fuzz inputs");
}

#[test]
fn example_models_pass_the_importer_checks() {
    let files = example_model_files();
    for (target, _, file) in &files {
        check(target, &std::fs::read(examples_dir().join(file)).unwrap());
    }
    let mut checked = 0;
    for example in example_models() {
        check(
            "import_zkinfer",
            &import_example(&example).to_canonical_json(),
        );
        checked += 1;
    }
    assert_eq!(checked, 34, "every example model");
    assert_eq!(files.len(), 36, "every example model file and ONNX export");
}
