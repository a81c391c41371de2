//! The verifier service behind `zkinfer serve`: a registry of public models, single-use
//! challenges, and verification of the envelopes clients prove under them. The HTTP API is
//! documented in `docs/openapi.json`.

pub mod error;
mod handlers;
pub mod nonces;
pub mod registry;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

use error::{ApiError, Code, LoggedCode};
use nonces::Nonces;
use registry::Registry;

/// Largest challenge request body.
const MAX_CHALLENGE_BYTES: usize = 4 * 1024;

/// How the service runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// How long a challenge's nonce can be used.
    pub nonce_lifetime: Duration,
    /// Most nonces remembered at once; beyond, challenges are refused with `BUSY`.
    pub max_open_challenges: usize,
    /// Largest `/v1/verify` body.
    pub max_envelope_bytes: usize,
    /// Verifications running at once (the rest wait).
    pub verify_concurrency: usize,
    /// A folder served at `/` (the demo pages), if any.
    pub static_dir: Option<PathBuf>,
    /// Origins whose pages may call the API from the browser (CORS); none by default.
    pub allow_origins: Vec<HeaderValue>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            nonce_lifetime: Duration::from_secs(300),
            max_open_challenges: 100_000,
            // Real envelopes are under 200 KB as JSON; the largest valid one (a 1 MiB proof)
            // is refused here, before any parsing.
            max_envelope_bytes: 512 * 1024,
            verify_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            static_dir: None,
            allow_origins: Vec::new(),
        }
    }
}

/// The state every request sees.
pub struct App {
    pub registry: Registry,
    pub nonces: Nonces,
    verifiers: Arc<Semaphore>,
}

/// The service's routes over `registry`.
pub fn router(registry: Registry, config: &Config) -> Router {
    let app = Arc::new(App {
        registry,
        nonces: Nonces::new(config.nonce_lifetime, config.max_open_challenges),
        verifiers: Arc::new(Semaphore::new(config.verify_concurrency.max(1))),
    });
    let api = Router::new()
        .route("/v1/health", get(handlers::health))
        .route("/v1/models", get(handlers::models))
        .route(
            "/v1/challenge",
            post(handlers::challenge).layer(DefaultBodyLimit::max(MAX_CHALLENGE_BYTES)),
        )
        .route(
            "/v1/verify",
            post(handlers::verify).layer(DefaultBodyLimit::max(config.max_envelope_bytes)),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app);
    let mut router = match &config.static_dir {
        Some(dir) => api
            .fallback_service(ServeDir::new(dir).not_found_service(axum::routing::any(not_found))),
        None => api.fallback(not_found),
    };
    if !config.allow_origins.is_empty() {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(config.allow_origins.clone()))
                .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
                .allow_headers([axum::http::header::CONTENT_TYPE]),
        );
    }
    router.layer(middleware::from_fn(log_request))
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight
/// finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}

/// The bound address of a listener on `addr` (port 0 picks a free port).
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

async fn not_found() -> ApiError {
    ApiError::new(Code::NotFound, "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        Code::MethodNotAllowed,
        "this endpoint does not take this method",
    )
}

/// One structured log line per request: method, path, status, error code, milliseconds.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let code = response
        .extensions()
        .get::<LoggedCode>()
        .map_or("", |c| c.0);
    let status = response.status().as_u16();
    let ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    if response.status().is_server_error() {
        tracing::warn!(target: "zkinfer::http", %method, path, status, code, ms);
    } else {
        tracing::info!(target: "zkinfer::http", %method, path, status, code, ms);
    }
    response.into_response()
}
