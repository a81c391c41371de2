//! `zkinfer`: import models, inspect them and run the reference inference.

mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use zkinfer::check::check_against_csv;
use zkinfer::examples::Flagship;
use zkinfer::{import, infer, read_inputs, Calibration, Model};

#[derive(Parser)]
#[command(
    name = "zkinfer",
    version,
    about = "Prove private ML inference with transparent STARKs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import an ONNX-ML, XGBoost JSON or LightGBM text model into a zkinfer model.
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
        /// A CSV of inputs with the library's predictions (`expected_*` columns): report
        /// class agreement and the largest score error, and fail if they are off.
        #[arg(long)]
        check: Option<PathBuf>,
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
    /// The main job on the embedded flagship model (XGBoost, 100 trees of depth 6).
    Demo,
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

/// Exit code when `--check` finds a disagreement.
const CHECK_FAILED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Import {
            model,
            output,
            calibrate,
            check,
        } => import_command(
            &model,
            output.as_deref(),
            calibrate.as_deref(),
            check.as_deref(),
        ),
        Command::Inspect { model } => inspect_command(&model),
        Command::Predict { model, input } => predict_command(&model, &input),
        Command::Demo => demo_command(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, code)) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure(format!("{}: cannot read: {e}", path.display()), 1))
}

fn read_text(path: &Path) -> Result<String, Failure> {
    String::from_utf8(read_file(path)?)
        .map_err(|_| Failure(format!("{}: not UTF-8 text", path.display()), 1))
}

fn import_command(
    path: &Path,
    output: Option<&Path>,
    calibrate: Option<&Path>,
    check: Option<&Path>,
) -> Result<(), Failure> {
    let bytes = read_file(path)?;
    let calibration = match calibrate {
        Some(csv) => Some(
            Calibration::from_csv(&read_text(csv)?)
                .map_err(|e| Failure(format!("{}: {e}", csv.display()), 1))?,
        ),
        None => None,
    };
    let start = Instant::now();
    let model = import::import(&bytes, &path.display().to_string(), calibration.as_ref())?;
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
    for (row, raw) in inputs.iter().enumerate() {
        let input = model.quantize_input(raw).map_err(|e| {
            let at = if inputs.len() > 1 {
                format!(" (input {})", row + 1)
            } else {
                String::new()
            };
            Failure(format!("{}{at}: {e}", input_path.display()), 1)
        })?;
        let prediction = infer(&model, &input);
        sayln!("{}", report::prediction_json(&model, &prediction));
    }
    Ok(())
}

fn demo_command() -> Result<(), Failure> {
    let flagship = Flagship::load()?;
    sayln!(
        "flagship: {} ({} bytes), imported in {:.1} ms",
        Flagship::FILE,
        Flagship::MODEL.len(),
        flagship.import_time.as_secs_f64() * 1e3
    );
    say!("{}", report::summary(&flagship.model));
    let applicant = &flagship.heldout_inputs()?[0];
    let input = flagship.model.quantize_input(applicant)?;
    let prediction = infer(&flagship.model, &input);
    sayln!(
        "applicant    first held-out row of {}",
        Flagship::HELDOUT_FILE
    );
    sayln!(
        "prediction   {}",
        report::prediction_json(&flagship.model, &prediction)
    );
    run_check(&flagship.model, Flagship::HELDOUT, Flagship::HELDOUT_FILE)
}
