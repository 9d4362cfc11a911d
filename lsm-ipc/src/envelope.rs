//! JSON-RPC envelopes as LSM uses them: no `"jsonrpc"` key, an integer `id`, and
//! `params` / `result` / `error` around payloads this crate does not interpret.
//!
//! Writing is strict: exactly the keys LSM peers expect, in the order the reference writes them,
//! compact JSON, non-ASCII as raw UTF-8 (the C library cannot unescape `\u` sequences).
//! Reading is lenient: unknown keys are ignored, whitespace and key order do not matter, and the
//! error object tolerates a missing message or a non-string `data`.

use std::borrow::Cow;
use std::fmt;
use std::io::Write as _;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::{IpcError, Result};

/// The error object of an error reply: `{"code": .., "message": .., "data": ..}`.
///
/// Serializes with exactly these three keys (`data: None` as `null`), since the Python client
/// rebuilds it as `LsmError(**error)` and fails on any other key. Deserializes leniently: a
/// missing or `null` message becomes `""`, `data` may be absent, `null`, a string, or any other
/// JSON value (kept as its JSON text), and unknown keys are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireError {
    /// LSM error number (or a JSON-RPC code such as -32601 from the Python runner).
    pub code: i64,
    /// Human-readable message.
    pub message: String,
    /// Extra detail, for example a traceback; `None` is sent as `null`.
    pub data: Option<String>,
}

impl WireError {
    /// An error with no `data`.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        WireError {
            code,
            message: message.into(),
            data: None,
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "error {}: {}", self.code, self.message)
    }
}

impl<'de> Deserialize<'de> for WireError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct LenientWireError {
            code: i64,
            #[serde(default)]
            message: Option<String>,
            #[serde(default)]
            data: Option<Value>,
        }

        let lenient = LenientWireError::deserialize(deserializer)?;
        let data = match lenient.data {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text),
            Some(other) => Some(other.to_string()),
        };
        Ok(WireError {
            code: lenient.code,
            message: lenient.message.unwrap_or_default(),
            data,
        })
    }
}

/// `{"method":..,"id":..,"params":{..}}`, compact. `params` must serialize to a JSON object.
pub fn encode_request<P: Serialize + ?Sized>(method: &str, id: i64, params: &P) -> Result<Vec<u8>> {
    let mut payload = Vec::with_capacity(64 + method.len());
    payload.extend_from_slice(b"{\"method\":");
    serde_json::to_writer(&mut payload, method).map_err(encode_error_context("method"))?;
    write_bytes(&mut payload, format_args!(",\"id\":{id},\"params\":"))?;
    let params_start = payload.len();
    serde_json::to_writer(&mut payload, params).map_err(encode_error_context("params"))?;
    if payload.get(params_start) != Some(&b'{') {
        return Err(IpcError::Serialization(format!(
            "params of `{method}` must serialize to a JSON object"
        )));
    }
    payload.push(b'}');
    Ok(payload)
}

/// `{"id":..,"result":..}`, compact. The `result` key is always present, `null` included.
pub fn encode_result<R: Serialize + ?Sized>(id: i64, result: &R) -> Result<Vec<u8>> {
    let mut payload = Vec::with_capacity(64);
    write_bytes(&mut payload, format_args!("{{\"id\":{id},\"result\":"))?;
    serde_json::to_writer(&mut payload, result).map_err(encode_error_context("result"))?;
    payload.push(b'}');
    Ok(payload)
}

/// Start a whole result frame in place: header placeholder, then
/// `{"id":..,"result":`. Serialize the result into the returned buffer, then
/// call [`end_result_frame`]; the buffer is then ready for
/// `write_encoded_frame`. Large results are written once, never copied.
pub fn begin_result_frame(id: i64, capacity: usize) -> Vec<u8> {
    let mut buf = crate::frame::frame_buffer(capacity);
    // Writing into a Vec cannot fail.
    let _ = write!(buf, "{{\"id\":{id},\"result\":");
    buf
}

/// Close a frame made by [`begin_result_frame`] and fill in its header.
pub fn end_result_frame(buf: &mut Vec<u8>) -> Result<()> {
    buf.push(b'}');
    crate::frame::finish_frame(buf)
}

/// `{"id":..,"error":{"code":..,"message":..,"data":..}}`, compact.
pub fn encode_error(id: i64, error: &WireError) -> Result<Vec<u8>> {
    let mut payload = Vec::with_capacity(64 + error.message.len());
    write_bytes(&mut payload, format_args!("{{\"id\":{id},\"error\":"))?;
    serde_json::to_writer(&mut payload, error).map_err(encode_error_context("error"))?;
    payload.push(b'}');
    Ok(payload)
}

