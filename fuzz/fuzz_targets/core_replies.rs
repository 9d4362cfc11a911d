//! `lsm-core`'s client side: a reply payload decoded as the result of every method shape
//! (every data class, listings, job answers, the array-shaped results), and any JSON as
//! each data class. What decodes must encode and decode back to the same value.
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use lsm_core::fuzzing::decode_reply;
use lsm_core::types::*;
use lsm_core::{
    Capabilities, JobReport, PoolMemberInfo, RaidCreateCap, VolumeCacheInfo, VolumeRaidInfo,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `payload` as a reply carrying `T`; what decodes round-trips through JSON.
fn reply_as<T: Serialize + DeserializeOwned + PartialEq + Debug>(payload: &[u8]) {
    if let Ok(value) = decode_reply::<T>("fuzz", payload) {
        round_trip(&value);
    }
}

/// Decodes `text` as a `T`; what decodes round-trips.
fn object_as<T: Serialize + DeserializeOwned + PartialEq + Debug>(text: &str) {
    if let Ok(value) = serde_json::from_str::<T>(text) {
        round_trip(&value);
    }
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let text = serde_json::to_string(value).expect("a decoded value encodes");
    let again: T = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{text} does not decode back: {error}"));
    assert_eq!(&again, value, "{text} decodes to another value");
}

/// Every data class, and any of them (`LsmObject`).
fn objects(text: &str) {
    object_as::<System>(text);
    object_as::<Pool>(text);
    object_as::<Volume>(text);
    object_as::<Disk>(text);
    object_as::<AccessGroup>(text);
    object_as::<TargetPort>(text);
    object_as::<FileSystem>(text);
    object_as::<FsSnapshot>(text);
    object_as::<NfsExport>(text);
    object_as::<Battery>(text);
    object_as::<BlockRange>(text);
    object_as::<Capabilities>(text);
    object_as::<LsmObject>(text);
}

fuzz_target!(|data: &[u8]| {
    // Listings.
    reply_as::<Vec<System>>(data);
    reply_as::<Vec<Pool>>(data);
    reply_as::<Vec<Volume>>(data);
    reply_as::<Vec<Disk>>(data);
    reply_as::<Vec<AccessGroup>>(data);
    reply_as::<Vec<TargetPort>>(data);
    reply_as::<Vec<FileSystem>>(data);
    reply_as::<Vec<FsSnapshot>>(data);
    reply_as::<Vec<NfsExport>>(data);
    reply_as::<Vec<Battery>>(data);
    reply_as::<Vec<String>>(data);
    // Single answers and async answers (`[job|null, object|null]`, `job|null`).
    reply_as::<Capabilities>(data);
    reply_as::<JobReport>(data);
    reply_as::<(Option<String>, Option<Volume>)>(data);
    reply_as::<(Option<String>, Option<FileSystem>)>(data);
    reply_as::<(Option<String>, Option<FsSnapshot>)>(data);
    reply_as::<Option<String>>(data);
    reply_as::<NfsExport>(data);
    reply_as::<AccessGroup>(data);
    reply_as::<(String, String)>(data);
    reply_as::<i64>(data);
    reply_as::<bool>(data);
    // Results that travel as arrays.
    reply_as::<VolumeRaidInfo>(data);
    reply_as::<PoolMemberInfo>(data);
    reply_as::<RaidCreateCap>(data);
    reply_as::<VolumeCacheInfo>(data);
    // The payload itself as a data class (a job's item, a params object's member).
    if let Ok(text) = std::str::from_utf8(data) {
        objects(text);
    }
});
