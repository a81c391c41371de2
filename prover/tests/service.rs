//! The verifier service, in process: every endpoint's answers, every refusal's code, and every
//! response checked against `docs/openapi.json`.

use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use tower::ServiceExt as _;
use zkinfer::examples::Flagship;
use zkinfer::service::error::Code;
use zkinfer::service::registry::Registry;
use zkinfer::service::{router, Config};
use zkinfer::{prove, Disclosure, Envelope, Model, ProveOptions};

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn flagship() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Flagship::load().unwrap().model)
}

/// A second, small model: iris XGBoost (no calibration needed).
fn iris() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/models/iris_xgboost_multiclass/model.json"
        );
        zkinfer::import::import(&std::fs::read(path).unwrap(), path, None).unwrap()
    })
}

fn service(config: Config) -> Router {
    let mut registry = Registry::default();
    registry.insert("flagship", flagship().clone());
    registry.insert("iris", iris().clone());
    router(registry, &config)
}

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// Validates `body` against the schema `#/components/schemas/<name>` of the spec.
fn assert_schema(name: &str, body: &Value) {
    let mut root = spec().clone();
    root["$ref"] = json!(format!("#/components/schemas/{name}"));
    let validator = jsonschema::validator_for(&root).expect("the spec's schemas compile");
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{name}: {body}: {errors:?}");
}

/// The schema the spec gives for `status` of `method path`, resolving response references.
fn documented_schema(method: &Method, path: &str, status: StatusCode) -> String {
    let operation = &spec()["paths"][path][method.as_str().to_ascii_lowercase()];
    assert!(
        operation.is_object(),
        "{method} {path} is not in docs/openapi.json"
    );
    let mut response = &operation["responses"][status.as_str()];
    assert!(
        response.is_object(),
        "{method} {path} answered {status}, which docs/openapi.json does not list"
    );
    if let Some(reference) = response["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        response = &spec()["components"]["responses"][name];
    }
    let schema = &response["content"]["application/json"]["schema"]["$ref"];
    schema
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

struct Reply {
    status: StatusCode,
    body: Value,
}

impl Reply {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// Sends a request, and checks the answer against the spec for documented paths.
async fn call(
    app: &Router,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut request = Request::builder().method(method.clone()).uri(path);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{method} {path}: {status}, not JSON ({e}): {bytes:?}"));
    let schema = if spec()["paths"][path].is_object() && status != StatusCode::METHOD_NOT_ALLOWED {
        documented_schema(&method, path, status)
    } else {
        "Error".to_string()
    };
    assert_schema(&schema, &body);
    Reply { status, body }
}

/// Posts raw `body` bytes as `content_type`.
async fn post(app: &Router, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
    call(app, Method::POST, path, Some(content_type), body).await
}

/// Posts each case to `path` and checks it is refused with `status` and `code`.
async fn assert_refused(
    app: &Router,
    path: &str,
    cases: Vec<(&str, Vec<u8>)>,
    status: StatusCode,
    code: &str,
) {
    for (what, body) in cases {
        let reply = post(app, path, "application/json", body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{what}: {}",
            reply.body
        );
    }
}

async fn post_json(app: &Router, path: &str, body: &Value) -> Reply {
    call(
        app,
        Method::POST,
        path,
        Some("application/json"),
        body.to_string().into_bytes(),
    )
    .await
}

async fn challenge(app: &Router, model: &Model) -> String {
    let reply = post_json(
        app,
        "/v1/challenge",
        &json!({"model_id": model.id().to_string()}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["nonce"].as_str().unwrap().to_string()
}

/// A flagship envelope proved under `context` (held-out row `row`), as JSON.
fn envelope(model: &Model, row: usize, context: &str, disclosure: Disclosure) -> Value {
    let csv = if std::ptr::eq(model, flagship()) {
        Flagship::HELDOUT.to_string()
    } else {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/models/iris_xgboost_multiclass/heldout.csv"
        ))
        .unwrap()
    };
    let raw = &zkinfer::read_inputs(model, &csv).unwrap()[row];
    let input = model.quantize_input(raw).unwrap();
    let options = ProveOptions::new(disclosure).with_context(context.as_bytes().to_vec());
    let (envelope, _opening) = prove(model, &input, &options).unwrap();
    serde_json::from_str(&envelope.to_json().unwrap()).unwrap()
}

async fn verify(app: &Router, envelope: &Value) -> Reply {
    post_json(app, "/v1/verify", envelope).await
}

#[tokio::test]
async fn a_proof_under_a_challenge_verifies_once() {
    let app = service(Config::default());
    let nonce = challenge(&app, flagship()).await;
    let envelope = envelope(flagship(), 3, &nonce, Disclosure::Class);
    let reply = verify(&app, &envelope).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["verified"], json!(true));
    assert_eq!(reply.body["model_id"], json!(flagship().id().to_string()));
    assert_eq!(reply.body["model_name"], json!("flagship"));
    assert_eq!(reply.body["output"], envelope["output"]);
    assert_eq!(reply.body["input_commitment"], envelope["input_commitment"]);
    assert_eq!(reply.body["nonce"], json!(nonce));

    // The replay is refused, and so is any other proof under the spent nonce.
    let replay = verify(&app, &envelope).await;
    assert_eq!(
        (replay.status, replay.code()),
        (StatusCode::CONFLICT, "NONCE_USED")
    );
    let other = verify(
        &app,
        &self::envelope(flagship(), 4, &nonce, Disclosure::Class),
    )
    .await;
    assert_eq!(other.code(), "NONCE_USED");
}

#[tokio::test]
async fn binary_envelopes_and_threshold_disclosures_verify() {
    let app = service(Config::default());
    let nonce = challenge(&app, flagship()).await;
    let json = envelope(flagship(), 0, &nonce, Disclosure::AtLeast(0));
    let binary = Envelope::from_json(&json.to_string())
        .unwrap()
        .to_bytes()
        .unwrap();
    let reply = post(&app, "/v1/verify", "application/octet-stream", binary).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body["output"]["at_least"]["holds"].is_boolean());
    assert!(reply.body["meaning"]
        .as_str()
        .unwrap()
        .starts_with("score ≥ 0: "));
}