fn write_bytes(payload: &mut Vec<u8>, text: fmt::Arguments<'_>) -> Result<()> {
    payload
        .write_fmt(text)
        .map_err(|err| IpcError::Serialization(format!("cannot build envelope: {err}")))
}

fn encode_error_context(part: &'static str) -> impl Fn(serde_json::Error) -> IpcError {
    move |err| IpcError::Serialization(format!("cannot serialize {part}: {err}"))
}

/// A parsed request. `params` stays raw so the plugin side can deserialize it straight into the
/// method's typed parameters.
#[derive(Debug, Clone)]
pub struct RawRequest<'a> {
    /// Method name; borrowed from the payload unless it contained escapes.
    pub method: Cow<'a, str>,
    /// Request id (100 from both reference clients).
    pub id: i64,
    /// `params` as sent; `None` when absent or `null`. Not necessarily an object: checking that
    /// is the caller's job (LSM answers 402, `TRANSPORT_INVALID_ARG`).
    pub params: Option<&'a RawValue>,
}

/// A parsed reply: either a result (possibly the raw JSON `null`) or an error object.
#[derive(Debug, Clone)]
pub enum RawReply<'a> {
    /// A success reply.
    Result {
        /// The reply id.
        id: i64,
        /// The result as sent; `null` when the method returns nothing.
        result: &'a RawValue,
    },
    /// An error reply.
    Error {
        /// The reply id.
        id: i64,
        /// The error object.
        error: WireError,
    },
}

impl RawReply<'_> {
    /// The reply id, whichever kind of reply this is.
    pub fn id(&self) -> i64 {
        match self {
            RawReply::Result { id, .. } | RawReply::Error { id, .. } => *id,
        }
    }
}

/// The top-level keys of an envelope, each kept raw so that absence, `null` and wrong types can
/// be told apart and reported precisely. Unknown keys are ignored.
#[derive(Deserialize)]
struct EnvelopeFields<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    method: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    params: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    error: Option<&'a RawValue>,
}

/// Deserialize a key that is present as `Some(raw)`, even when its value is `null` (plain
/// `Option` would turn `null` into `None`).
fn present<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<&'de RawValue>, D::Error> {
    <&'de RawValue>::deserialize(deserializer).map(Some)
}

/// A string that borrows from the payload when it has no escapes.
#[derive(Deserialize)]
struct MaybeBorrowedStr<'a>(#[serde(borrow)] Cow<'a, str>);

fn is_null(raw: &RawValue) -> bool {
    raw.get() == "null"
}

/// Parse the top-level object of an envelope.
fn parse_envelope<'a>(payload: &'a [u8], kind: &str) -> Result<EnvelopeFields<'a>> {
    let text = std::str::from_utf8(payload)
        .map_err(|err| IpcError::Serialization(format!("{kind} is not valid UTF-8: {err}")))?;
    // Derived struct deserializers also accept JSON arrays; an envelope must be an object.
    if !text.trim_start().starts_with('{') {
        return Err(IpcError::Serialization(format!(
            "{kind} is not a JSON object"
        )));
    }
    serde_json::from_str(text)
        .map_err(|err| IpcError::Serialization(format!("{kind} is not valid JSON-RPC: {err}")))
}

fn parse_id(raw: Option<&RawValue>, kind: &str) -> Result<i64> {
    let raw = raw.ok_or_else(|| IpcError::Serialization(format!("{kind} has no `id`")))?;
    serde_json::from_str::<i64>(raw.get()).map_err(|_| {
        IpcError::Serialization(format!("{kind} `id` is not an integer: {}", raw.get()))
    })
}

/// Parse a request payload.
///
/// Errors ([`IpcError::Serialization`]) when the payload is not a JSON object, `method` is
/// missing or not a string, or `id` is missing or not an integer.
pub fn parse_request(payload: &[u8]) -> Result<RawRequest<'_>> {
    let fields = parse_envelope(payload, "request")?;
    let method_raw = fields
        .method
        .ok_or_else(|| IpcError::Serialization("request has no `method`".into()))?;
    let MaybeBorrowedStr(method) = serde_json::from_str(method_raw.get()).map_err(|_| {
        IpcError::Serialization(format!(
            "request `method` is not a string: {}",
            method_raw.get()
        ))
    })?;
    let id = parse_id(fields.id, "request")?;
    let params = fields.params.filter(|raw| !is_null(raw));
    Ok(RawRequest { method, id, params })
}

