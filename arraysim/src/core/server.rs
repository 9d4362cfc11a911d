//! The HTTPS server: accepts TLS connections, counts each request, applies
//! faults, checks Basic auth, and hands the request to the vendor's router.
//! `/_arraysim/...` is the simulator's own admin API (no auth, no faults):
//! `GET stats`, `GET|POST|DELETE faults`, `GET|DELETE sessions`, `GET|POST clock`,
//! `POST jobs/finish`. SIGTERM or SIGINT stop it cleanly.

use std::future::Future as _;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode, header};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use super::auth::Credentials;
use super::faults::{Fault, Faults};
use super::stats::Stats;
use super::time;

/// Marks a request whose job must fail (`job=failure` fault); vendor
/// handlers look for it in the request extensions.
#[derive(Debug, Clone, Copy)]
pub struct InjectedJobFailure;

/// What a vendor module gives the server.
pub struct VendorService {
    /// Routes under the vendor's own paths.
    pub router: Router,
    /// The vendor's error body for an injected status.
    pub error_response: fn(StatusCode, &str) -> Response<Body>,
    /// `GET|DELETE /_arraysim/sessions`: the vendor's login sessions; `None` for vendors
    /// without sessions.
    pub sessions: Option<SessionsAdmin>,
}

/// The admin API's view of a vendor's login sessions.
pub struct SessionsAdmin {
    /// `GET /_arraysim/sessions`: the open sessions with their secrets (cookie and CSRF
    /// token, or bearer token), so tests can check a client never shows them.
    pub report: Arc<dyn Fn() -> Value + Send + Sync>,
    /// `DELETE /_arraysim/sessions`: ends every session now (the client's next request
    /// is refused as with an expired one); how many there were.
    pub end_all: Arc<dyn Fn() -> usize + Send + Sync>,
}

/// Who checks the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthPolicy {
    /// The server: every vendor request needs HTTP Basic auth (ONTAP).
    #[default]
    Basic,
    /// The vendor's router: the server puts the [`Credentials`] in the
    /// request's extensions and lets every request through (sessions,
    /// cookies, bearer tokens, unauthenticated endpoints: NexentaStor, Unity).
    Vendor,
}

/// Server settings.
pub struct ServerConfig {
    /// `HOST:PORT` to bind (port 0: any free one).
    pub listen: String,
    /// TLS configuration.
    pub tls: Arc<rustls::ServerConfig>,
    /// The account.
    pub credentials: Credentials,
    /// Faults active from the start.
    pub faults: Vec<Fault>,
    /// Who checks the account.
    pub auth: AuthPolicy,
}

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Binding or accepting.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The service's answer to a `reset` fault: hyper closes the connection
/// without writing a response.
#[derive(Debug, thiserror::Error)]
#[error("connection reset by an injected fault")]
struct ResetConnection;

struct Context {
    vendor: VendorService,
    credentials: Credentials,
    auth: AuthPolicy,
    faults: Faults,
    stats: Stats,
}

/// Serve until SIGTERM/SIGINT. Prints `listening on https://HOST:PORT` as
/// the first line of stdout once the socket accepts connections.
pub async fn serve(config: ServerConfig, vendor: VendorService) -> Result<(), ServerError> {
    let listener = TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    let host = config
        .listen
        .rsplit_once(':')
        .map(|(h, _)| h.to_string())
        .unwrap_or_else(|| addr.ip().to_string());
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on https://{host}:{}", addr.port())?;
        out.flush()?;
    }
    let acceptor = TlsAcceptor::from(config.tls);
    let ctx = Arc::new(Context {
        vendor,
        credentials: config.credentials,
        auth: config.auth,
        faults: Faults::new(config.faults),
        stats: Stats::default(),
    });
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    continue;
                }
            },
            _ = term.recv() => break,
            _ = int.recv() => break,
        };
        // Answers go out as soon as they are written: without this, the
        // second TLS record of an answer (or of the handshake) could wait
        // for the client's delayed ACK (Nagle), up to 40 ms.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY for {peer}: {e}");
        }
        let acceptor = acceptor.clone();
        let ctx = Arc::clone(&ctx);
        tokio::spawn(async move {
            let tls =
                match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(e)) => {
                        tracing::debug!("TLS handshake with {peer}: {e}");
                        return;
                    }
                    Err(_) => return,
                };
            let service = hyper::service::service_fn(move |req| handle(Arc::clone(&ctx), req));
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await
            {
                tracing::debug!("connection from {peer}: {e}");
            }
        });
    }
    tracing::info!("stopping on signal");
    Ok(())
}