/// Envelopes changed after proving, each under its own nonce: 422 `INVALID_PROOF`.
#[tokio::test]
async fn tampered_envelopes_are_refused() {
    type Tamper = fn(&mut Value);
    let cases: [(&str, &Model, &Model, Tamper, &str); 4] = [
        (
            "another class",
            flagship(),
            flagship(),
            |e| {
                let class = e["output"]["class"].as_u64().unwrap();
                e["output"]["class"] = json!(1 - class);
            },
            "the proof is invalid",
        ),
        (
            "a flipped proof bit",
            flagship(),
            flagship(),
            |e| {
                let mut proof = BASE64.decode(e["proof"].as_str().unwrap()).unwrap();
                let middle = proof.len() / 2;
                proof[middle] ^= 1;
                e["proof"] = json!(BASE64.encode(&proof));
            },
            "proof",
        ),
        // Whether the score reaches a threshold, on a model with three scores: refused before
        // the proof is read.
        (
            "an output the model cannot give",
            iris(),
            iris(),
            |e| {
                e["output"] = json!({"at_least": {"threshold": 0, "holds": true}});
            },
            "the output does not fit the model",
        ),
        // An iris envelope relabelled as the flagship's, under a flagship nonce.
        (
            "relabelled for another model",
            iris(),
            flagship(),
            |e| {
                e["model_id"] = json!(flagship().id().to_string());
            },
            "the proof",
        ),
    ];
    let app = service(Config::default());
    for (what, proved, challenged, tamper, message) in cases {
        let nonce = challenge(&app, challenged).await;
        let mut envelope = envelope(proved, 3, &nonce, Disclosure::Class);
        tamper(&mut envelope);
        let reply = verify(&app, &envelope).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "INVALID_PROOF"),
            "{what}: {}",
            reply.body
        );
        let text = reply.body["error"]["message"].as_str().unwrap();
        assert!(text.contains(message), "{what}: {text}");
    }
}

