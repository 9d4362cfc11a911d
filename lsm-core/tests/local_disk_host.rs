//! The local-disk API on this host's real sysfs, with a loop device made by
//! the test (root only: CI runs as root; without root the test fails and
//! says why).

use std::process::Command;

use lsm_core::ErrorNumber;
use lsm_core::local_disk::LocalDisks;

struct LoopDevice(String);

impl Drop for LoopDevice {
    fn drop(&mut self) {
        let _ = Command::new("losetup").args(["-d", &self.0]).status();
    }
}

#[test]
fn a_loop_device_is_listed_with_honest_no_support() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "this test attaches a loop device and needs root (CI runs as root)"
    );
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("disk.img");
    std::fs::File::create(&image)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let out = Command::new("losetup")
        .args(["-f", "--show"])
        .arg(&image)
        .output()
        .expect("losetup (util-linux) must be installed");
    assert!(
        out.status.success(),
        "losetup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dev = LoopDevice(String::from_utf8_lossy(&out.stdout).trim().to_string());
    let disks = LocalDisks::default();
    let listed = disks.list().unwrap();
    assert!(listed.contains(&dev.0), "{} not in {listed:?}", dev.0);
    let info = disks.info(&dev.0).unwrap();
    assert_eq!(info.vpd83, "");
    assert_eq!(info.link_type, None);
    assert_eq!(info.health_status, None);
    let e = disks.ident_led_on(&dev.0).unwrap_err();
    assert_eq!(e.code, ErrorNumber::NO_SUPPORT);
    let e = disks.link_type_get(&dev.0).unwrap_err();
    assert!(e.message.contains("virtual"), "{e}");
}