/// The `result` of a reply in the compact shape every LSM peer writes for a success,
/// `{"id":N,"result":VALUE}`, found without scanning VALUE: the bytes between the prefix and
/// the closing `}`. `None` for any other shape (spaces, other keys first, an `error`).
///
/// This is a fast path for large listings, not a parser: the caller must parse the slice as
/// exactly one JSON value, rejecting trailing bytes (as `serde_json::from_slice` does). A
/// payload such as `{"id":1,"result":null,"error":{..}}` then fails that parse, and the caller
/// goes through [`parse_reply`], which gives the full verdict.
pub fn compact_result(payload: &[u8]) -> Option<&[u8]> {
    let rest = payload.strip_prefix(br#"{"id":"#)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let rest = rest[digits..].strip_prefix(br#","result":"#)?;
    rest.strip_suffix(b"}")
}

/// Parse a reply payload.
///
/// A reply carries a `result` (which may be `null`) or a non-null `error` object. An `error`
/// of `null` counts as absent, and a `result` of `null` next to an error object is accepted
/// (JSON-RPC 1.0 style). Errors ([`IpcError::Serialization`]) when the payload is not a JSON
/// object, `id` is missing or not an integer, both or neither are present, or the error object is
/// malformed (no integer `code`).
pub fn parse_reply(payload: &[u8]) -> Result<RawReply<'_>> {
    let fields = parse_envelope(payload, "reply")?;
    let id = parse_id(fields.id, "reply")?;
    let error = fields.error.filter(|raw| !is_null(raw));
    match (fields.result, error) {
        (Some(result), None) => Ok(RawReply::Result { id, result }),
        (None, None) => Err(IpcError::Serialization(
            "reply has neither `result` nor `error`".into(),
        )),
        (Some(result), Some(_)) if !is_null(result) => Err(IpcError::Serialization(
            "reply has both `result` and `error`".into(),
        )),
        (_, Some(error)) => {
            let error = serde_json::from_str::<WireError>(error.get()).map_err(|err| {
                IpcError::Serialization(format!("reply `error` is malformed: {err}"))
            })?;
            Ok(RawReply::Error { id, error })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn compact_result_finds_the_value_of_compact_successes_only() {
        assert_eq!(
            compact_result(br#"{"id":100,"result":[1,{"a":"}"}]}"#),
            Some(&br#"[1,{"a":"}"}]"#[..])
        );
        assert_eq!(
            compact_result(br#"{"id":7,"result":null}"#),
            Some(&b"null"[..])
        );
        for other in [
            &br#"{"id": 100, "result": 1}"#[..],
            br#"{"result":1,"id":100}"#,
            br#"{"id":-1,"result":1}"#,
            br#"{"id":1,"error":{"code":1}}"#,
            br#"{"id":1,"result":1"#,
            b"",
        ] {
            assert_eq!(
                compact_result(other),
                None,
                "{}",
                String::from_utf8_lossy(other)
            );
        }
        // A reply with more keys after `result` yields a slice that is not one JSON value:
        // the caller's strict parse fails and it falls back to `parse_reply`.
        let mixed = br#"{"id":1,"result":null,"error":{"code":4,"message":"x","data":null}}"#;
        let slice = compact_result(mixed).unwrap();
        assert!(serde_json::from_slice::<serde_json::Value>(slice).is_err());
        assert!(matches!(parse_reply(mixed), Ok(RawReply::Error { .. })));
    }

    #[test]
    fn request_is_compact_with_method_id_params_order() {
        let params: BTreeMap<&str, i64> = [("flags", 0)].into();
        assert_eq!(
            text(encode_request("systems", 100, &params).unwrap()),
            r#"{"method":"systems","id":100,"params":{"flags":0}}"#
        );
    }

    #[test]
    fn request_params_must_be_an_object() {
        for bad in [
            serde_json::json!([1]),
            serde_json::json!(null),
            serde_json::json!("x"),
        ] {
            let err = encode_request("systems", 100, &bad).unwrap_err();
            assert_eq!(err.code(), 401);
        }
    }

    #[test]
    fn result_key_is_present_even_for_null() {
        assert_eq!(
            text(encode_result(100, &()).unwrap()),
            r#"{"id":100,"result":null}"#
        );
        assert_eq!(
            text(encode_result(100, &None::<i64>).unwrap()),
            r#"{"id":100,"result":null}"#
        );
        assert_eq!(
            text(encode_result(100, &("Storage simulator", "1.10.3")).unwrap()),
            r#"{"id":100,"result":["Storage simulator","1.10.3"]}"#
        );
    }

    #[test]
    fn error_has_exactly_code_message_data() {
        let error = WireError::new(205, "Volume not found");
        assert_eq!(
            text(encode_error(100, &error).unwrap()),
            r#"{"id":100,"error":{"code":205,"message":"Volume not found","data":null}}"#
        );
        let with_data = WireError {
            data: Some("trace".into()),
            ..error
        };
        assert_eq!(
            text(encode_error(7, &with_data).unwrap()),
            r#"{"id":7,"error":{"code":205,"message":"Volume not found","data":"trace"}}"#
        );
    }

    #[test]
    fn non_ascii_is_written_as_raw_utf8() {
        let payload = encode_result(100, "pool é 卷").unwrap();
        assert_eq!(text(payload), "{\"id\":100,\"result\":\"pool é 卷\"}");
    }

    #[test]
    fn parses_a_reference_request() {
        let payload = br#"{"method": "plugin_register", "id": 100, "params": {"uri": "sim://", "password": null, "timeout": 30000, "flags": 0}}"#;
        let request = parse_request(payload).unwrap();
        assert_eq!(request.method, "plugin_register");
        assert!(matches!(request.method, Cow::Borrowed(_)));
        assert_eq!(request.id, 100);
        assert_eq!(
            request.params.map(RawValue::get),
            Some(r#"{"uri": "sim://", "password": null, "timeout": 30000, "flags": 0}"#)
        );
    }

    #[test]
    fn request_params_missing_or_null_is_none_and_non_objects_are_kept() {
        let request = parse_request(br#"{"method":"m","id":1}"#).unwrap();
        assert!(request.params.is_none());
        let request = parse_request(br#"{"method":"m","id":1,"params":null}"#).unwrap();
        assert!(request.params.is_none());
        let request = parse_request(br#"{"method":"m","id":1,"params":[1,2]}"#).unwrap();
        assert_eq!(request.params.map(RawValue::get), Some("[1,2]"));
    }

    #[test]
    fn request_tolerates_extra_keys_and_escaped_method() {
        let request =
            parse_request(br#"{"jsonrpc":"2.0","id":5,"params":{},"method":"a\u0062c"}"#).unwrap();
        assert_eq!(request.method, "abc");
        assert_eq!(request.id, 5);
    }

    #[test]
    fn malformed_requests_are_serialization_errors() {
        let cases: [&[u8]; 11] = [
            b"[\"m\", 100, {}]",
            b"\"just a string\"",
            b"{\"id\":100}",
            b"{\"method\":null,\"id\":100}",
            b"{\"method\":5,\"id\":100}",
            b"{\"method\":\"m\"}",
            b"{\"method\":\"m\",\"id\":\"100\"}",
            b"{\"method\":\"m\",\"id\":1.5}",
            b"{\"method\":\"m\",\"id\":null}",
            b"{\"method\":\"m\",\"id\":100",
            b"{\"method\":\"\xff\",\"id\":100}",
        ];
        for payload in cases {
            let err = parse_request(payload).unwrap_err();
            assert_eq!(err.code(), 401, "{}: {err}", payload.escape_ascii());
        }
    }

    #[test]
    fn reply_with_null_result_is_a_result() {
        match parse_reply(br#"{"id": 100, "result": null}"#).unwrap() {
            RawReply::Result { id, result } => {
                assert_eq!(id, 100);
                assert_eq!(result.get(), "null");
            }
            other => panic!("expected a result, got {other:?}"),
        }
    }

    #[test]
    fn reply_error_is_parsed_leniently() {
        let reply = parse_reply(
            br#"{"id": 100, "error": {"code": 153, "message": "Unsupported operation", "data": null}}"#,
        )
        .unwrap();
        let RawReply::Error { id, error } = reply else {
            panic!("expected an error reply");
        };
        assert_eq!(id, 100);
        assert_eq!(error, WireError::new(153, "Unsupported operation"));

        let reply = parse_reply(
            br#"{"id":0,"result":null,"error":{"code":-32099,"data":{"x":[1]},"extra":1}}"#,
        )
        .unwrap();
        let RawReply::Error { id, error } = reply else {
            panic!("expected an error reply");
        };
        assert_eq!(id, 0);
        assert_eq!(
            error,
            WireError {
                code: -32099,
                message: String::new(),
                data: Some(r#"{"x":[1]}"#.into()),
            }
        );
    }

    #[test]
    fn reply_error_null_counts_as_absent() {
        let reply = parse_reply(br#"{"id":100,"result":[1],"error":null}"#).unwrap();
        assert!(matches!(reply, RawReply::Result { .. }));
        assert_eq!(reply.id(), 100);
    }

    #[test]
    fn malformed_replies_are_serialization_errors() {
        let cases: [&[u8]; 8] = [
            b"{\"id\":100}",
            b"{\"id\":100,\"error\":null}",
            b"{\"id\":100,\"result\":1,\"error\":{\"code\":1}}",
            b"{\"id\":100,\"error\":{\"message\":\"no code\"}}",
            b"{\"id\":100,\"error\":\"text\"}",
            b"{\"result\":null}",
            b"[100, null]",
            b"not json",
        ];
        for payload in cases {
            let err = parse_reply(payload).unwrap_err();
            assert_eq!(err.code(), 401, "{}: {err}", payload.escape_ascii());
        }
    }

    #[test]
    fn wire_error_display() {
        assert_eq!(
            WireError::new(50, "Name conflict").to_string(),
            "error 50: Name conflict"
        );
    }
}
