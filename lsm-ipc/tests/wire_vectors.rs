//! Golden tests against frames recorded from the reference libStorageMgmt (`shared/wire-vectors`).
//!
//! Every `c2p` frame must parse as a request and every `p2c` frame as a reply; re-encoding what
//! was parsed must give the same JSON, keys in the same order. The reference writes `", "` and
//! `": "` separators while lsm-rs writes compact JSON, so values and key order are compared, not
//! bytes; the frame header, however, is compared byte for byte.

use std::fmt;
use std::fs;
use std::path::PathBuf;

use lsm_ipc::{
    FrameStream, HEADER_LEN, RawReply, STANDARD_ID, encode_error, encode_frame, encode_request,
    encode_result, parse_header, parse_reply, parse_request,
};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// A JSON value that remembers the order of object keys (serde_json's `Value` sorts them).
#[derive(Debug, Clone, PartialEq)]
enum OrderedJson {
    Null,
    Bool(bool),
    Integer(i128),
    Float(f64),
    String(String),
    Array(Vec<OrderedJson>),
    Object(Vec<(String, OrderedJson)>),
}

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;

        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = OrderedJson;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Null)
            }
            fn visit_bool<E: de::Error>(self, value: bool) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Bool(value))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Integer(value.into()))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Integer(value.into()))
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Float(value))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<OrderedJson, E> {
                Ok(OrderedJson::String(value.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OrderedJson, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OrderedJson::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedJson, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry()? {
                    entries.push((key, value));
                }
                Ok(OrderedJson::Object(entries))
            }
        }

        deserializer.deserialize_any(OrderedVisitor)
    }
}

impl Serialize for OrderedJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrderedJson::Null => serializer.serialize_unit(),
            OrderedJson::Bool(value) => serializer.serialize_bool(*value),
            OrderedJson::Integer(value) => serializer.serialize_i128(*value),
            OrderedJson::Float(value) => serializer.serialize_f64(*value),
            OrderedJson::String(value) => serializer.serialize_str(value),
            OrderedJson::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            OrderedJson::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

fn ordered(json: &[u8]) -> OrderedJson {
    serde_json::from_slice(json).expect("valid JSON")
}

/// The reference's JSON re-written compactly, keys in their original order: what lsm-rs must
/// send for the same message, byte for byte.
fn compact(json: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&ordered(json)).expect("serializable")
}

#[derive(Deserialize)]
struct RecordedFrame {
    dir: String,
    frame: String,
}

struct Recorded {
    session: String,
    line: usize,
    direction: String,
    frame: Vec<u8>,
}

impl Recorded {
    fn payload(&self) -> &[u8] {
        &self.frame[HEADER_LEN..]
    }
    fn header(&self) -> [u8; HEADER_LEN] {
        let mut header = [0u8; HEADER_LEN];
        header.copy_from_slice(&self.frame[..HEADER_LEN]);
        header
    }
}

impl fmt::Display for Recorded {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} line {} ({})",
            self.session, self.line, self.direction
        )
    }
}

fn vectors_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LSM_WIRE_VECTORS") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire-vectors")
}

/// All recorded frames of all sessions. Fails loudly when the vectors are missing, so the golden
/// tests can never pass by testing nothing.
fn recorded_frames() -> Vec<Recorded> {
    let dir = vectors_dir();
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("wire vectors not found at {}: {err}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the 11 recorded sessions in {}",
        dir.display()
    );
    let mut frames = Vec::new();
    for file in files {
        let session = file.file_stem().unwrap().to_string_lossy().into_owned();
        for (index, line) in fs::read_to_string(&file).unwrap().lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let recorded: RecordedFrame = serde_json::from_str(line).unwrap();
            frames.push(Recorded {
                session: session.clone(),
                line: index + 1,
                direction: recorded.dir,
                frame: recorded.frame.into_bytes(),
            });
        }
    }
    frames
}

#[test]
fn every_recorded_frame_header_matches_our_encoding() {
    let frames = recorded_frames();
    assert!(frames.len() > 50);
    for recorded in &frames {
        let length = parse_header(&recorded.header(), lsm_ipc::DEFAULT_MAX_FRAME).unwrap();
        assert_eq!(length, recorded.payload().len(), "{recorded}");
        assert_eq!(
            encode_frame(recorded.payload()).unwrap(),
            recorded.frame,
            "{recorded}"
        );
    }
}

