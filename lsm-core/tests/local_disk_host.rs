//! The local-disk API on this host's real sysfs, with a loop device made by
//! the test (root only: CI runs as root; without root the test fails and
//! says why).

use lsm_core::ErrorNumber;
use lsm_core::local_disk::LocalDisks;
use lsm_test_support::{LoopDevice, require_root};

#[test]
fn a_loop_device_is_listed_with_honest_no_support() {
    require_root(
        "a_loop_device_is_listed_with_honest_no_support",
        "attaching a loop device",
    );
    let dev = LoopDevice::new(64 << 20);
    let dev_path = &dev.path().to_string();
    let disks = LocalDisks::default();
    let listed = disks.list().unwrap();
    assert!(listed.contains(dev_path), "{dev_path} not in {listed:?}");
    let info = disks.info(dev_path).unwrap();
    assert_eq!(info.vpd83, "");
    assert_eq!(info.link_type, None);
    assert_eq!(info.health_status, None);
    let e = disks.ident_led_on(dev_path).unwrap_err();
    assert_eq!(e.code, ErrorNumber::NO_SUPPORT);
    let e = disks.link_type_get(dev_path).unwrap_err();
    assert!(e.message.contains("virtual"), "{e}");
}
