//! `zkinfer`: import models, inspect them, run the reference inference, and prove and verify
//! inferences on private inputs.

mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use zkinfer::check::check_against_csv;
use zkinfer::disclose::DiscloseRequest;
use zkinfer::examples::Flagship;
use zkinfer::limits::MAX_MODEL_FILE_BYTES;
use zkinfer::{import, read_inputs, Calibration, Disclosure, Model, Profile, ProveOptions};

#[derive(Parser)]
#[command(
    name = "zkinfer",
    version,
    about = "Prove private ML inference with transparent STARKs"
)]
struct Cli {
    /// Threads that prove and verify [default: every core for `prove` and `demo`; 1 elsewhere:
    /// a verification is too short to gain, `serve` verifies one request per core, and
    /// `bench`'s tables are one thread's].
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import an ONNX-ML, XGBoost JSON, LightGBM text or CatBoost JSON model into a zkinfer model.
    Import {
        /// The model file (its format is recognized by content).
        model: PathBuf,
        /// Where to write the zkinfer model (canonical JSON).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// A CSV of typical inputs (header = feature names); linear models need it to fix
        /// each feature's range. ONNX files name no features: this header names them.
        #[arg(long)]
        calibrate: Option<PathBuf>,
        /// How far beyond the calibration data a linear model's or network's inputs are
        /// accepted, in multiples of each feature's calibration range on each side (0: exactly
        /// the data's range; wider ranges cost input precision) [default: 0.5]
        #[arg(long, requires = "calibrate")]
        headroom: Option<f64>,
        /// A CSV of inputs with the library's predictions (`expected_*` columns): report
        /// class agreement and the largest score error, and fail if they are off.
        #[arg(long)]
        check: Option<PathBuf>,
        /// Boosting iterations to keep (XGBoost, LightGBM, CatBoost) [default: those the library's
        /// predict uses: up to an early-stopping best_iteration the file records, else all]
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        iterations: Option<u32>,
        /// The classes' labels, comma-separated in class order, instead of the file's.
        #[arg(long, value_delimiter = ',')]
        class_labels: Option<Vec<String>>,
        /// The features' names, comma-separated in model order, instead of the file's.
        #[arg(long, value_delimiter = ',')]
        feature_names: Option<Vec<String>>,
    },
    /// Describe a zkinfer model: id, task, features and their fixed-point grids.
    Inspect { model: PathBuf },
    /// Run the reference integer inference on inputs (JSON or CSV).
    Predict {
        model: PathBuf,
        /// JSON (array of numbers, object of name → number, or a list of those) or CSV
        /// with a header naming the features.
        input: PathBuf,
    },
    /// Prove the model's output on a private input: writes a proof envelope (public: model
    /// id, input commitment, output, proof) and an opening (SECRET: with the input, it opens
    /// the commitment; keep it as private as the input).
    Prove {
        /// A zkinfer model, or a tree model in a format `zkinfer import` reads.
        model: PathBuf,
        /// The private input: JSON or CSV, as for `predict`.
        input: PathBuf,
        /// Which input of the file to prove, counting from 0.
        #[arg(long, default_value_t = 0)]
        row: usize,
        /// What the verifier learns: `class` (default for classifiers), `scores` (default for
        /// regression), `at-least=<real score>` (only whether the score reaches it) or
        /// `at-least-probability=<p>` (a binary classifier's: only whether the probability of
        /// class 1 reaches p, exactly as `predict` reports it).
        #[arg(long, value_parser = clap::builder::ValueParser::new(str::parse::<DiscloseRequest>))]
        disclose: Option<DiscloseRequest>,
        #[command(flatten)]
        context: ContextArgs,
        /// The proof profile: `default` (about 100 bits) or `high` (128 bits).
        #[arg(long, default_value = "default", value_parser = ["default", "high"])]
        profile: String,
        /// Where to write the envelope [default: envelope.json, or envelope.bin with --binary].
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write the envelope in its binary form instead of JSON.
        #[arg(long)]
        binary: bool,
        /// Where to write the SECRET opening [default: <envelope>.opening.json].
        #[arg(long)]
        opening: Option<PathBuf>,
    },
    /// Verify a proof envelope against the model (and the context it must be made for).
    Verify {
        model: PathBuf,
        /// The envelope, JSON or binary.
        envelope: PathBuf,
        #[command(flatten)]
        context: ContextArgs,
    },
    /// Check that an input and an opening open a commitment.
    Open {
        model: PathBuf,
        /// The input, JSON or CSV.
        input: PathBuf,
        /// The opening written by `prove`.
        opening: PathBuf,
        /// An envelope file, or the commitment itself (64 hex digits).
        commitment: String,
        /// Which input of the file, counting from 0.
        #[arg(long, default_value_t = 0)]
        row: usize,
    },
    /// The main job on the embedded flagship model (XGBoost, 100 trees of depth 6): prove one
    /// held-out applicant's class in zero knowledge, verify it, and check the model against
    /// every held-out row.
    Demo,
    /// The verifier service: a registry of public models, single-use challenges (nonces) and
    /// verification of envelopes proved under them, over HTTP (docs/openapi.json).
    Serve(serve::ServeArgs),
    /// A bounded load run against the verifier service on loopback: prove N envelopes under
    /// fresh challenges, send them to `/v1/verify` C at a time, and report verifies per
    /// second, latency percentiles and errors; then check that replays are refused.
    BenchServe(bench_serve::BenchServeArgs),
    /// Prove and verify one held-out row of every example model under each profile; print
    /// trace shape, prove and verify times (median), proof size and the prover's peak heap.
    Bench {
        /// The directory holding `models.json`.
        #[arg(long, default_value = "examples")]
        examples: PathBuf,
        /// Only the examples (with --growth, the synthetic models) whose name contains this.
        #[arg(long)]
        model: Option<String>,
        /// `default`, `high` or `all`.
        #[arg(long, default_value = "all", value_parser = ["default", "high", "all"])]
        profile: String,
        /// Runs per measurement; the median is reported.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Instead of the examples, synthetic models from 500 to 100,000 splits and 10 to
        /// 1,000 features, under the default profile (or the one given): how proving grows.
        #[arg(long)]
        growth: bool,
        /// With --growth: also write each synthetic model (`<name>.zk.json`) and its input
        /// (`<name>.csv`) to this directory, for `npm run bench -- --production DIR`.
        #[arg(long, requires = "growth")]
        save_models: Option<PathBuf>,
    },
}

