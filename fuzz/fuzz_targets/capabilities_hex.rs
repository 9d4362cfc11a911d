//! The capability string parser (`Capabilities::from_hex`), and the `Capabilities` object
//! that carries it. A string that parses prints back as itself, in lowercase.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsm_core::{Capabilities, Capability, ErrorNumber};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Capabilities::from_hex(text) {
        Ok(caps) => {
            assert_eq!(caps.to_hex(), text.to_ascii_lowercase());
            assert_eq!(caps.as_bytes().len() * 2, text.len());
            for (cap, _, supported) in caps.iter() {
                assert_eq!(caps.supported(cap), supported);
            }
            let mut changed = caps.clone();
            changed.set(Capability::VOLUMES, true);
            assert!(changed.supported(Capability::VOLUMES));
            let json = serde_json::json!({"class": "Capabilities", "cap": text});
            let read: Capabilities =
                serde_json::from_value(json).expect("a string from_hex takes is a valid object");
            assert_eq!(read, caps);
        }
        Err(error) => assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT),
    }
});
