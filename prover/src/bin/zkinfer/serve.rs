//! `zkinfer serve`: the verifier service on a socket, with JSON logs on stderr.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use zkinfer::examples::Flagship;
use zkinfer::service::{self, registry::Registry, Config};

use crate::Failure;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// A folder of zkinfer models (`*.json`, as `zkinfer import -o` writes) to verify against
    /// [default: the embedded flagship only].
    #[arg(long)]
    models: Option<PathBuf>,
    /// Where to listen; port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Also serve this folder's files at `/` (e.g. the demo pages).
    #[arg(long = "static")]
    static_dir: Option<PathBuf>,
    /// Seconds a challenge's nonce stays usable.
    #[arg(long, default_value_t = 300.0)]
    nonce_lifetime: f64,
    /// Largest envelope `/v1/verify` accepts, in KiB.
    #[arg(long, default_value_t = 512)]
    max_envelope_kib: usize,
    /// Most open challenges remembered at once.
    #[arg(long, default_value_t = 100_000)]
    max_open_challenges: usize,
    /// An origin whose pages may call the API (CORS), e.g. `https://shop.example`; repeatable.
    #[arg(long)]
    allow_origin: Vec<String>,
    /// Log format on stderr: `json` (one object per line) or `text`.
    #[arg(long, default_value = "json", value_parser = ["json", "text"])]
    log: String,
}

pub fn serve_command(args: ServeArgs) -> Result<(), Failure> {
    init_logs(&args.log);
    let registry = match &args.models {
        Some(folder) => Registry::load_folder(folder)?,
        None => {
            let mut registry = Registry::default();
            registry.insert("breast_cancer_xgboost", Flagship::load()?.model);
            registry
        }
    };
    if !(args.nonce_lifetime.is_finite() && args.nonce_lifetime > 0.0) {
        return Err(Failure(
            "--nonce-lifetime must be a positive number of seconds".into(),
            2,
        ));
    }
    let max_envelope_bytes = args.max_envelope_kib.saturating_mul(1024);
    if max_envelope_bytes == 0 || max_envelope_bytes > zkinfer::envelope::MAX_ENCODED_BYTES {
        return Err(Failure(
            format!(
                "--max-envelope-kib must be between 1 and {}",
                zkinfer::envelope::MAX_ENCODED_BYTES / 1024
            ),
            2,
        ));
    }
    let allow_origins = args
        .allow_origin
        .iter()
        .map(|origin| {
            origin.parse().map_err(|_| {
                Failure(
                    format!("--allow-origin {origin:?} is not a header value"),
                    2,
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let config = Config {
        nonce_lifetime: Duration::from_secs_f64(args.nonce_lifetime),
        max_open_challenges: args.max_open_challenges,
        max_envelope_bytes,
        static_dir: args.static_dir.clone(),
        allow_origins,
        ..Config::default()
    };
    for model in registry.iter() {
        sayln!("model {} {}", model.id, model.name);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the runtime: {e}"), 1))?;
    runtime.block_on(async {
        let (listener, addr) = service::bind(args.addr)
            .await
            .map_err(|e| Failure(format!("cannot listen on {}: {e}", args.addr), 1))?;
        let models = registry.len();
        let router = service::router(registry, &config);
        tracing::info!(target: "zkinfer::service", event = "listening", %addr, models,
            nonce_lifetime_s = args.nonce_lifetime, max_envelope_bytes);
        sayln!("listening on http://{addr}");
        service::serve(listener, router, service::shutdown_signal())
            .await
            .map_err(|e| Failure(format!("the server failed: {e}"), 1))?;
        tracing::info!(target: "zkinfer::service", event = "stopped");
        Ok(())
    })
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if format == "json" {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}
