//! The LSM URI parser (`Uri::parse`), and what is built from a URI: the HTTPS base URL
//! and options of a REST plugin (`lsm_rest::RestConfig::from_uri`).
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use lsm_core::{ErrorNumber, Uri};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let uri = match Uri::parse(text) {
        Ok(uri) => uri,
        Err(error) => {
            assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT);
            return;
        }
    };
    assert_eq!(uri.as_str(), text);
    assert_eq!(uri.to_string(), text);
    assert!(uri.scheme.starts_with(uri.plugin_name()));
    assert!(uri.host.as_ref().is_none_or(|host| !host.is_empty()));
    assert!(uri.username.as_ref().is_none_or(|user| !user.contains(':')));
    for (key, value) in &uri.query {
        assert!(uri.query_param(key).is_some(), "{key}={value} is not found");
    }
    // `ca_cert=PATH` reads a file: not from a fuzz input.
    if uri.query_param("ca_cert").is_none() {
        match lsm_rest::RestConfig::from_uri(&uri, Some("pw"), Duration::from_secs(1), 443) {
            Ok(config) => assert_eq!(config.base_url.scheme(), "https"),
            Err(error) => assert_eq!(error.error_number(), ErrorNumber::INVALID_ARGUMENT),
        }
    }
});
