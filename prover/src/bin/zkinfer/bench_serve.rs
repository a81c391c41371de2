//! `zkinfer bench-serve`: a bounded load run against the verifier service on loopback.
//!
//! Setup (not timed): N challenges from `POST /v1/challenge`, N envelopes proved under them on
//! every core, serialized to JSON. Then the timed run: the N envelopes sent to
//! `POST /v1/verify` with C requests in flight over keep-alive connections, each request's
//! latency recorded. Last, some already verified envelopes are sent again: every one must be
//! refused with `409 NONCE_USED`.
//!
//! Without `--url`, the service runs in this process (on 127.0.0.1, a free port, its own
//! runtime, no request logs) and stops gracefully at the end.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::CONTENT_TYPE;
use hyper::{Request, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use zkinfer::examples::Flagship;
use zkinfer::service::{self, registry::Registry, Config};
use zkinfer::{read_inputs, Model, ProveOptions, QuantizedInput};

use crate::Failure;

/// Envelopes replayed after the run (or all of them, if fewer).
const REPLAYS: usize = 100;

#[derive(clap::Args)]
pub struct BenchServeArgs {
    /// A running service to load, e.g. `http://127.0.0.1:8787` [default: start one in this
    /// process on a free loopback port, with the model below registered].
    #[arg(long)]
    url: Option<String>,
    /// Verifications to send.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    requests: u64,
    /// Requests in flight at once, over as many keep-alive connections [default: twice the
    /// cores, which keeps every core of a local service verifying; more only adds queueing to
    /// the latency].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    concurrency: Option<u64>,
    /// The model to prove (a zkinfer model, or a tree model `zkinfer import` reads) [default:
    /// the embedded flagship]. It must be registered with the service at `--url`.
    #[arg(long, requires = "inputs")]
    model: Option<PathBuf>,
    /// Inputs to prove, JSON or CSV as for `predict`, used in turn [default: the flagship's
    /// held-out rows].
    #[arg(long)]
    inputs: Option<PathBuf>,
}

type Http = Client<HttpConnector, Full<Bytes>>;

/// One request's outcome: its latency, and the status and body or why no answer came.
struct Reply {
    latency: Duration,
    answer: Result<(StatusCode, Bytes), String>,
}

impl Reply {
    fn json(&self) -> Value {
        match &self.answer {
            Ok((_, body)) => serde_json::from_slice(body).unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    }

    fn status(&self) -> Option<StatusCode> {
        self.answer.as_ref().ok().map(|(status, _)| *status)
    }

    /// `200` with `"verified": true`.
    fn verified(&self) -> bool {
        self.status() == Some(StatusCode::OK) && self.json()["verified"] == json!(true)
    }

    /// `409` with code `NONCE_USED`.
    fn nonce_used(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
            && self.json()["error"]["code"] == json!("NONCE_USED")
    }

    /// What came back, for an error message: `503 BUSY: …`, or the transport error.
    fn describe(&self) -> String {
        match &self.answer {
            Err(error) => error.clone(),
            Ok((status, body)) => {
                let value = self.json();
                match (
                    value["error"]["code"].as_str(),
                    value["error"]["message"].as_str(),
                ) {
                    (Some(code), Some(message)) => format!("{} {code}: {message}", status.as_u16()),
                    _ => format!(
                        "{} {}",
                        status.as_u16(),
                        String::from_utf8_lossy(&body[..body.len().min(200)])
                    ),
                }
            }
        }
    }
}

/// The service in this process, and how to stop it.
struct Local {
    runtime: tokio::runtime::Runtime,
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

pub fn bench_serve_command(args: BenchServeArgs) -> Result<(), Failure> {
    let requests = args.requests as usize;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let concurrency = args.concurrency.map_or(2 * cores, |c| c as usize);

    // `--model` requires `--inputs`, so without `--inputs` the model is the flagship.
    let (model, name) = match &args.model {
        Some(path) => {
            let name = path
                .file_stem()
                .map_or("model".into(), |s| s.to_string_lossy().into_owned());
            (crate::proofs::load_model(path)?, name)
        }
        None => (Flagship::load()?.model, "breast_cancer_xgboost".to_string()),
    };
    let raw = match &args.inputs {
        Some(path) => read_inputs(&model, &crate::read_text(path)?)
            .map_err(|e| Failure(format!("{}: {e}", path.display()), 1))?,
        None => read_inputs(&model, Flagship::HELDOUT)?,
    };
    let inputs = raw
        .iter()
        .enumerate()
        .map(|(row, values)| {
            model
                .quantize_input(values)
                .map_err(|e| Failure(format!("input {row}: {e}"), 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if inputs.is_empty() {
        return Err(Failure("no inputs to prove".into(), 1));
    }
    let model_id = model.id();

    let (local, base) = match &args.url {
        Some(url) => (None, url.trim_end_matches('/').to_string()),
        None => {
            let (local, addr) = start_local(name, model.clone())?;
            (Some(local), format!("http://{addr}"))
        }
    };
    let endpoint = |path: &str| -> Result<Uri, Failure> {
        let uri: Uri = format!("{base}{path}")
            .parse()
            .map_err(|e| Failure(format!("--url {base:?}: {e}"), 2))?;
        if uri.scheme_str() != Some("http") {
            return Err(Failure(
                format!("--url {base:?}: only http:// URLs are supported"),
                2,
            ));
        }
        Ok(uri)
    };
    let (challenge_uri, verify_uri) = (endpoint("/v1/challenge")?, endpoint("/v1/verify")?);

    // The load generator's own runtime: one thread, so that the cores go to the service.
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the runtime: {e}"), 1))?;
    let client = client_runtime.block_on(async {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(concurrency)
            .build::<_, Full<Bytes>>(connector)
    });

    // Setup: challenges, proofs, JSON bodies.
    let setup = Instant::now();
    let challenge_body = Bytes::from(json!({ "model_id": model_id.to_string() }).to_string());
    let challenges = client_runtime.block_on(send_all(
        &client,
        &challenge_uri,
        Arc::new(vec![challenge_body; requests]),
        concurrency,
    ));
    let nonces = challenges
        .iter()
        .map(|reply| match reply.json()["nonce"].as_str() {
            Some(nonce) if reply.status() == Some(StatusCode::CREATED) => Ok(nonce.to_string()),
            _ => Err(Failure(
                format!("POST {challenge_uri}: {}", reply.describe()),
                1,
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let challenged = setup.elapsed();
    let threads = cores.min(requests);
    eprintln!("proving {requests} envelopes on {threads} threads…");
    let proving = Instant::now();
    let bodies = prove_all(&model, &inputs, &nonces, threads)?;
    let proved = proving.elapsed();
    eprintln!(
        "set up in {:.1} s: {requests} challenges in {:.2} s, proofs in {:.1} s ({:.1} ms per proof per thread)",
        setup.elapsed().as_secs_f64(),
        challenged.as_secs_f64(),
        proved.as_secs_f64(),
        proved.as_secs_f64() * 1e3 * threads as f64 / requests as f64,
    );
    let envelope_bytes = bodies[0].len();
    let bodies = Arc::new(bodies);

    // The timed run.
    let started = Instant::now();
    let replies =
        client_runtime.block_on(send_all(&client, &verify_uri, bodies.clone(), concurrency));
    let wall = started.elapsed();

    // Replays of envelopes that verified.
    let replayed: Vec<Bytes> = replies
        .iter()
        .zip(bodies.iter())
        .filter(|(reply, _)| reply.verified())
        .map(|(_, body)| body.clone())
        .take(REPLAYS.min(requests))
        .collect();
    let replay_count = replayed.len();
    let replays = client_runtime.block_on(send_all(
        &client,
        &verify_uri,
        Arc::new(replayed),
        concurrency,
    ));

    // Closing the client's connections first lets the service stop at once.
    drop(client);
    drop(client_runtime);
    if let Some(local) = local {
        stop_local(local)?;
    }

    let failed: Vec<&Reply> = replies.iter().filter(|r| !r.verified()).collect();
    let refused = replays.iter().filter(|r| r.nonce_used()).count();
    let accepted = replays.iter().filter(|r| r.verified()).count();
    let mut latencies: Vec<Duration> = replies.iter().map(|r| r.latency).collect();
    latencies.sort();
    let ms = |q: f64| percentile(&latencies, q).as_secs_f64() * 1e3;

    sayln!(
        "service      {base}{}",
        if args.url.is_some() {
            ""
        } else {
            " (in this process)"
        }
    );
    sayln!("model        {model_id}");
    sayln!(
        "envelope     {envelope_bytes} bytes (JSON), proof {} bytes",
        proof_bytes(&bodies[0])
    );
    sayln!("| requests | concurrency | cores | wall s | verifies/s | p50 ms | p90 ms | p99 ms | max ms | errors | replays refused |");
    sayln!("|---|---|---|---|---|---|---|---|---|---|---|");
    sayln!(
        "| {requests} | {concurrency} | {cores} | {:.2} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {refused} of {replay_count} |",
        wall.as_secs_f64(),
        (requests - failed.len()) as f64 / wall.as_secs_f64(),
        ms(0.50),
        ms(0.90),
        ms(0.99),
        ms(1.0),
        failed.len(),
    );
    for reply in failed.iter().take(3) {
        sayln!("error        {}", reply.describe());
    }
    for reply in replays.iter().filter(|r| !r.nonce_used()).take(3) {
        sayln!("replay       {}", reply.describe());
    }
    if !failed.is_empty() || refused != replay_count {
        return Err(Failure(
            format!(
                "{} of {requests} verifications failed; {refused} of {replay_count} replays refused ({accepted} accepted)",
                failed.len()
            ),
            1,
        ));
    }
    Ok(())
}

/// The size of the proof in an envelope's JSON.
fn proof_bytes(body: &Bytes) -> usize {
    std::str::from_utf8(body)
        .ok()
        .and_then(|text| zkinfer::Envelope::from_json(text).ok())
        .map_or(0, |envelope| envelope.proof.len())
}

/// The nearest-rank percentile `q` (0 to 1) of `sorted`.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Proves one envelope per nonce (its context), cycling through `inputs`, on `threads`
/// threads; returns the envelopes' JSON.
fn prove_all(
    model: &Model,
    inputs: &[QuantizedInput],
    nonces: &[String],
    threads: usize,
) -> Result<Vec<Bytes>, Failure> {
    let disclosure = zkinfer::api::default_disclosure(model);
    let mut bodies: Vec<Result<Bytes, String>> = vec![Ok(Bytes::new()); nonces.len()];
    let chunk = nonces.len().div_ceil(threads.max(1));
    std::thread::scope(|scope| {
        for (start, out) in (0..).step_by(chunk).zip(bodies.chunks_mut(chunk)) {
            scope.spawn(move || {
                for (offset, slot) in out.iter_mut().enumerate() {
                    let i = start + offset;
                    let options = ProveOptions::new(disclosure).with_context(nonces[i].as_bytes());
                    *slot = zkinfer::prove(model, &inputs[i % inputs.len()], &options)
                        .map_err(|e| format!("proving envelope {i}: {e}"))
                        .and_then(|(envelope, _opening)| {
                            envelope.to_json().map_err(|e| e.to_string())
                        })
                        .map(Bytes::from);
                }
            });
        }
    });
    bodies
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure(e, 1))
}

/// POSTs every body of `bodies` to `uri` as JSON, `concurrency` at a time: as many tasks,
/// each taking the next body when its previous answer is in. Replies come in `bodies` order.
async fn send_all(
    client: &Http,
    uri: &Uri,
    bodies: Arc<Vec<Bytes>>,
    concurrency: usize,
) -> Vec<Reply> {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..concurrency.clamp(1, bodies.len().max(1)))
        .map(|_| {
            let (client, uri, bodies, next) =
                (client.clone(), uri.clone(), bodies.clone(), next.clone());
            tokio::spawn(async move {
                let mut replies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { break };
                    let started = Instant::now();
                    let answer = post(&client, &uri, body.clone()).await;
                    replies.push((
                        i,
                        Reply {
                            latency: started.elapsed(),
                            answer,
                        },
                    ));
                }
                replies
            })
        })
        .collect();
    let mut ordered: Vec<Option<Reply>> = (0..bodies.len()).map(|_| None).collect();
    for task in tasks {
        match task.await {
            Ok(replies) => {
                for (i, reply) in replies {
                    ordered[i] = Some(reply);
                }
            }
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    ordered
        .into_iter()
        .map(|reply| reply.expect("every body was sent"))
        .collect()
}

async fn post(client: &Http, uri: &Uri, body: Bytes) -> Result<(StatusCode, Bytes), String> {
    let request = Request::post(uri.clone())
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
    let response = client.request(request).await.map_err(|e| chain(&e))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("reading the answer: {}", chain(&e)))?
        .to_bytes();
    Ok((status, body))
}

/// An error and its causes, `a: b: c`.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Starts the service with `model` registered, on a free loopback port and its own runtime.
/// No tracing subscriber is installed: its request logs go nowhere.
fn start_local(name: String, model: Model) -> Result<(Local, SocketAddr), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the service's runtime: {e}"), 1))?;
    let mut registry = Registry::default();
    registry.insert(name, model);
    let router = service::router(registry, &Config::default());
    let (listener, addr) = runtime
        .block_on(service::bind(SocketAddr::from(([127, 0, 0, 1], 0))))
        .map_err(|e| Failure(format!("cannot listen on 127.0.0.1: {e}"), 1))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let served = runtime.spawn(service::serve(listener, router, async move {
        let _ = stopped.await;
    }));
    Ok((
        Local {
            runtime,
            stop,
            served,
        },
        addr,
    ))
}

/// Stops the service gracefully: it finishes what is in flight, then its runtime ends.
fn stop_local(local: Local) -> Result<(), Failure> {
    let _ = local.stop.send(());
    let result = local
        .runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(10), local.served).await });
    match result {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(Failure(format!("the service failed: {e}"), 1)),
        Ok(Err(e)) => Err(Failure(format!("the service stopped: {e}"), 1)),
        Err(_) => Err(Failure("the service did not stop within 10 s".into(), 1)),
    }
}