#[test]
fn a_whole_session_reads_back_frame_by_frame() {
    let frames = recorded_frames();
    let mut wire = Vec::new();
    for recorded in &frames {
        wire.extend_from_slice(&recorded.frame);
    }
    let mut stream = FrameStream::new(std::io::Cursor::new(wire));
    for recorded in &frames {
        let payload = stream.read_frame().unwrap().unwrap();
        assert_eq!(payload, recorded.payload(), "{recorded}");
    }
    assert_eq!(stream.read_frame().unwrap(), None);
}

#[test]
fn every_request_parses_and_re_encodes_to_the_same_json() {
    let frames = recorded_frames();
    let requests: Vec<&Recorded> = frames.iter().filter(|f| f.direction == "c2p").collect();
    assert!(requests.len() > 20);
    for recorded in requests {
        let request =
            parse_request(recorded.payload()).unwrap_or_else(|err| panic!("{recorded}: {err}"));
        assert_eq!(request.id, STANDARD_ID, "{recorded}");
        let params = request.params.expect("every recorded request has params");
        let params = ordered(params.get().as_bytes());
        assert!(matches!(params, OrderedJson::Object(_)), "{recorded}");

        let ours = encode_request(&request.method, request.id, &params).unwrap();
        assert_eq!(ordered(&ours), ordered(recorded.payload()), "{recorded}");
        assert_eq!(ours, compact(recorded.payload()), "{recorded}");
    }
}

#[test]
fn every_reply_parses_and_re_encodes_to_the_same_json() {
    let frames = recorded_frames();
    let replies: Vec<&Recorded> = frames.iter().filter(|f| f.direction == "p2c").collect();
    assert!(replies.len() > 20);
    let mut errors_seen = 0;
    for recorded in replies {
        let reply =
            parse_reply(recorded.payload()).unwrap_or_else(|err| panic!("{recorded}: {err}"));
        assert_eq!(reply.id(), STANDARD_ID, "{recorded}");
        let ours = match reply {
            RawReply::Result { id, result } => {
                encode_result(id, &ordered(result.get().as_bytes())).unwrap()
            }
            RawReply::Error { id, error } => {
                errors_seen += 1;
                encode_error(id, &error).unwrap()
            }
        };
        assert_eq!(ordered(&ours), ordered(recorded.payload()), "{recorded}");
        assert_eq!(ours, compact(recorded.payload()), "{recorded}");
    }
    // name conflict (50), bad search key (-32601), unknown method (153).
    assert!(
        errors_seen >= 3,
        "expected the recorded error replies, saw {errors_seen}"
    );
}

#[test]
fn recorded_error_replies_keep_code_message_and_null_data() {
    let frames = recorded_frames();
    let unknown_method = frames
        .iter()
        .filter(|f| f.session == "unknown_method" && f.direction == "p2c")
        .find_map(|f| match parse_reply(f.payload()).ok()? {
            RawReply::Error { error, .. } => Some(error),
            RawReply::Result { .. } => None,
        })
        .expect("unknown_method has an error reply");
    assert_eq!(unknown_method.code, 153);
    assert_eq!(unknown_method.message, "Unsupported operation");
    assert_eq!(unknown_method.data, None);
}

#[test]
fn plugin_register_request_matches_byte_for_byte_modulo_separators() {
    #[derive(Serialize)]
    struct Register<'a> {
        uri: &'a str,
        password: Option<&'a str>,
        timeout: u32,
        flags: u64,
    }
    let ours = encode_request(
        "plugin_register",
        STANDARD_ID,
        &Register {
            uri: "sim://",
            password: None,
            timeout: 30000,
            flags: 0,
        },
    )
    .unwrap();
    let reference = br#"{"method": "plugin_register", "id": 100, "params": {"uri": "sim://", "password": null, "timeout": 30000, "flags": 0}}"#;
    let reference_compact = String::from_utf8_lossy(reference)
        .replace(", ", ",")
        .replace(": ", ":");
    assert_eq!(String::from_utf8(ours).unwrap(), reference_compact);
}
