//! plugin-linux's readers of `btrfs` output: `filesystem usage -b`, `subvolume list`,
//! `subvolume show`, `qgroup show`, `filesystem show`, and the btrfs mounts of a mount
//! table. Every reader gets every input (the seeds are captured outputs of each).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use plugin_linux::btrfs;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = btrfs::parse_filesystem_usage(&text);
    for entry in btrfs::parse_subvolume_list(&text) {
        let _ = btrfs::subvolume_path(Path::new("/mnt/pool"), &entry.path);
    }
    let _ = btrfs::parse_subvolume_show(&text);
    let _ = btrfs::parse_qgroup_show(&text);
    if let Some(uuid) = btrfs::parse_filesystem_show_uuid(&text) {
        assert_eq!(uuid.len(), 36);
    }
    let _ = btrfs::mount_point_in(&text, Path::new("/dev/loop0"));
});
