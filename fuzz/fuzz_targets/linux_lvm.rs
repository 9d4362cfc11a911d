//! plugin-linux's readers of LVM's JSON reports: `vgs`, `lvs` and `pvs`
//! (`--reportformat json --units b --nosuffix`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_linux::lvm;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = lvm::parse_vgs(&text);
    let _ = lvm::parse_lvs(&text);
    let _ = lvm::parse_pvs(&text);
});