async fn handle(
    ctx: Arc<Context>,
    mut req: Request<Incoming>,
) -> Result<Response<Body>, ResetConnection> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    if let Some(admin) = path.strip_prefix("/_arraysim/") {
        let admin = admin.to_string();
        return Ok(admin_request(&ctx, req, &admin).await);
    }
    tracing::debug!("{method} {}", req.uri());
    ctx.stats.count(&method, &path);
    let action = ctx.faults.take(&method, &path);
    if !action.latency.is_zero() {
        tokio::time::sleep(action.latency).await;
    }
    if action.reset {
        return Err(ResetConnection);
    }
    if let Some(status) = action.status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Ok((ctx.vendor.error_response)(status, "injected fault"));
    }
    match ctx.auth {
        AuthPolicy::Basic => {
            if !ctx.credentials.accepts(req.headers()) {
                return Ok(unauthorized());
            }
        }
        AuthPolicy::Vendor => {
            req.extensions_mut().insert(ctx.credentials.clone());
        }
    }
    if action.job_failure {
        req.extensions_mut().insert(InjectedJobFailure);
    }
    let routed = ctx.vendor.router.clone().oneshot(req.map(Body::new));
    let routed = match action.job_ms {
        Some(ms) => time::with_job_step(Duration::from_millis(ms), routed).await,
        None => routed.await,
    };
    let resp = match routed {
        Ok(r) => r,
        Err(never) => match never {},
    };
    Ok(if action.truncate {
        truncated(resp).await
    } else if action.garbage {
        garbled(resp)
    } else {
        resp
    })
}

/// What a `garbage` fault answers instead of the body: an HTML error page
/// of a proxy, with a byte that is not UTF-8, under the answer's own status
/// and content type.
const GARBAGE_BODY: &[u8] =
    b"<html><head><title>502 Proxy Error</title></head>\xff<body>garbage: not JSON</body>";

/// `resp` with its body replaced by [`GARBAGE_BODY`].
fn garbled(resp: Response<Body>) -> Response<Body> {
    let (mut parts, _) = resp.into_parts();
    parts.headers.insert(
        header::CONTENT_LENGTH,
        header::HeaderValue::from(GARBAGE_BODY.len()),
    );
    Response::from_parts(parts, Body::from(GARBAGE_BODY))
}

/// `resp` announcing its whole body (at least one byte) but sending only
/// the first half of it, after which the connection closes.
async fn truncated(resp: Response<Body>) -> Response<Body> {
    let (mut parts, body) = resp.into_parts();
    let whole = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => hyper::body::Bytes::new(),
    };
    let announced = whole.len().max(1);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, header::HeaderValue::from(announced));
    let sent = whole.slice(..whole.len() / 2);
    let cut = CutShort {
        sent: Some(sent),
        pause: Box::pin(tokio::time::sleep(CUT_SHORT_PAUSE)),
    };
    Response::from_parts(parts, Body::new(cut))
}

/// How long a cut-short body waits after its bytes before it fails: hyper
/// writes out what it has while the body is pending (failing at once, it
/// would drop the unwritten answer and the client would see no answer).
const CUT_SHORT_PAUSE: Duration = Duration::from_millis(50);

/// A body that yields its bytes, pauses, then fails, so that hyper closes
/// the connection short of the announced length.
struct CutShort {
    sent: Option<hyper::body::Bytes>,
    pause: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl hyper::body::Body for CutShort {
    type Data = hyper::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        if let Some(bytes) = self.sent.take() {
            return std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(bytes))));
        }
        std::task::ready!(self.pause.as_mut().poll(cx));
        std::task::Poll::Ready(Some(Err(std::io::Error::other(
            "body cut short by an injected fault",
        ))))
    }
}

