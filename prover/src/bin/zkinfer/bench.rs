//! `zkinfer bench`: prove and verify one held-out row of every example model under each
//! profile, and print trace shape, times, proof size and the prover's peak heap; with
//! `--growth`, the same for synthetic models from 500 to 100,000 splits and 10 to 1,000
//! features (`zkinfer::synthetic`), to show how proving grows.
//!
//! Times are medians over `--runs` runs on one thread; the peak heap is the largest amount
//! the prover had allocated at once (counted by the binary's global allocator), over the
//! whole `prove` call: witness, low-degree extensions, commitments and the proof. The phase
//! shares are the part of the proving time each [`Phase`] took, summed over the runs: they
//! back the fractions progress reports give ([`Phase::fraction`]).

use std::cell::RefCell;
use std::path::Path;
use std::time::{Duration, Instant};

use peak_alloc::PeakAlloc;
use winter_utils::Deserializable;
use winterfell::Proof;
use zkinfer::examples::manifest;

use crate::Failure;
use zkinfer::model::Task;
use zkinfer::{
    import, read_inputs, synthetic, Calibration, Disclosure, Model, Phase, Profile, ProveOptions,
    QuantizedInput,
};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// Why a benchmark stopped: a model or proof failed, or the table could not be written.
pub enum Error {
    Bench(String),
    Output(Failure),
}

impl From<String> for Error {
    fn from(message: String) -> Error {
        Error::Bench(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Error {
        Error::Bench(message.to_string())
    }
}

/// One line of the table.
pub struct Measurement {
    pub model: String,
    pub profile: Profile,
    pub rows: usize,
    pub columns: usize,
    /// Auxiliary columns (extension-field elements: each costs the extension degree).
    pub aux_columns: usize,
    pub prove: Duration,
    pub verify: Duration,
    pub proof_bytes: usize,
    pub peak_heap_bytes: usize,
    /// Time spent in each phase before [`Phase::Done`], in [`Phase::ALL`] order.
    pub phases: [Duration; 5],
}

/// Measures every example in `examples` (the directory holding `models.json`) whose name
/// contains `filter`, under `profiles`.
pub fn run(
    examples: &Path,
    filter: Option<&str>,
    profiles: &[Profile],
    runs: usize,
    mut each: impl FnMut(&Measurement) -> Result<(), Failure>,
) -> Result<Vec<Measurement>, Error> {
    let read = |path: &Path| std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()));
    let manifest_json = read(&examples.join("models.json"))?;
    let entries = manifest(&String::from_utf8_lossy(&manifest_json))?;
    let mut table = Vec::new();
    for entry in entries {
        if filter.is_some_and(|f| !entry.name.contains(f)) {
            continue;
        }
        let bytes = read(&examples.join(&entry.model_file))?;
        let train = read(&examples.join(&entry.calibration_csv))?;
        let calibration = Calibration::from_csv(&String::from_utf8_lossy(&train))
            .map_err(|e| format!("{}: {e}", entry.calibration_csv))?;
        let model = import::import(&bytes, &entry.model_file, Some(&calibration))
            .map_err(|e| format!("{}: {e}", entry.name))?;
        let heldout = read(&examples.join(&entry.heldout_csv))?;
        let raw =
            read_inputs(&model, &String::from_utf8_lossy(&heldout)).map_err(|e| e.to_string())?;
        let input = model
            .quantize_input(raw.first().ok_or("no held-out rows")?)
            .map_err(|e| e.to_string())?;
        let disclosure = match model.output.task {
            Task::Regression => Disclosure::AtLeast(0),
            _ => Disclosure::Class,
        };
        for &profile in profiles {
            let measurement = measure(&entry.name, &model, &input, disclosure, profile, runs)?;
            each(&measurement).map_err(Error::Output)?;
            table.push(measurement);
        }
    }
    Ok(table)
}

