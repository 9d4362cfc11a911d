//! plugin-linux's readers of `tgtadm --op show` output: `--mode target` (targets, LUNs,
//! sessions, accounts, ACLs) and `--mode account`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_linux::tgt;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = tgt::parse_show_target(&text);
    let _ = tgt::parse_show_account(&text);
});