fn unauthorized() -> Response<Body> {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::UNAUTHORIZED;
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Basic realm=\"lsm-arraysim\""),
    );
    resp
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    resp
}

async fn admin_request(ctx: &Context, req: Request<Incoming>, what: &str) -> Response<Body> {
    let method = req.method().clone();
    match (what, method) {
        ("stats", Method::GET) => json_response(StatusCode::OK, &ctx.stats.to_json()),
        ("faults", Method::GET) => {
            json_response(StatusCode::OK, &json!({"faults": ctx.faults.list()}))
        }
        ("faults", Method::DELETE) => {
            let removed = ctx.faults.list().len();
            ctx.faults.clear();
            json_response(StatusCode::OK, &json!({"removed": removed}))
        }
        ("faults", Method::POST) => match add_faults(ctx, req).await {
            Ok(()) => json_response(StatusCode::CREATED, &json!({"faults": ctx.faults.list()})),
            Err(message) => json_response(StatusCode::BAD_REQUEST, &json!({"error": message})),
        },
        ("sessions", Method::GET) => match &ctx.vendor.sessions {
            Some(admin) => json_response(StatusCode::OK, &json!({"sessions": (admin.report)()})),
            None => json_response(StatusCode::OK, &json!({"sessions": []})),
        },
        ("sessions", Method::DELETE) => {
            let ended = ctx
                .vendor
                .sessions
                .as_ref()
                .map_or(0, |admin| (admin.end_all)());
            json_response(StatusCode::OK, &json!({"ended": ended}))
        }
        ("clock", Method::GET) => json_response(StatusCode::OK, &clock_json()),
        ("clock", Method::POST) => match advance_clock(req).await {
            Ok(()) => json_response(StatusCode::OK, &clock_json()),
            Err(message) => json_response(StatusCode::BAD_REQUEST, &json!({"error": message})),
        },
        ("jobs/finish", Method::POST) => {
            time::release_jobs();
            json_response(StatusCode::OK, &json!({"released": true}))
        }
        ("stats" | "faults" | "sessions" | "clock" | "jobs/finish", _) => json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"error": "method not allowed"}),
        ),
        _ => json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": "no such admin endpoint"}),
        ),
    }
}

/// `{"offset_ms": N, "now": ISO-8601}`: how far the clock was moved on, and its now.
fn clock_json() -> Value {
    json!({"offset_ms": time::offset_ms(), "now": time::now_iso8601()})
}

/// Body: `{"advance_ms": N}` (N ≥ 0): moves the simulator's clock on by N ms.
async fn advance_clock(req: Request<Incoming>) -> Result<(), String> {
    let by = json_u64(req, "advance_ms").await?;
    time::advance(Duration::from_millis(by));
    Ok(())
}

/// The non-negative integer `key` of a JSON object body.
async fn json_u64(req: Request<Incoming>, key: &str) -> Result<u64, String> {
    let bytes = req
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let body: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("body is not JSON: {e}"))?;
    body.get(key)
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("expected {{\"{key}\": N}}, N a non-negative integer"))
}

/// Body: `{"spec": "GLOB:..."}`, `{"specs": [...]}` or a JSON string.
async fn add_faults(ctx: &Context, req: Request<Incoming>) -> Result<(), String> {
    let bytes = req
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let body: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("body is not JSON: {e}"))?;
    let specs: Vec<String> = match &body {
        Value::String(s) => vec![s.clone()],
        Value::Object(map) => match (map.get("spec"), map.get("specs")) {
            (Some(Value::String(s)), _) => vec![s.clone()],
            (_, Some(Value::Array(items))) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or("specs must be strings")
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("expected {\"spec\": \"GLOB:...\"}".into()),
        },
        _ => return Err("expected {\"spec\": \"GLOB:...\"}".into()),
    };
    let faults = specs
        .iter()
        .map(|s| s.parse::<Fault>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    for fault in faults {
        ctx.faults.add(fault);
    }
    Ok(())
}
