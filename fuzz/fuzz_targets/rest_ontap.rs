//! The `ontap://` plugin (plugin-netapp) with every HTTP answer from the input: see
//! `lsm_fuzz::rest` for the script format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsm_fuzz::rest::{Vendor, run};

const ONTAP: Vendor = Vendor {
    uri: "ontap://admin@ontap.fuzz.invalid",
    password: "netapp1!",
};

fuzz_target!(|data: &[u8]| {
    run(plugin_netapp::plugin::OntapPlugin, &ONTAP, data);
});