/// Proves and verifies `model` on `input` `runs` times under `profile`.
fn measure(
    name: &str,
    model: &Model,
    input: &QuantizedInput,
    disclosure: Disclosure,
    profile: Profile,
    runs: usize,
) -> Result<Measurement, Error> {
    let options = ProveOptions::new(disclosure)
        .with_context(b"bench".to_vec())
        .with_profile(profile);
    let mut prove_times = Vec::new();
    let mut verify_times = Vec::new();
    let mut peak = 0;
    let mut last = None;
    let phases = RefCell::new(([Duration::ZERO; 5], Instant::now(), Phase::Trace));
    let progress = |phase: Phase| {
        let (spent, since, current) = &mut *phases.borrow_mut();
        if phase != Phase::Trace {
            spent[*current as usize] += since.elapsed();
        }
        (*since, *current) = (Instant::now(), phase);
    };
    for _ in 0..runs.max(1) {
        HEAP.reset_peak_usage();
        let before = HEAP.current_usage();
        let start = Instant::now();
        let (envelope, _opening) = zkinfer::prove_with_progress(model, input, &options, &progress)
            .map_err(|e| e.to_string())?;
        prove_times.push(start.elapsed());
        peak = peak.max(HEAP.peak_usage().saturating_sub(before));
        let start = Instant::now();
        zkinfer::verify(model, &envelope, b"bench").map_err(|e| e.to_string())?;
        verify_times.push(start.elapsed());
        last = Some(envelope);
    }
    let envelope = last.expect("at least one run");
    let proof = Proof::read_from_bytes(&envelope.proof).map_err(|e| e.to_string())?;
    let trace = proof.context.trace_info();
    let phases = phases.borrow().0;
    Ok(Measurement {
        model: name.to_string(),
        profile,
        rows: trace.length(),
        columns: trace.main_trace_width(),
        aux_columns: trace.aux_segment_width(),
        prove: median(prove_times),
        verify: median(verify_times),
        proof_bytes: envelope.proof.len(),
        peak_heap_bytes: peak,
        phases,
    })
}

/// The synthetic models of the growth table: boosted depth-6 trees from 8 to 1,600 trees (504
/// to 100,800 splits) on 24 features, LightGBM's 400 trees of 31 leaves, 80 trees on 10 to
/// 1,000 features, linear models of 10 to 1,000 features, and ReLU networks with layers of up
/// to 1,000 neurons. Each entry is its name, its splits (0 for a linear model or a network)
/// and the source model.
fn growth_models() -> Vec<(String, usize, zkinfer::SourceModel)> {
    let mut models = Vec::new();
    for trees in [8, 16, 80, 160, 384, 800, 1600] {
        let name = format!("{trees} trees × depth 6, 24 features");
        models.push((name, trees * 63, synthetic::boosted_trees(trees, 6, 24)));
    }
    // LightGBM's 400 trees of 31 leaves (30 splits each) as complete trees of depth 5 (31).
    models.push((
        "400 trees × depth 5, 24 features".into(),
        400 * 31,
        synthetic::boosted_trees(400, 5, 24),
    ));
    for features in [10, 100, 1000] {
        let name = format!("80 trees × depth 6, {features} features");
        models.push((name, 80 * 63, synthetic::boosted_trees(80, 6, features)));
    }
    for features in [10, 100, 1000] {
        models.push((
            format!("linear, {features} features"),
            0,
            synthetic::linear(features),
        ));
    }
    // Networks whose layers are wider than a bank: computed in passes.
    let networks: [&[usize]; 4] = [
        &[30, 32, 256, 1],
        &[784, 128, 10],
        &[4, 1000, 1],
        &[100, 200, 200, 200, 1],
    ];
    for widths in networks {
        let shape: Vec<String> = widths.iter().map(usize::to_string).collect();
        let name = format!("network {}", shape.join("-"));
        models.push((name, 0, synthetic::network(widths)));
    }
    models
}

/// One line of the growth table: a measurement, or why the model is refused.
pub enum Growth {
    Measured {
        splits: usize,
        measurement: Measurement,
    },
    Refused {
        model: String,
        reason: String,
    },
}

