//! plugin-linux's reader of the mount table (`/proc/self/mounts`, octal escapes), and
//! the lookups made on it.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use plugin_linux::mounts;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let table = mounts::parse_mounts(&text);
    for entry in &table {
        let _ = entry.option("subvolid");
        assert!(mounts::mount_at(&table, &entry.target).is_some());
    }
    let _ = mounts::mount_at(&table, Path::new("/"));
});
