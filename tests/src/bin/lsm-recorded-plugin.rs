//! `lsm-recorded-plugin`: a plugin executable that plays back one session recorded from the
//! reference libStorageMgmt (`../shared/wire-vectors/*.jsonl`), to test a client against the
//! reference plugin's exact replies.
//!
//! Started like any plugin, `lsm-recorded-plugin <socket fd>`, with the session file in
//! `LSM_RECORDED_SESSION`. For each request it reads, it takes the next recorded client frame
//! and checks that the request is the same JSON (key order and whitespace do not matter).
//! Job ids need no mapping here: the replies that hand them out are the recorded bytes, so a
//! correct client echoes the recorded ids.
//! On a match it answers the recorded plugin frame **byte for byte**. On a mismatch, or a
//! request past the end of the recording, it answers an error (`TRANSPORT_INVALID_ARG`, 402)
//! whose message names the request, the first differing JSON path and both values, then
//! exits with status 1. After the last recorded reply it exits 0.
//!
//! If `LSM_RECORDED_REPORT` names a file, the plugin writes one line there when it ends, so
//! a test can tell a fully played session from a client that stopped early:
//! `complete <n>/<n>`, `incomplete <k>/<n>` or `mismatch <k>/<n>: <message>`.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::process::ExitCode;

use lsm_ipc::{FrameStream, STANDARD_ID, WireError};
use serde_json::Value;

/// Environment variable naming the `.jsonl` session to play back.
const SESSION_VAR: &str = "LSM_RECORDED_SESSION";
/// Environment variable naming the file that receives the end-of-session report.
const REPORT_VAR: &str = "LSM_RECORDED_REPORT";
/// LSM `TRANSPORT_INVALID_ARG`: the request is not the recorded one.
const CODE_REQUEST_MISMATCH: i64 = 402;
/// LSM `PLUGIN_BUG`: the session file cannot be used.
const CODE_BAD_SESSION: i64 = 2;

/// One recorded request and the reply frame the reference plugin sent.
struct RecordedExchange {
    /// The request payload, parsed.
    request: Value,
    /// The whole reply frame (header and payload) exactly as recorded.
    reply_frame: Vec<u8>,
}

/// Read a `.jsonl` session: alternating `c2p` / `p2c` frames.
fn load_session(path: &str) -> Result<Vec<RecordedExchange>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read session {path}: {e}"))?;
    let mut exchanges = Vec::new();
    let mut pending_request: Option<Value> = None;
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("{path}:{}", index + 1);
        let record: Value =
            serde_json::from_str(line).map_err(|e| format!("{place}: not JSON: {e}"))?;
        let frame = record["frame"]
            .as_str()
            .ok_or_else(|| format!("{place}: no `frame` string"))?;
        let payload = frame_payload(frame).map_err(|e| format!("{place}: {e}"))?;
        match (record["dir"].as_str(), pending_request.take()) {
            (Some("c2p"), None) => {
                let request = serde_json::from_str(payload)
                    .map_err(|e| format!("{place}: request is not JSON: {e}"))?;
                pending_request = Some(request);
            }
            (Some("p2c"), Some(request)) => exchanges.push(RecordedExchange {
                request,
                reply_frame: frame.as_bytes().to_vec(),
            }),
            (dir, _) => return Err(format!("{place}: unexpected direction {dir:?} here")),
        }
    }
    if pending_request.is_some() {
        return Err(format!("{path}: the last request has no recorded reply"));
    }
    Ok(exchanges)
}

/// The payload of a recorded frame, after checking its 10-digit length header.
fn frame_payload(frame: &str) -> Result<&str, String> {
    let header = frame
        .get(..10)
        .filter(|h| h.bytes().all(|b| b.is_ascii_digit()))
        .ok_or("frame does not start with a 10-digit length")?;
    let payload = &frame[10..];
    let length: usize = header
        .parse()
        .map_err(|e| format!("bad length header {header}: {e}"))?;
    if length != payload.len() {
        return Err(format!(
            "length header says {length} bytes, payload has {}",
            payload.len()
        ));
    }
    Ok(payload)
}