/// Measures every synthetic model of the growth table (whose name contains `filter`) under
/// `profile`, calling `each` on every line as it is made; with `save`, writes each model that
/// loads and its input there too.
pub fn growth(
    filter: Option<&str>,
    profile: Profile,
    runs: usize,
    save: Option<&Path>,
    mut each: impl FnMut(&Growth) -> Result<(), Failure>,
) -> Result<(), Error> {
    let chosen = |name: &String| filter.is_none_or(|f| name.contains(f));
    for (name, splits, source) in growth_models().into_iter().filter(|(n, ..)| chosen(n)) {
        let features = source.feature_names.len();
        let header = source.feature_names.join(",");
        let csv = format!(
            "{header}\n{}\n{}",
            vec!["0"; features].join(","),
            vec!["1"; features].join(",")
        );
        let calibration = Calibration::from_csv(&csv).map_err(|e| e.to_string())?;
        let line = match zkinfer::quantize::quantize(&source, Some(&calibration)) {
            Err(error) => Growth::Refused {
                model: name,
                reason: error.to_string(),
            },
            Ok(model) => {
                let values = synthetic::input(features);
                if let Some(dir) = save {
                    save_model(dir, &name, &model, &header, &values)?;
                }
                let input = model.quantize_input(&values).map_err(|e| e.to_string())?;
                let measurement = measure(&name, &model, &input, Disclosure::Class, profile, runs)?;
                Growth::Measured {
                    splits,
                    measurement,
                }
            }
        };
        each(&line).map_err(Error::Output)?;
    }
    Ok(())
}

/// Writes `model` as `<slug>.zk.json` and its input as `<slug>.csv` (a header and one row) in
/// `dir`, the slug being `name` in lower case with runs of other characters as one `_`.
fn save_model(
    dir: &Path,
    name: &str,
    model: &Model,
    header: &str,
    input: &[f64],
) -> Result<(), Error> {
    let slug: String = (name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric()))
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join("_");
    let row: Vec<String> = input.iter().map(f64::to_string).collect();
    let write = |file: String, bytes: &[u8]| {
        std::fs::write(dir.join(&file), bytes).map_err(|e| format!("{file}: cannot write: {e}"))
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(format!("{slug}.zk.json"), &model.to_canonical_json())?;
    write(
        format!("{slug}.csv"),
        format!("{header}\n{}\n", row.join(",")).as_bytes(),
    )?;
    Ok(())
}

pub const GROWTH_HEADER: &str = "| model | splits | rows × columns | cells per split | prove ms | verify ms | proof KB | peak heap MB |\n|---|---|---|---|---|---|---|---|";

pub fn growth_line(line: &Growth) -> String {
    match line {
        Growth::Refused { model, reason } => format!("| {model} | | refused: {reason} | | | | | |"),
        Growth::Measured {
            splits,
            measurement: m,
        } => {
            let extension = m.profile.options().field_extension().degree() as usize;
            let cells = m.rows * (m.columns + extension * m.aux_columns);
            let per_split = match splits {
                0 => "—".to_string(),
                s => format!("{:.1}", cells as f64 / *s as f64),
            };
            format!(
                "| {} | {} | {} | {per_split} | {:.1} | {:.2} | {:.1} | {:.1} |",
                m.model,
                splits,
                shape(m),
                m.prove.as_secs_f64() * 1e3,
                m.verify.as_secs_f64() * 1e3,
                m.proof_bytes as f64 / 1e3,
                m.peak_heap_bytes as f64 / (1 << 20) as f64,
            )
        }
    }
}

/// `rows × columns`, with the auxiliary columns when there are any.
fn shape(m: &Measurement) -> String {
    match m.aux_columns {
        0 => format!("{} × {}", m.rows, m.columns),
        aux => format!("{} × ({} + {aux} aux)", m.rows, m.columns),
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

pub const HEADER: &str =
    "| model | profile | rows × columns | prove ms | verify ms | proof KB | peak heap MB | phases % (trace, commit, constraints, composition, fri) |\n|---|---|---|---|---|---|---|---|";

pub fn line(m: &Measurement) -> String {
    let total: Duration = m.phases.iter().sum();
    let shares: Vec<String> = m
        .phases
        .iter()
        .map(|phase| format!("{:.0}", 100.0 * phase.as_secs_f64() / total.as_secs_f64()))
        .collect();
    format!(
        "| {} | {} | {} | {:.1} | {:.2} | {:.1} | {:.1} | {} |",
        m.model,
        m.profile.name(),
        shape(m),
        m.prove.as_secs_f64() * 1e3,
        m.verify.as_secs_f64() * 1e3,
        m.proof_bytes as f64 / 1e3,
        m.peak_heap_bytes as f64 / (1 << 20) as f64,
        shares.join(" / "),
    )
}
