//! A plugin session written as text, and the plugin runner driven with it in process.
//!
//! Each line of a session is one request payload, framed by the harness (so mutations of
//! the JSON are not lost to a wrong length); a line that starts with `!` goes on the
//! stream as it is, for headers and frames that are broken on purpose. Empty lines are
//! skipped. The runner ([`lsm_core::plugin::serve`]) reads the frames from a
//! [`ScriptedStream`], and what it writes back must be well-formed replies.

use lsm_core::plugin::{Plugin, SessionEnd, serve};
use lsm_ipc::{FrameStream, RawReply, STANDARD_ID};

use crate::stream::ScriptedStream;

/// Requests of one input beyond this many are ignored (a bound on the time one input
/// takes).
pub const MAX_REQUESTS: usize = 64;

/// The frames of a session written as text (see the module docs).
pub fn frames_of(text: &[u8]) -> Vec<u8> {
    let mut stream = Vec::with_capacity(text.len() + 16 * 10);
    for line in text
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .take(MAX_REQUESTS)
    {
        match line.strip_prefix(b"!") {
            Some(raw) => stream.extend_from_slice(raw),
            None => push_frame(&mut stream, line),
        }
    }
    stream
}

/// Appends one frame holding `payload` (not empty).
pub fn push_frame(stream: &mut Vec<u8>, payload: &[u8]) {
    stream.extend_from_slice(format!("{:010}", payload.len()).as_bytes());
    stream.extend_from_slice(payload);
}

/// The `plugin_register` frame a session starts with.
pub fn register_frame(uri: &str, password: Option<&str>, timeout_ms: i64) -> Vec<u8> {
    let payload = serde_json::json!({
        "method": "plugin_register",
        "id": STANDARD_ID,
        "params": {"uri": uri, "password": password, "timeout": timeout_ms, "flags": 0},
    });
    let mut frame = Vec::new();
    push_frame(&mut frame, payload.to_string().as_bytes());
    frame
}

/// Serves `plugin` on a stream holding `input`, then checks what it wrote: a sequence of
/// complete frames, each a reply with the standard id. Panics (the fuzzer's crash) when a
/// handler panicked or a reply is malformed.
pub fn serve_and_check<P: Plugin>(plugin: P, input: Vec<u8>) -> SessionEnd {
    let mut stream = ScriptedStream::new(input);
    let end = serve(plugin, &mut stream);
    assert_ne!(end, SessionEnd::Panicked, "a plugin handler panicked");
    check_replies(stream.written());
    end
}

/// Every frame in `written` is a JSON-RPC reply with id 100, and nothing trails the last.
pub fn check_replies(written: &[u8]) {
    let mut replies = FrameStream::new(ScriptedStream::new(written.to_vec()));
    loop {
        match replies.read_frame() {
            Ok(Some(payload)) => match lsm_ipc::parse_reply(&payload) {
                Ok(reply) => assert_eq!(reply.id(), STANDARD_ID, "reply id"),
                Err(error) => panic!(
                    "the runner wrote a malformed reply ({error}): {}",
                    String::from_utf8_lossy(&payload)
                ),
            },
            Ok(None) => return,
            Err(error) => panic!("the runner wrote a broken frame: {error}"),
        }
    }
}

/// The error code of a reply payload, if it is an error reply.
pub fn error_code(payload: &[u8]) -> Option<i64> {
    match lsm_ipc::parse_reply(payload).ok()? {
        RawReply::Error { error, .. } => Some(error.code),
        RawReply::Result { .. } => None,
    }
}

/// `stream` without its `plugin_register` requests, so that an input cannot register on
/// a state file or an array of its choosing; bytes from the first frame that does not
/// read are kept as they are (the runner stops there too).
pub fn without_registrations(stream: &[u8]) -> Vec<u8> {
    let mut frames = FrameStream::new(ScriptedStream::new(stream.to_vec()));
    let mut kept = Vec::with_capacity(stream.len());
    let mut offset = 0;
    loop {
        match frames.read_frame() {
            Ok(Some(payload)) => {
                offset += lsm_ipc::HEADER_LEN + payload.len();
                let registers = lsm_ipc::parse_request(&payload)
                    .is_ok_and(|request| request.method == "plugin_register");
                if !registers {
                    push_frame(&mut kept, &payload);
                }
            }
            Ok(None) => return kept,
            Err(_) => {
                kept.extend_from_slice(&stream[offset..]);
                return kept;
            }
        }
    }
}