/// The first place where `actual` differs from `expected`, as `path: expected X, got Y`.
/// Object key order does not matter.
fn first_difference(path: &str, expected: &Value, actual: &Value) -> Option<String> {
    match (expected, actual) {
        (Value::Object(expected_map), Value::Object(actual_map)) => {
            for (key, expected_value) in expected_map {
                let child = format!("{path}.{key}");
                match actual_map.get(key) {
                    None => return Some(format!("{child}: expected {expected_value}, missing")),
                    Some(actual_value) => {
                        if let Some(found) = first_difference(&child, expected_value, actual_value)
                        {
                            return Some(found);
                        }
                    }
                }
            }
            actual_map
                .iter()
                .find(|(key, _)| !expected_map.contains_key(*key))
                .map(|(key, value)| format!("{path}.{key}: not expected, got {value}"))
        }
        (Value::Array(expected_items), Value::Array(actual_items)) => {
            if expected_items.len() != actual_items.len() {
                return Some(format!(
                    "{path}: expected {} items {expected}, got {} items {actual}",
                    expected_items.len(),
                    actual_items.len()
                ));
            }
            expected_items
                .iter()
                .zip(actual_items)
                .enumerate()
                .find_map(|(index, (e, a))| first_difference(&format!("{path}[{index}]"), e, a))
        }
        _ if expected == actual => None,
        _ => Some(format!("{path}: expected {expected}, got {actual}")),
    }
}

/// How the playback ended.
enum Outcome {
    /// Every recorded exchange was played.
    Complete,
    /// The client closed the connection before the end of the recording.
    Incomplete,
    /// A request did not match, or came past the end; the message was sent to the client.
    Mismatch(String),
}

/// Serve the connection: play `session` back.
fn play(
    connection: &mut FrameStream<UnixStream>,
    session: &[RecordedExchange],
) -> (Outcome, usize) {
    for (played, exchange) in session.iter().enumerate() {
        let payload = match connection.read_frame() {
            Ok(Some(payload)) => payload,
            Ok(None) => return (Outcome::Incomplete, played),
            Err(e) => return (Outcome::Mismatch(format!("unreadable frame: {e}")), played),
        };
        let request = match serde_json::from_slice::<Value>(&payload) {
            Ok(request) => request,
            Err(e) => {
                let message = format!("request {} is not JSON: {e}", played + 1);
                send_error(connection, CODE_REQUEST_MISMATCH, &message);
                return (Outcome::Mismatch(message), played);
            }
        };
        if let Some(difference) = first_difference("request", &exchange.request, &request) {
            let message = format!(
                "lsm-recorded-plugin: request {} does not match the recording: {difference} \
                 (expected {}, got {})",
                played + 1,
                exchange.request,
                request
            );
            send_error(connection, CODE_REQUEST_MISMATCH, &message);
            return (Outcome::Mismatch(message), played);
        }
        let stream = connection.get_mut();
        if let Err(e) = stream
            .write_all(&exchange.reply_frame)
            .and_then(|()| stream.flush())
        {
            return (Outcome::Mismatch(format!("cannot send reply: {e}")), played);
        }
    }
    // Past the end: a well-behaved client has closed (or will) after plugin_unregister.
    match connection.read_frame() {
        Ok(Some(payload)) => {
            let message = format!(
                "lsm-recorded-plugin: request past the end of the recording ({} exchanges): {}",
                session.len(),
                String::from_utf8_lossy(&payload)
            );
            send_error(connection, CODE_REQUEST_MISMATCH, &message);
            (Outcome::Mismatch(message), session.len())
        }
        Ok(None) | Err(_) => (Outcome::Complete, session.len()),
    }
}

fn send_error(connection: &mut FrameStream<UnixStream>, code: i64, message: &str) {
    eprintln!("lsm-recorded-plugin: {message}");
    let error = WireError::new(code, message);
    match lsm_ipc::encode_error(STANDARD_ID, &error) {
        Ok(payload) => {
            if let Err(e) = connection.write_frame(&payload) {
                eprintln!("lsm-recorded-plugin: cannot send the error reply: {e}");
            }
        }
        Err(e) => eprintln!("lsm-recorded-plugin: cannot encode the error reply: {e}"),
    }
}

