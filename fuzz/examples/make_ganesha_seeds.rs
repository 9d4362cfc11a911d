//! Writes the seeds of `linux_ganesha` from plugin-linux's captured nfs-ganesha replies
//! (`tests/fixtures/ganesha-*.json`: `{"type": D-Bus signature, "data": the values}`, as
//! `busctl --json` shows them): each as the target reads it, the signature on one line,
//! then the body D-Bus encoded (little endian).
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example make_ganesha_seeds -- \
//!     plugin-linux/tests/fixtures fuzz/corpus/linux_ganesha
//! ```

use serde_json::Value as Json;
use zbus::zvariant::serialized::Context;
use zbus::zvariant::{Array, LE, Signature, Structure, StructureBuilder, Value, to_bytes};

/// The end of the complete type that starts at `at` in `signature`.
fn type_end(signature: &[u8], at: usize) -> usize {
    match signature[at] {
        b'a' => type_end(signature, at + 1),
        b'(' => {
            let mut next = at + 1;
            while signature[next] != b')' {
                next = type_end(signature, next);
            }
            next + 1
        }
        _ => at + 1,
    }
}

/// The complete types of a signature, in order.
fn types(signature: &str) -> Vec<&str> {
    let bytes = signature.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = type_end(bytes, at);
        out.push(&signature[at..end]);
        at = end;
    }
    out
}

/// `json` as a D-Bus value of type `signature`.
fn value(signature: &str, json: &Json) -> Value<'static> {
    let number = || {
        json.as_i64()
            .unwrap_or_else(|| panic!("{json} is not a number"))
    };
    match signature.as_bytes()[0] {
        b'y' => Value::U8(number() as u8),
        b'b' => Value::Bool(json.as_bool().expect("a boolean")),
        b'n' => Value::I16(number() as i16),
        b'q' => Value::U16(number() as u16),
        b'i' => Value::I32(number() as i32),
        b'u' => Value::U32(number() as u32),
        b'x' => Value::I64(number()),
        b't' => Value::U64(json.as_u64().expect("an unsigned number")),
        b's' => Value::from(json.as_str().expect("a string").to_owned()),
        b'a' => {
            let element = &signature[1..];
            let mut array = Array::new(&Signature::try_from(element).expect("a signature"));
            for item in json.as_array().expect("an array") {
                array.append(value(element, item)).expect("an element");
            }
            Value::Array(array)
        }
        b'(' => Value::Structure(structure(&signature[1..signature.len() - 1], json)),
        other => panic!("no support for D-Bus type {}", other as char),
    }
}

/// `json` (an array) as a structure of the types in `signature`.
fn structure(signature: &str, json: &Json) -> Structure<'static> {
    let items = json.as_array().expect("an array of fields");
    let mut builder = StructureBuilder::new();
    for (field, item) in types(signature).into_iter().zip(items) {
        builder = builder.append_field(value(field, item));
    }
    builder.build().expect("a structure")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, fixtures, out] = args.as_slice() else {
        panic!("usage: make_ganesha_seeds FIXTURES_DIR OUT_DIR");
    };
    std::fs::create_dir_all(out).expect("the output directory");
    for entry in std::fs::read_dir(fixtures).expect("the fixtures") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !(name.starts_with("ganesha-") && name.ends_with(".json")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("the fixture");
        let fixture: Json = serde_json::from_str(&text).expect("JSON");
        let signature = fixture["type"].as_str().expect("a type");
        let body = structure(signature, &fixture["data"]);
        let encoded = to_bytes(Context::new_dbus(LE, 0), &body).expect("the body encodes");
        // Read back as the target reads it: the seed must reach the parsers' success paths.
        let data = zbus::zvariant::serialized::Data::new(&encoded[..], Context::new_dbus(LE, 0));
        let read: Structure<'_> = data
            .deserialize_for_dynamic_signature(format!("({signature})").as_str())
            .expect("the body decodes")
            .0;
        let shown = plugin_linux::ganesha::parse_show_exports(&read).map(|e| e.len());
        let displayed = plugin_linux::ganesha::parse_display_export(&read).map(|d| d.clients);
        eprintln!("{name}: ShowExports {shown:?}, DisplayExport {displayed:?}");
        let mut seed = format!("{signature}\n").into_bytes();
        seed.extend_from_slice(&encoded);
        let seed_name = name.trim_end_matches(".json");
        std::fs::write(std::path::Path::new(out).join(seed_name), seed).expect("written");
    }
}
