//! A vendor REST plugin driven with LSM requests while canned HTTP answers from the input
//! stand in for the array (`lsm_rest::fuzzing`): every status, header and body the plugin
//! parses comes from the fuzzer. The same harness serves every vendor; a vendor's target
//! names its plugin and URI ([`Vendor`]).
//!
//! An input is a script, one item per line:
//!
//! ```text
//! > volumes {"search_key":null,"search_value":null,"flags":0}
//! ~ Location: /api/storage/luns/1
//! 200 /api/storage/luns {"records":[],"num_records":0}
//! 404 * {"error":{"message":"entry doesn't exist","code":"4"}}
//! ```
//!
//! - `> METHOD [PARAMS]`: an LSM request, in order (PARAMS is JSON text, `{}` when absent),
//!   after the `plugin_register` the harness sends first;
//! - `STATUS PATH BODY`: an answer for the next request to PATH (`*`: any path). A request
//!   takes the first unused answer that fits; when none does, its connection fails;
//! - `~ NAME: VALUE`: a header of the next answer.
//!
//! Other lines are ignored. The seeds are sessions recorded from `lsm-arraysim`
//! (`cargo run --example record_rest_seeds`, see README.md).

use std::collections::VecDeque;

use lsm_core::plugin::Plugin;
use lsm_rest::fuzzing::{self, CannedAnswer};

use crate::session::{push_frame, register_frame, serve_and_check, without_registrations};

/// The call timeout the harness registers with (ms). Short, so that an input whose
/// answers make the plugin retry or poll a job ends quickly: retries and polls stop at the
/// call's deadline.
pub const TIMEOUT_MS: i64 = 100;

/// Canned answers beyond this many are ignored.
pub const MAX_ANSWERS: usize = 256;

/// What a vendor's target fixes: the URI and password its sessions register with.
#[derive(Debug, Clone, Copy)]
pub struct Vendor {
    /// `scheme://user@host[?options]`; the host is never contacted.
    pub uri: &'static str,
    /// The password of `plugin_register`.
    pub password: &'static str,
}

/// One canned answer and the path it is for (`None`: any path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedAnswer {
    /// The request path it answers, or `None` for `*`.
    pub path: Option<String>,
    /// Status, headers and body.
    pub answer: CannedAnswer,
}

/// A parsed input: LSM request payloads and canned answers, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Script {
    /// Each request's payload (`{"method":..,"id":100,"params":..}`).
    pub requests: Vec<Vec<u8>>,
    /// The answers, in the order the script gives them.
    pub answers: Vec<ScriptedAnswer>,
}

impl Script {
    /// Reads a script (see the module docs).
    pub fn parse(input: &[u8]) -> Script {
        let mut script = Script::default();
        let mut headers = Vec::new();
        for line in input.split(|byte| *byte == b'\n') {
            if let Some(request) = line.strip_prefix(b"> ") {
                if script.requests.len() < crate::session::MAX_REQUESTS {
                    script.requests.push(request_payload(request));
                }
            } else if let Some(header) = line.strip_prefix(b"~ ") {
                let header = String::from_utf8_lossy(header);
                if let Some((name, value)) = header.split_once(':') {
                    headers.push((name.trim().to_string(), value.trim().to_string()));
                }
            } else if let Some((path, status, body)) = answer_line(line)
                && script.answers.len() < MAX_ANSWERS
            {
                script.answers.push(ScriptedAnswer {
                    path,
                    answer: CannedAnswer {
                        status,
                        headers: std::mem::take(&mut headers),
                        body: body.to_vec(),
                    },
                });
            }
        }
        script
    }
}

/// `METHOD [PARAMS]` as a request payload. Built as text, so that PARAMS that is not
/// JSON still reaches the runner.
fn request_payload(line: &[u8]) -> Vec<u8> {
    let (method, params) = match line.iter().position(|byte| *byte == b' ') {
        Some(at) => (&line[..at], &line[at + 1..]),
        None => (line, &b"{}"[..]),
    };
    let mut payload = Vec::with_capacity(line.len() + 32);
    payload.extend_from_slice(b"{\"method\":\"");
    payload.extend_from_slice(method);
    payload.extend_from_slice(b"\",\"id\":100,\"params\":");
    payload.extend_from_slice(params);
    payload.push(b'}');
    payload
}

/// `STATUS PATH BODY`: the status is three digits, 100..=999.
fn answer_line(line: &[u8]) -> Option<(Option<String>, u16, &[u8])> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) || line.get(3) != Some(&b' ') {
        return None;
    }
    let status: u16 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    if status < 100 {
        return None;
    }
    let rest = &line[4..];
    let (path, body) = match rest.iter().position(|byte| *byte == b' ') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &b""[..]),
    };
    let path = match path {
        b"*" => None,
        path => Some(String::from_utf8_lossy(path).into_owned()),
    };
    Some((path, status, body))
}

/// Serves `plugin` with the requests of `input`, the array's answers taken from it too.
/// Panics (the fuzzer's crash) when a handler panics or a reply is malformed.
pub fn run<P: Plugin>(plugin: P, vendor: &Vendor, input: &[u8]) {
    let script = Script::parse(input);
    let mut answers: VecDeque<ScriptedAnswer> = script.answers.into();
    fuzzing::set_responder(Some(Box::new(move |_method, url| {
        let at = answers.iter().position(|scripted| {
            scripted
                .path
                .as_deref()
                .is_none_or(|path| path == url.path())
        })?;
        answers.remove(at).map(|scripted| scripted.answer)
    })));
    let mut requests = Vec::new();
    for payload in &script.requests {
        push_frame(&mut requests, payload);
    }
    let mut stream = register_frame(vendor.uri, Some(vendor.password), TIMEOUT_MS);
    stream.extend(without_registrations(&requests));
    push_frame(
        &mut stream,
        br#"{"method":"plugin_unregister","id":100,"params":{"flags":0}}"#,
    );
    serve_and_check(plugin, stream);
    fuzzing::set_responder(None);
}

/// A script line for one recorded answer: `STATUS PATH BODY`, the body made one line
/// (compact JSON when it is JSON), preceded by `~` lines for the headers worth keeping.
pub fn answer_to_script(path: &str, answer: &CannedAnswer) -> String {
    const SKIPPED: [&str; 6] = [
        "date",
        "content-length",
        "content-type",
        "connection",
        "server",
        "keep-alive",
    ];
    let mut text = String::new();
    for (name, value) in &answer.headers {
        if !SKIPPED.contains(&name.to_ascii_lowercase().as_str()) {
            text.push_str(&format!("~ {name}: {value}\n"));
        }
    }
    let body = match serde_json::from_slice::<serde_json::Value>(&answer.body) {
        Ok(json) => json.to_string(),
        Err(_) => String::from_utf8_lossy(&answer.body).replace(['\n', '\r'], " "),
    };
    text.push_str(&format!("{} {path} {body}\n", answer.status));
    text
}