#[tokio::test]
async fn truncated_proofs_are_refused() {
    let app = service(Config::default());
    // A JSON envelope whose proof lost its second half: the proof does not decode.
    let nonce = challenge(&app, flagship()).await;
    let mut envelope = envelope(flagship(), 5, &nonce, Disclosure::Class);
    let proof = BASE64.decode(envelope["proof"].as_str().unwrap()).unwrap();
    envelope["proof"] = json!(BASE64.encode(&proof[..proof.len() / 2]));
    let reply = verify(&app, &envelope).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "INVALID_PROOF")
    );
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("decoded"),
        "{}",
        reply.body
    );

    // A binary envelope cut anywhere does not decode at all.
    let nonce = challenge(&app, flagship()).await;
    let json = self::envelope(flagship(), 5, &nonce, Disclosure::Class);
    let binary = Envelope::from_json(&json.to_string())
        .unwrap()
        .to_bytes()
        .unwrap();
    for cut in [0, 9, 80, binary.len() / 2, binary.len() - 1] {
        let reply = post(
            &app,
            "/v1/verify",
            "application/octet-stream",
            binary[..cut].to_vec(),
        )
        .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "BAD_ENVELOPE"),
            "cut {cut}"
        );
    }
    // A JSON envelope cut anywhere is not an envelope either.
    let text = json.to_string();
    for cut in [1, 40, text.len() / 2, text.len() - 1] {
        let reply = post(
            &app,
            "/v1/verify",
            "application/json",
            text.as_bytes()[..cut].to_vec(),
        )
        .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "BAD_ENVELOPE"),
            "cut {cut}"
        );
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("invalid JSON envelope"),
            "{}",
            reply.body
        );
    }
    // Those refusals did not spend the nonce: the whole envelope still verifies.
    let reply = post(&app, "/v1/verify", "application/octet-stream", binary).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn expired_unknown_and_foreign_nonces_are_refused() {
    let app = service(Config {
        nonce_lifetime: Duration::from_millis(300),
        ..Config::default()
    });
    let nonce = challenge(&app, flagship()).await;
    let envelope = envelope(flagship(), 1, &nonce, Disclosure::Class);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let reply = verify(&app, &envelope).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::GONE, "NONCE_EXPIRED")
    );

    // A context the service never issued, and an empty one.
    for context in ["f".repeat(64), String::new(), "not a nonce".into()] {
        let envelope = self::envelope(iris(), 0, &context, Disclosure::Class);
        let reply = verify(&app, &envelope).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "NONCE_UNKNOWN")
        );
    }

    // A nonce issued for the flagship, used by an iris proof (under a lifetime that proving
    // on a loaded machine cannot outlast).
    let app = service(Config::default());
    let nonce = challenge(&app, flagship()).await;
    let reply = verify(&app, &self::envelope(iris(), 0, &nonce, Disclosure::Class)).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "NONCE_MODEL_MISMATCH")
    );
}

#[tokio::test]
async fn unknown_models_are_refused() {
    let app = service(Config::default());
    let unknown = "ab".repeat(32);
    let reply = post_json(&app, "/v1/challenge", &json!({"model_id": unknown})).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "UNKNOWN_MODEL")
    );

    let nonce = challenge(&app, flagship()).await;
    let mut envelope = envelope(flagship(), 2, &nonce, Disclosure::Class);
    envelope["model_id"] = json!(unknown);
    let reply = verify(&app, &envelope).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "UNKNOWN_MODEL")
    );
}

