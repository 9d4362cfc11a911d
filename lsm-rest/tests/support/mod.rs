//! An in-test HTTPS array: a CA and a server certificate it signed (rcgen, written to a
//! temp dir), a hyper server over tokio-rustls that counts accepted connections and answers
//! with a test's handler, and raw TCP peers that never answer or drop the connection.

#![allow(dead_code)]

use std::convert::Infallible;
use std::io::Read;
use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderMap;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use tokio::io::AsyncReadExt;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA (its PEM at `ca_path`) and a server config whose certificate (for `localhost` and
/// `127.0.0.1`) it signed.
pub struct TestCert {
    _dir: tempfile::TempDir,
    pub ca_path: PathBuf,
    server_config: Arc<rustls::ServerConfig>,
}

pub fn test_cert() -> TestCert {
    test_cert_for(&["localhost", "127.0.0.1"])
}

/// A CA and a server certificate it signed for these names.
pub fn test_cert_for(names: &[&str]) -> TestCert {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "lsm-rest test CA");
    let ca_key = KeyPair::generate().expect("CA key");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA cert");

    let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    let leaf_params = CertificateParams::new(names).expect("leaf params");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .expect("leaf cert");

    let dir = tempfile::tempdir().expect("temp dir");
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, ca_cert.pem()).expect("write ca.pem");

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .expect("server config");
    TestCert {
        _dir: dir,
        ca_path,
        server_config: Arc::new(server_config),
    }
}

/// What the server received.
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// What the server answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// An HTTPS server on 127.0.0.1; stopped on drop.
pub struct TestServer {
    pub port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TestServer {
    /// Serves every request with `handler` (HTTP/1.1, keep-alive).
    pub fn https(
        cert: &TestCert,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        Self::start(cert, Some(Arc::new(handler)))
    }

    /// Completes the TLS handshake, reads once, then drops the connection.
    pub fn tls_then_drop(cert: &TestCert) -> TestServer {
        Self::start(cert, None)
    }

    fn start(cert: &TestCert, handler: Option<Handler>) -> TestServer {
        let listener = StdListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let acceptor = TlsAcceptor::from(cert.server_config.clone());
        let (counted, served) = (connections.clone(), requests.clone());
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                let handler = handler.clone();
                let served = served.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Some(handler) = handler else {
                        let mut buffer = [0u8; 64];
                        let _ = tls.read(&mut buffer).await;
                        return; // dropped mid-request
                    };
                    let service = service_fn(move |request: hyper::Request<Incoming>| {
                        let handler = handler.clone();
                        let served = served.clone();
                        async move {
                            served.fetch_add(1, Ordering::SeqCst);
                            let (parts, body) = request.into_parts();
                            let body = match body.collect().await {
                                Ok(collected) => collected.to_bytes().to_vec(),
                                Err(_) => Vec::new(),
                            };
                            let seen = Seen {
                                method: parts.method.to_string(),
                                path: parts
                                    .uri
                                    .path_and_query()
                                    .map(|pq| pq.to_string())
                                    .unwrap_or_default(),
                                headers: parts.headers,
                                body,
                            };
                            let reply = handler(&seen);
                            let mut response = hyper::Response::builder().status(reply.status);
                            for (name, value) in &reply.headers {
                                response = response.header(name, value);
                            }
                            let response = response
                                .body(Full::new(Bytes::from(reply.body)))
                                .expect("response");
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        TestServer {
            port,
            connections,
            requests,
            runtime: Some(runtime),
        }
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// HTTP requests served so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A listener that never accepts: connections complete in the backlog and never get an
/// answer.
pub fn silent_listener() -> (StdListener, u16) {
    let listener = StdListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    (listener, port)
}

/// A peer that accepts, reads the TLS client hello, and closes.
pub fn dropping_peer() -> u16 {
    let listener = StdListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buffer = [0u8; 16];
            let _ = stream.read(&mut buffer);
            drop(stream);
        }
    });
    port
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = StdListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