fn write_report(line: &str) {
    let Some(path) = std::env::var_os(REPORT_VAR) else {
        return;
    };
    if let Err(e) = std::fs::write(&path, format!("{line}\n")) {
        eprintln!(
            "lsm-recorded-plugin: cannot write report {}: {e}",
            path.to_string_lossy()
        );
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, fd_arg] = args.as_slice() else {
        eprintln!("usage: {SESSION_VAR}=<session.jsonl> lsm-recorded-plugin <socket fd>");
        return ExitCode::from(2);
    };
    let stream = match lsm_ipc::stream_from_fd_arg(fd_arg) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!("lsm-recorded-plugin: {e}");
            return ExitCode::from(2);
        }
    };
    let mut connection = FrameStream::new(stream);

    let session = match std::env::var(SESSION_VAR) {
        Ok(path) => load_session(&path),
        Err(_) => Err(format!("{SESSION_VAR} is not set to a .jsonl session file")),
    };
    let session = match session {
        Ok(session) => session,
        Err(message) => {
            // Tell the client why at its first request (normally plugin_register).
            if let Ok(Some(_)) = connection.read_frame() {
                send_error(&mut connection, CODE_BAD_SESSION, &message);
            }
            write_report(&format!("mismatch 0/0: {message}"));
            return ExitCode::from(2);
        }
    };

    let total = session.len();
    match play(&mut connection, &session) {
        (Outcome::Complete, played) => {
            write_report(&format!("complete {played}/{total}"));
            ExitCode::SUCCESS
        }
        (Outcome::Incomplete, played) => {
            write_report(&format!("incomplete {played}/{total}"));
            ExitCode::from(3)
        }
        (Outcome::Mismatch(message), played) => {
            write_report(&format!("mismatch {played}/{total}: {message}"));
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        let recorded: Value =
            serde_json::from_str(r#"{"method": "pools", "id": 100, "params": {"search_key": null, "search_value": null, "flags": 0}}"#)
                .unwrap();
        let sent: Value = serde_json::from_str(
            r#"{"id":100,"params":{"flags":0,"search_value":null,"search_key":null},"method":"pools"}"#,
        )
        .unwrap();
        assert_eq!(first_difference("request", &recorded, &sent), None);
    }

    #[test]
    fn differences_name_the_path_and_both_values() {
        let recorded =
            json!({"method": "volume_create", "params": {"size_bytes": 1073741824, "flags": 0}});
        let sent = json!({"method": "volume_create", "params": {"size_bytes": 1, "flags": 0}});
        assert_eq!(
            first_difference("request", &recorded, &sent).unwrap(),
            "request.params.size_bytes: expected 1073741824, got 1"
        );
        let extra = json!({"method": "volume_create", "params": {"size_bytes": 1073741824, "flags": 0, "x": 1}});
        assert!(
            first_difference("request", &recorded, &extra)
                .unwrap()
                .contains("params.x: not expected")
        );
        let missing = json!({"method": "volume_create", "params": {"flags": 0}});
        assert!(
            first_difference("request", &recorded, &missing)
                .unwrap()
                .contains("size_bytes: expected 1073741824, missing")
        );
        // 1 and 1.0 are different JSON: clients must send integers.
        let float =
            json!({"method": "volume_create", "params": {"size_bytes": 1073741824.0, "flags": 0}});
        assert!(first_difference("request", &recorded, &float).is_some());
    }

    #[test]
    fn every_recorded_session_loads() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire-vectors");
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                let session = load_session(path.to_str().unwrap()).unwrap();
                assert_eq!(session[0].request["method"], "plugin_register");
                count += 1;
            }
        }
        assert_eq!(count, 11);
    }

    #[test]
    fn bad_frames_are_refused_with_the_reason() {
        assert!(frame_payload("12{}").is_err());
        assert!(
            frame_payload("0000000003{}")
                .unwrap_err()
                .contains("says 3")
        );
        assert_eq!(frame_payload("0000000002{}"), Ok("{}"));
    }
}
