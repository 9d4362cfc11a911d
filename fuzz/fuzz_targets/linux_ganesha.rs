//! plugin-linux's readers of nfs-ganesha's D-Bus replies (`ShowExports`,
//! `DisplayExport`), given any body of any signature.
//!
//! Input: the body's D-Bus signature on the first line (`(tt)a(qs...)`), then the body,
//! D-Bus encoded (little endian), as zbus would hand it over.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_linux::ganesha;
use zbus::zvariant::serialized::{Context, Data};
use zbus::zvariant::{LE, Signature, Structure};

fuzz_target!(|data: &[u8]| {
    let Some(newline) = data.iter().position(|byte| *byte == b'\n') else {
        return;
    };
    let Ok(signature) = std::str::from_utf8(&data[..newline]) else {
        return;
    };
    // A message body is read as one structure of its values.
    let Ok(signature) = Signature::try_from(format!("({signature})").as_str()) else {
        return;
    };
    let body = Data::new(&data[newline + 1..], Context::new_dbus(LE, 0));
    let Ok((structure, _)) = body.deserialize_for_dynamic_signature::<_, Structure<'_>>(&signature)
    else {
        return;
    };
    let _ = ganesha::parse_show_exports(&structure);
    let _ = ganesha::parse_display_export(&structure);
});