/// The caller's context a proof is bound to (a nonce, an origin); empty by default.
#[derive(clap::Args)]
struct ContextArgs {
    /// The context as UTF-8 text.
    #[arg(long, conflicts_with = "context_hex")]
    context: Option<String>,
    /// The context as hexadecimal bytes.
    #[arg(long)]
    context_hex: Option<String>,
}

impl ContextArgs {
    fn bytes(&self) -> Result<Vec<u8>, Failure> {
        proofs::context_bytes(self.context.as_deref(), self.context_hex.as_deref())
    }
}

/// Failure of a command: the message and the process exit code.
struct Failure(String, u8);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure(error.to_string(), 1)
    }
}

/// Writes to stdout. A reader that went away (`zkinfer … | head`) ends the program quietly
/// instead of panicking, like other Unix tools.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err(Failure(format!("cannot write the output: {e}"), 1));
        }
    }};
}

/// [`say!`] with a newline.
macro_rules! sayln {
    ($($arg:tt)*) => {{
        say!("{}\n", format!($($arg)*));
    }};
}

mod bench;
mod bench_serve;
mod proofs;
mod serve;

/// Exit code when `--check` finds a disagreement.
const CHECK_FAILED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let proving = matches!(cli.command, Command::Prove { .. } | Command::Demo);
    let threads = match (cli.threads, proving) {
        (Some(threads), _) => usize::from(threads),
        (None, true) => std::thread::available_parallelism().map_or(1, |n| n.get()),
        (None, false) => 1,
    };
    // Winterfell's prover and verifier run on rayon's global pool; only this sets it up.
    if let Err(e) = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
    {
        eprintln!("error: cannot start {threads} threads: {e}");
        return ExitCode::from(1);
    }
    let result = match cli.command {
        Command::Import {
            model,
            output,
            calibrate,
            headroom,
            check,
            iterations,
            class_labels,
            feature_names,
        } => import_command(
            &model,
            output.as_deref(),
            check.as_deref(),
            (calibrate.as_deref(), headroom),
            import::ImportOptions {
                calibration: None,
                iterations: iterations.map(|n| n as usize),
                class_labels: class_labels.as_deref(),
                feature_names: feature_names.as_deref(),
            },
        ),
        Command::Inspect { model } => inspect_command(&model),
        Command::Predict { model, input } => predict_command(&model, &input),
        Command::Prove {
            model,
            input,
            row,
            disclose,
            context,
            profile,
            output,
            binary,
            opening,
        } => context.bytes().and_then(|context| {
            proofs::prove_command(proofs::ProveRequest {
                model: &model,
                input: &input,
                row,
                disclose,
                context,
                profile: Profile::from_name(&profile).expect("clap checked the name"),
                envelope: output.as_deref(),
                binary,
                opening: opening.as_deref(),
            })
        }),
        Command::Verify {
            model,
            envelope,
            context,
        } => context
            .bytes()
            .and_then(|context| proofs::verify_command(&model, &envelope, &context)),
        Command::Open {
            model,
            input,
            opening,
            commitment,
            row,
        } => proofs::open_command(&model, &input, row, &opening, &commitment),
        Command::Demo => demo_command(),
        Command::Serve(args) => serve::serve_command(args),
        Command::BenchServe(args) => bench_serve::bench_serve_command(args),
        Command::Bench {
            examples,
            model,
            profile,
            runs,
            growth,
            save_models,
        } => bench_command(
            &examples,
            model.as_deref(),
            &profile,
            runs,
            growth,
            save_models.as_deref(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, code)) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

/// Reads a model, input or envelope file, refusing one larger than any zkinfer reads before
/// reading it all.
fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let cannot_read =
        |e: std::io::Error| Failure(format!("{}: cannot read: {e}", path.display()), 1);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| {
            file.take(MAX_MODEL_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(cannot_read)?;
    if bytes.len() > MAX_MODEL_FILE_BYTES {
        return Err(Failure(
            format!(
                "{}: more than {MAX_MODEL_FILE_BYTES} bytes, more than zkinfer reads",
                path.display()
            ),
            1,
        ));
    }
    Ok(bytes)
}

fn read_text(path: &Path) -> Result<String, Failure> {
    String::from_utf8(read_file(path)?)
        .map_err(|_| Failure(format!("{}: not UTF-8 text", path.display()), 1))
}

fn import_command(
    path: &Path,
    output: Option<&Path>,
    check: Option<&Path>,
    (calibrate, headroom): (Option<&Path>, Option<f64>),
    options: import::ImportOptions,
) -> Result<(), Failure> {
    let bytes = read_file(path)?;
    let calibration = match calibrate {
        Some(csv) => {
            let failed = |e: zkinfer::QuantizeError| Failure(format!("{}: {e}", csv.display()), 1);
            let calibration = Calibration::from_csv(&read_text(csv)?).map_err(failed)?;
            Some(match headroom {
                Some(headroom) => calibration.with_headroom(headroom).map_err(failed)?,
                None => calibration,
            })
        }
        None => None,
    };
    let start = Instant::now();
    let file = path.display().to_string();
    let options = import::ImportOptions {
        calibration: calibration.as_ref(),
        ..options
    };
    let model = import::import_with(&bytes, &file, &options)?;
    let elapsed = start.elapsed();
    sayln!(
        "imported {} ({} bytes) in {:.1} ms",
        path.display(),
        bytes.len(),
        elapsed.as_secs_f64() * 1e3
    );
    say!("{}", report::summary(&model));
    if let Some(output) = output {
        let canonical = model.to_canonical_json();
        std::fs::write(output, &canonical)
            .map_err(|e| Failure(format!("{}: cannot write: {e}", output.display()), 1))?;
        sayln!(
            "wrote        {} ({} bytes)",
            output.display(),
            canonical.len()
        );
    }
    match check {
        Some(csv) => run_check(&model, &read_text(csv)?, &csv.display().to_string()),
        None => Ok(()),
    }
}

fn run_check(model: &Model, csv: &str, name: &str) -> Result<(), Failure> {
    let report = check_against_csv(model, csv).map_err(|e| Failure(format!("{name}: {e}"), 1))?;
    say!("{}", report::check(&report));
    if report.passed() {
        Ok(())
    } else {
        Err(Failure(
            format!("{name}: the model disagrees with the recorded predictions"),
            CHECK_FAILED,
        ))
    }
}

fn load_model(path: &Path) -> Result<Model, Failure> {
    Model::from_json(&read_file(path)?).map_err(|e| Failure(format!("{}: {e}", path.display()), 1))
}

fn inspect_command(path: &Path) -> Result<(), Failure> {
    let model = load_model(path)?;
    say!("{}", report::summary(&model));
    say!("{}", report::features(&model));
    Ok(())
}

fn predict_command(model_path: &Path, input_path: &Path) -> Result<(), Failure> {
    let model = load_model(model_path)?;
    let text = read_text(input_path)?;
    let inputs = read_inputs(&model, &text)
        .map_err(|e| Failure(format!("{}: {e}", input_path.display()), 1))?;
    // Every input gets its line, a refused one an error naming it, and the rest go on.
    let mut refused = 0;
    for (row, raw) in inputs.iter().enumerate() {
        match model.quantize_input(raw) {
            Ok(input) => {
                let prediction = zkinfer::infer(&model, &input);
                sayln!("{}", report::prediction_json(&model, &prediction));
            }
            Err(e) => {
                refused += 1;
                let at = match inputs.len() {
                    1 => String::new(),
                    _ => format!(" (input {})", row + 1),
                };
                eprintln!("error: {}{at}: {e}", input_path.display());
                let error = serde_json::json!({ "input": row + 1, "error": e.to_string() });
                sayln!("{error}");
            }
        }
    }
    match refused {
        0 => Ok(()),
        _ => Err(Failure(
            format!(
                "{}: {refused} of {} inputs refused",
                input_path.display(),
                inputs.len()
            ),
            1,
        )),
    }
}

fn demo_command() -> Result<(), Failure> {
    let flagship = Flagship::load()?;
    let model = &flagship.model;
    sayln!(
        "flagship     {} ({} bytes), imported in {:.1} ms",
        Flagship::FILE,
        Flagship::MODEL.len(),
        flagship.import_time.as_secs_f64() * 1e3
    );
    say!("{}", report::summary(model));
    let applicant = &flagship.heldout_inputs()?[0];
    let input = model.quantize_input(applicant)?;
    sayln!(
        "applicant    first held-out row of {} (private)",
        Flagship::HELDOUT_FILE
    );

    let context = b"zkinfer demo".to_vec();
    let options = ProveOptions::new(Disclosure::Class).with_context(context.clone());
    let start = Instant::now();
    let (envelope, opening) = zkinfer::prove(model, &input, &options)
        .map_err(|e| Failure(format!("proving failed: {e}"), 1))?;
    let proved = start.elapsed();
    let start = Instant::now();
    let verified = zkinfer::verify(model, &envelope, &context)
        .map_err(|e| Failure(format!("the proof does not verify: {e}"), 1))?;
    let checked = start.elapsed();
    let opens = zkinfer::commitment::opens(model, &input, &opening, &envelope.input_commitment);

    proofs::print_proof(model, &envelope, proved)?;
    sayln!(
        "verified     valid ({}) in {:.1} ms",
        proofs::describe(model, &verified.output),
        checked.as_secs_f64() * 1e3
    );
    sayln!(
        "opening      the applicant's input and salt {} the commitment",
        if opens { "open" } else { "DO NOT open" }
    );
    if !opens {
        return Err(Failure(
            "the opening does not open the commitment".into(),
            1,
        ));
    }
    run_check(model, Flagship::HELDOUT, Flagship::HELDOUT_FILE)
}

fn bench_command(
    examples: &Path,
    filter: Option<&str>,
    profile: &str,
    runs: usize,
    growth: bool,
    save_models: Option<&Path>,
) -> Result<(), Failure> {
    let profiles = match Profile::from_name(profile) {
        Some(p) => vec![p],
        None => Profile::ALL.to_vec(),
    };
    let failure = |e| match e {
        bench::Error::Output(failure) => failure,
        bench::Error::Bench(message) => Failure(message, 1),
    };
    if growth {
        let profile = Profile::from_name(profile).unwrap_or(Profile::Default);
        sayln!("{}", bench::GROWTH_HEADER);
        return bench::growth(filter, profile, runs, save_models, |line| {
            say!("{}\n", bench::growth_line(line));
            Ok(())
        })
        .map_err(failure);
    }
    sayln!("{}", bench::HEADER);
    bench::run(examples, filter, &profiles, runs, |m| {
        say!("{}\n", bench::line(m));
        Ok(())
    })
    .map_err(failure)?;
    Ok(())
}