#[tokio::test]
async fn bad_json_and_bad_envelopes_get_codes() {
    let app = service(Config::default());
    let id = flagship().id().to_string();
    let bad_challenges = vec![
        ("garbage", b"{not json".to_vec()),
        ("empty", Vec::new()),
        ("no model", b"{}".to_vec()),
        (
            "extra field",
            json!({"model_id": id, "x": 1}).to_string().into_bytes(),
        ),
        (
            "short id",
            json!({"model_id": "abc"}).to_string().into_bytes(),
        ),
        ("not an object", b"[1,2]".to_vec()),
    ];
    assert_refused(
        &app,
        "/v1/challenge",
        bad_challenges,
        StatusCode::BAD_REQUEST,
        "BAD_JSON",
    )
    .await;
    let reply = post(&app, "/v1/challenge", "text/plain", b"{}".to_vec()).await;
    assert_eq!(reply.code(), "UNSUPPORTED_MEDIA_TYPE");

    let edited = |field: &str, value: Value| {
        let mut e = envelope(flagship(), 0, "x", Disclosure::Class);
        e[field] = value;
        e.to_string().into_bytes()
    };
    let bad_envelopes = vec![
        ("garbage JSON", b"{\"version\": 1,".to_vec()),
        ("not an envelope", b"{\"hello\": 1}".to_vec()),
        ("bad base64", edited("proof", json!("%%%"))),
        ("version 1", edited("version", json!(1))),
        (
            "a context over 4096 bytes",
            edited("context", json!(BASE64.encode(vec![b'n'; 4097]))),
        ),
        (
            "a commitment limb beyond the field",
            edited("input_commitment", json!("ff".repeat(32))),
        ),
        ("an unknown profile", edited("profile", json!("fast"))),
        ("empty", Vec::new()),
    ];
    assert_refused(
        &app,
        "/v1/verify",
        bad_envelopes,
        StatusCode::BAD_REQUEST,
        "BAD_ENVELOPE",
    )
    .await;
    let reply = post(&app, "/v1/verify", "text/html", b"<p>".to_vec()).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE")
    );
    let reply = call(
        &app,
        Method::POST,
        "/v1/verify",
        None,
        b"ZKINFER\0".to_vec(),
    )
    .await;
    assert_eq!(reply.code(), "BAD_ENVELOPE");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = service(Config {
        max_envelope_bytes: 64 * 1024,
        ..Config::default()
    });
    let big = vec![b' '; 64 * 1024 + 1];
    for content_type in ["application/json", "application/octet-stream"] {
        let reply = post(&app, "/v1/verify", content_type, big.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
        );
    }
    let reply = post(&app, "/v1/challenge", "application/json", vec![b' '; 5000]).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
    );
    // Under the default limit (512 KiB, below the largest valid envelope), an envelope whose
    // proof is over MAX_PROOF_BYTES is refused before it is parsed.
    let app = service(Config::default());
    let mut envelope = envelope(flagship(), 0, "x", Disclosure::Class);
    envelope["proof"] = json!(BASE64.encode(vec![0; zkinfer::limits::MAX_PROOF_BYTES + 1]));
    let reply = verify(&app, &envelope).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
    );
    let reply = post(
        &app,
        "/v1/verify",
        "application/octet-stream",
        vec![0; 512 * 1024 + 1],
    )
    .await;
    assert_eq!(reply.code(), "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn open_challenges_are_bounded() {
    let app = service(Config {
        max_open_challenges: 2,
        ..Config::default()
    });
    challenge(&app, flagship()).await;
    challenge(&app, iris()).await;
    let reply = post_json(
        &app,
        "/v1/challenge",
        &json!({"model_id": flagship().id().to_string()}),
    )
    .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "BUSY")
    );
}

#[tokio::test]
async fn health_models_and_unknown_routes() {
    let app = service(Config::default());
    let reply = call(&app, Method::GET, "/v1/health", None, Vec::new()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["models"], json!(2));
    let reply = call(&app, Method::GET, "/v1/models", None, Vec::new()).await;
    let names: Vec<&str> = reply.body["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"flagship") && names.contains(&"iris"));

    let reply = call(&app, Method::GET, "/v2/anything", None, Vec::new()).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "NOT_FOUND")
    );
    let reply = call(&app, Method::GET, "/v1/verify", None, Vec::new()).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED")
    );
    let reply = call(&app, Method::DELETE, "/v1/health", None, Vec::new()).await;
    assert_eq!(reply.code(), "METHOD_NOT_ALLOWED");
}

#[test]
fn the_spec_lists_exactly_the_service_codes() {
    let documented: Vec<&str> = spec()["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap())
        .collect();
    let served: Vec<&str> = Code::ALL.iter().map(|code| code.name()).collect();
    assert_eq!(documented, served);
    // Every code's status is documented for the endpoints that can send it.
    for code in Code::ALL {
        let status = code.status();
        let listed = ["/v1/challenge", "/v1/verify"]
            .iter()
            .any(|path| spec()["paths"][path]["post"]["responses"][status.as_str()].is_object());
        assert!(
            listed,
            "{} ({status}) is listed for no endpoint",
            code.name()
        );
    }
}

/// `zkinfer serve` as a process: it prints its address, answers on it, logs one JSON object
/// per line, and on SIGTERM stops cleanly.
#[cfg(unix)]
#[test]
fn the_binary_serves_logs_and_shuts_down_gracefully() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_zkinfer"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let addr = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "serve exited early"
        );
        if let Some(addr) = line.trim().strip_prefix("listening on http://") {
            break addr.to_string();
        }
    };
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET /v1/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""status":"ok""#), "{answer}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "serve exited with {exit}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let events: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect();
    let named = |event: &str| events.iter().any(|e| e["event"] == json!(event));
    assert!(named("listening") && named("stopped"), "{logs}");
    assert!(
        events
            .iter()
            .any(|e| e["path"] == json!("/v1/health") && e["status"] == json!(200)),
        "{logs}"
    );
}
