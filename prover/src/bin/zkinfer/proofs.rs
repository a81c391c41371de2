//! `zkinfer prove`, `verify` and `open`: proof envelopes and input openings on the command line.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zkinfer::commitment::opens;
use zkinfer::disclose::DiscloseRequest;
use zkinfer::envelope::MAX_ENCODED_BYTES;
use zkinfer::model::Task;
use zkinfer::proving::ProveError as ProvingError;
use zkinfer::{
    import, read_inputs, Disclosure, Envelope, ImportError, InputCommitment, Model, Opening,
    Output, Profile, ProveError, ProveOptions, QuantizeError, QuantizedInput,
};

use crate::Failure;

/// Everything `zkinfer prove` takes.
pub struct ProveRequest<'a> {
    pub model: &'a Path,
    pub input: &'a Path,
    pub row: usize,
    pub disclose: Option<DiscloseRequest>,
    pub context: Vec<u8>,
    pub profile: Profile,
    pub envelope: Option<&'a Path>,
    pub binary: bool,
    pub opening: Option<&'a Path>,
}

/// Loads any model `zkinfer import` reads without calibration: a zkinfer model, or a tree
/// model in a library format.
pub fn load_model(path: &Path) -> Result<Model, Failure> {
    let bytes = crate::read_file(path)?;
    import::import(&bytes, &path.display().to_string(), None).map_err(|e| {
        let hint = match &e {
            ImportError::Quantize {
                source: QuantizeError::NeedsCalibration,
                ..
            } => format!(
                "\nhint: import it once with `zkinfer import {} --calibrate data.csv -o \
                 model.zk.json` and use model.zk.json",
                path.display()
            ),
            _ => String::new(),
        };
        Failure(format!("{e}{hint}"), 1)
    })
}

/// The quantized input at `row` of the JSON or CSV file `path`.
fn load_input(model: &Model, path: &Path, row: usize) -> Result<QuantizedInput, Failure> {
    let name = path.display();
    let inputs = read_inputs(model, &crate::read_text(path)?)
        .map_err(|e| Failure(format!("{name}: {e}"), 1))?;
    let raw = inputs.get(row).ok_or_else(|| {
        Failure(
            format!(
                "{name}: there is no input {row} (the file holds {}; --row counts from 0)",
                inputs.len()
            ),
            1,
        )
    })?;
    model
        .quantize_input(raw)
        .map_err(|e| Failure(format!("{name} (input {row}): {e}"), 1))
}

/// `--context` (UTF-8) or `--context-hex`, as bytes.
pub fn context_bytes(text: Option<&str>, hex: Option<&str>) -> Result<Vec<u8>, Failure> {
    match (text, hex) {
        (_, Some(hex)) => decode_hex(hex).ok_or_else(|| {
            Failure(
                format!("--context-hex {hex:?} is not an even number of hex digits"),
                2,
            )
        }),
        (Some(text), None) => Ok(text.as_bytes().to_vec()),
        (None, None) => Ok(Vec::new()),
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

fn disclosure(model: &Model, disclose: Option<&DiscloseRequest>) -> Result<Disclosure, Failure> {
    DiscloseRequest::disclosure_or_default(disclose, model).map_err(|e| Failure(e, 1))
}

/// A `--disclose` the model cannot give, in the option's terms (the library's error names the
/// fixed-point disclosure).
fn disclosure_mismatch(disclosure: Disclosure, task: Task) -> String {
    let task = match task {
        Task::Binary => "binary",
        Task::Multiclass => "multiclass",
        Task::Regression => "regression",
    };
    let (option, needs) = match disclosure {
        Disclosure::Class => ("class", "a classifier"),
        Disclosure::AtLeast(_) => ("at-least", "a model with one score (binary or regression)"),
        Disclosure::Scores => ("scores", "any model"),
    };
    format!(
        "--disclose {option} does not fit this {task} model: it needs {needs} \
         (--disclose scores fits every model)"
    )
}

/// The disclosed output in the model's terms: class label, real scores.
pub fn describe(model: &Model, output: &Output) -> String {
    let scale = model.output.score_scale_log2;
    let real = |fixed: i64| fixed as f64 * model.output.score_unit();
    match output {
        Output::Class(class) => match model.output.classes.get(*class) {
            Some(label) => format!("class {label}"),
            None => format!("class index {class}"),
        },
        Output::Scores(scores) => {
            let reals: Vec<String> = scores.iter().map(|&s| real(s).to_string()).collect();
            format!(
                "scores [{}] (fixed point {scores:?} at 2^{scale} per unit)",
                reals.join(", ")
            )
        }
        Output::AtLeast { threshold, holds } => {
            // With a probability link, the probability a score of the threshold has, rounded
            // down so as never to overstate what the threshold guarantees.
            let probability = (model.output.link.probabilities(&[real(*threshold)]))
                .filter(|_| model.output.task == Task::Binary)
                .map(|p| {
                    format!(
                        "; probability of class 1 >= {:.6}",
                        (p[1] * 1e6).floor() / 1e6
                    )
                })
                .unwrap_or_default();
            format!(
                "score >= {} is {holds} (fixed-point threshold {threshold} at 2^{scale} per \
                 unit{probability})",
                real(*threshold)
            )
        }
    }
}

/// `<envelope>.opening.json`.
fn default_opening_path(envelope: &Path) -> PathBuf {
    let mut name = envelope.as_os_str().to_owned();
    name.push(".opening.json");
    PathBuf::from(name)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure(format!("{}: cannot write: {e}", path.display()), 1))
}

/// Writes the opening readable by its owner only, where the system allows it.
fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(|e| Failure(format!("{}: cannot write: {e}", path.display()), 1))
}

