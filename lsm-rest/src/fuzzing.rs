//! Canned answers in place of the network, for the fuzz targets of the vendor plugins
//! (`fuzz/`, never a plugin). Built only with the `fuzzing` feature.
//!
//! With a [`Responder`] installed, every [`RestClient`](crate::RestClient) of the process
//! answers its requests from it instead of sending them: the vendor code above sees a
//! status, headers and a body exactly as if the array had sent them, and `None` is a
//! failed connection. The responder is process-wide, not per thread, because plugins send
//! some requests from scoped threads. While it is installed, clients share one HTTPS
//! client that is never used, instead of building one (a thread and the TLS roots) each.
//!
//! A [`Recorder`] is the other way round: the requests really go out and it sees every
//! answer, which is how the seed corpora of those targets are captured from
//! `lsm-arraysim`.

use std::sync::{Mutex, OnceLock};

use reqwest::Method;
use url::Url;

/// One answer of the array.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CannedAnswer {
    /// The HTTP status (100..=999).
    pub status: u16,
    /// Response headers, `(name, value)`; invalid ones are dropped.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Answers a request (method, full URL); `None` fails it as a broken connection would.
pub type Responder = Box<dyn FnMut(&Method, &Url) -> Option<CannedAnswer> + Send>;

/// Sees each request that went out and the answer it got.
pub type Recorder = Box<dyn FnMut(&Method, &Url, &CannedAnswer) + Send>;

static RESPONDER: Mutex<Option<Responder>> = Mutex::new(None);
static RECORDER: Mutex<Option<Recorder>> = Mutex::new(None);

/// Installs (or, with `None`, removes) the responder of every client in the process.
pub fn set_responder(responder: Option<Responder>) {
    *RESPONDER.lock().unwrap_or_else(|p| p.into_inner()) = responder;
}

/// Installs (or removes) the recorder of every client in the process.
pub fn set_recorder(recorder: Option<Recorder>) {
    *RECORDER.lock().unwrap_or_else(|p| p.into_inner()) = recorder;
}

/// Whether a responder is installed.
pub(crate) fn responding() -> bool {
    RESPONDER
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some()
}

/// The responder's answer: `None` when none is installed, `Some(None)` for a failed
/// connection.
pub(crate) fn answer(method: &Method, url: &Url) -> Option<Option<CannedAnswer>> {
    let mut responder = RESPONDER.lock().unwrap_or_else(|p| p.into_inner());
    responder.as_mut().map(|respond| respond(method, url))
}

/// Shows a real answer to the recorder, if one is installed.
pub(crate) fn record(method: &Method, url: &Url, answer: &CannedAnswer) {
    if let Some(record) = RECORDER.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
        record(method, url, answer);
    }
}

/// The HTTPS client of every `RestClient` while a responder answers for the network.
pub(crate) fn idle_http() -> reqwest::blocking::Client {
    static HTTP: OnceLock<reqwest::blocking::Client> = OnceLock::new();
    HTTP.get_or_init(reqwest::blocking::Client::new).clone()
}
