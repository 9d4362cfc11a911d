//! The `nstor://` plugin (plugin-nexenta) with every HTTP answer from the input: see
//! `lsm_fuzz::rest` for the script format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsm_fuzz::rest::{Vendor, run};

const NSTOR: Vendor = Vendor {
    uri: "nstor://admin@nstor.fuzz.invalid",
    password: "Nexenta@1",
};

fuzz_target!(|data: &[u8]| {
    run(plugin_nexenta::plugin::NstorPlugin, &NSTOR, data);
});