/// Reads an envelope in either form, refusing oversized files before reading them.
fn read_envelope(path: &Path) -> Result<Envelope, Failure> {
    let name = path.display();
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.len() > MAX_ENCODED_BYTES as u64 {
            return Err(Failure(
                format!("{name}: {} bytes is too large for an envelope", meta.len()),
                1,
            ));
        }
    }
    Envelope::decode(&crate::read_file(path)?).map_err(|e| Failure(format!("{name}: {e}"), 1))
}

pub fn prove_command(request: ProveRequest) -> Result<(), Failure> {
    let envelope_path = request.envelope.map_or_else(
        || {
            PathBuf::from(if request.binary {
                "envelope.bin"
            } else {
                "envelope.json"
            })
        },
        Path::to_path_buf,
    );
    let opening_path = request
        .opening
        .map_or_else(|| default_opening_path(&envelope_path), Path::to_path_buf);
    if opening_path == envelope_path {
        return Err(Failure(
            "the envelope and the opening need different files".into(),
            2,
        ));
    }
    let model = load_model(request.model)?;
    let input = load_input(&model, request.input, request.row)?;
    let options = ProveOptions::new(disclosure(&model, request.disclose.as_ref())?)
        .with_context(request.context)
        .with_profile(request.profile);
    let start = Instant::now();
    let (envelope, opening) = zkinfer::prove(&model, &input, &options).map_err(|e| match e {
        ProveError::Proving(ProvingError::Disclosure(disclosure, task)) => {
            Failure(disclosure_mismatch(disclosure, task), 1)
        }
        e => e.into(),
    })?;
    let elapsed = start.elapsed();
    let encoded = if request.binary {
        envelope.to_bytes()
    } else {
        envelope
            .to_json()
            .map(|json| format!("{json}\n").into_bytes())
    }?;
    write(&envelope_path, &encoded)?;
    write_secret(&opening_path, format!("{}\n", opening.to_json()).as_bytes())?;
    sayln!("model id     {}", envelope.model_id);
    print_proof(&model, &envelope, elapsed)?;
    sayln!(
        "envelope     {} ({} bytes, {}): public",
        envelope_path.display(),
        encoded.len(),
        if request.binary { "binary" } else { "JSON" }
    );
    sayln!(
        "opening      {}: SECRET, it and the input open the commitment",
        opening_path.display()
    );
    Ok(())
}

/// The public part of a fresh proof: commitment, output, size, profile and proving time.
pub fn print_proof(model: &Model, envelope: &Envelope, proved: Duration) -> Result<(), Failure> {
    sayln!("commitment   {}", envelope.input_commitment);
    sayln!("output       {}", describe(model, &envelope.output));
    sayln!(
        "proof        {} bytes ({} profile, zero knowledge), proved in {:.1} ms",
        envelope.proof.len(),
        envelope.profile.name(),
        proved.as_secs_f64() * 1e3
    );
    Ok(())
}

pub fn verify_command(model: &Path, envelope: &Path, context: &[u8]) -> Result<(), Failure> {
    let model = load_model(model)?;
    let parsed = read_envelope(envelope)?;
    let start = Instant::now();
    let verified = zkinfer::verify(&model, &parsed, context)
        .map_err(|e| Failure(format!("{}: invalid: {e}", envelope.display()), 1))?;
    let elapsed = start.elapsed();
    sayln!("valid: {}", describe(&model, &verified.output));
    sayln!("model id     {}", verified.model_id);
    sayln!("commitment   {}", verified.input_commitment);
    sayln!(
        "profile      {} ({} bits of conjectured security)",
        verified.profile.name(),
        verified.profile.conjectured_security_bits()
    );
    sayln!("verified in  {:.1} ms", elapsed.as_secs_f64() * 1e3);
    Ok(())
}

/// `zkinfer open`: does this input, with this opening, open the commitment (given directly
/// or in an envelope for this model)?
pub fn open_command(
    model: &Path,
    input: &Path,
    row: usize,
    opening: &Path,
    target: &str,
) -> Result<(), Failure> {
    let model = load_model(model)?;
    let quantized = load_input(&model, input, row)?;
    let opening = Opening::from_json(&crate::read_text(opening)?)
        .map_err(|e| Failure(format!("{}: {e}", opening.display()), 1))?;
    let commitment = match target.parse::<InputCommitment>() {
        Ok(commitment) => commitment,
        Err(_) if target.len() == 64 && target.bytes().all(|b| b.is_ascii_hexdigit()) => {
            return Err(Failure(
                format!("{target} is not a valid commitment (a limb is not a field element)"),
                1,
            ))
        }
        Err(_) => {
            let envelope = read_envelope(Path::new(target))?;
            if envelope.model_id != model.id() {
                return Err(Failure(
                    format!(
                        "{target}: the envelope is for model {}, not {}",
                        envelope.model_id,
                        model.id()
                    ),
                    1,
                ));
            }
            envelope.input_commitment
        }
    };
    if !opens(&model, &quantized, &opening, &commitment) {
        return Err(Failure(
            format!(
                "input {row} of {} with this opening does not open commitment {commitment}",
                input.display()
            ),
            1,
        ));
    }
    sayln!(
        "opens: input {row} of {} is the input committed in {commitment}",
        input.display()
    );
    Ok(())
}
