//! The crate's private decoders, reachable by the fuzz targets in `fuzz/` (not an API:
//! hidden from the docs, no stability promise).

use serde::de::DeserializeOwned;

use crate::error::Result;

/// The client's decoding of a reply frame's payload into `R` (the compact fast path,
/// else the full envelope parse), or the LSM error it carries.
pub fn decode_reply<R: DeserializeOwned>(method: &str, payload: &[u8]) -> Result<R> {
    crate::client::decode_reply(method, payload)
}
