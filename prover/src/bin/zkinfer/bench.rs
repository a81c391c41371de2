//! `zkinfer bench`: prove and verify one held-out row of every example model under each
//! profile, and print trace shape, times, proof size and the prover's peak heap.
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
use zkinfer::{import, read_inputs, Calibration, Disclosure, Phase, Profile, ProveOptions};

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
                let (envelope, _opening) =
                    zkinfer::prove_with_progress(&model, &input, &options, &progress)
                        .map_err(|e| e.to_string())?;
                prove_times.push(start.elapsed());
                peak = peak.max(HEAP.peak_usage().saturating_sub(before));
                let start = Instant::now();
                zkinfer::verify(&model, &envelope, b"bench").map_err(|e| e.to_string())?;
                verify_times.push(start.elapsed());
                last = Some(envelope);
            }
            let envelope = last.expect("at least one run");
            let proof = Proof::read_from_bytes(&envelope.proof).map_err(|e| e.to_string())?;
            let trace = proof.context.trace_info();
            let measurement = Measurement {
                model: entry.name.clone(),
                profile,
                rows: trace.length(),
                columns: trace.main_trace_width(),
                prove: median(prove_times),
                verify: median(verify_times),
                proof_bytes: envelope.proof.len(),
                peak_heap_bytes: peak,
                phases: phases.borrow().0,
            };
            each(&measurement).map_err(Error::Output)?;
            table.push(measurement);
        }
    }
    Ok(table)
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
        "| {} | {} | {} × {} | {:.1} | {:.2} | {:.1} | {:.1} | {} |",
        m.model,
        m.profile.name(),
        m.rows,
        m.columns,
        m.prove.as_secs_f64() * 1e3,
        m.verify.as_secs_f64() * 1e3,
        m.proof_bytes as f64 / 1e3,
        m.peak_heap_bytes as f64 / (1 << 20) as f64,
        shares.join(" / "),
    )
}
