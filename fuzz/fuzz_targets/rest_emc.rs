//! The `emc://` plugin (plugin-emc, Dell EMC Unity) with every HTTP answer from the input:
//! see `lsm_fuzz::rest` for the script format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsm_fuzz::rest::{Vendor, run};

const EMC: Vendor = Vendor {
    uri: "emc://admin@emc.fuzz.invalid",
    password: "Password123!",
};

fuzz_target!(|data: &[u8]| {
    run(plugin_emc::plugin::EmcPlugin, &EMC, data);
});
