//! `local-disk-*` / `local-led-slot-*` against this host (root: CI is root;
//! without root the test fails and says why).

use std::process::Command;

use lsm_test_support::{LoopDevice, require_root};

fn lsmcli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lsmcli"))
        .args(args)
        .env_remove("LSMCLI_URI")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn local_disk_commands_on_a_loop_device() {
    require_root(
        "local_disk_commands_on_a_loop_device",
        "attaching a loop device",
    );
    let dev = LoopDevice::new(32 << 20);
    let dev_path = dev.path();

    let (rc, stdout, _) = lsmcli(&["local-disk-list", "-t", ","]);
    assert_eq!(rc, 0);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(&format!("{dev_path},"))),
        "{stdout}"
    );

    let (rc, stdout, _) = lsmcli(&["local-disk-list", "--json"]);
    assert_eq!(rc, 0);
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["path"] == dev_path)
    );

    for cmd in ["local-disk-ident-led-on", "local-disk-fault-led-off"] {
        let (rc, _, stderr) = lsmcli(&[cmd, "--path", dev_path]);
        assert_eq!(rc, 4, "{cmd}: {stderr}");
        assert!(stderr.starts_with("NO_SUPPORT(153): "), "{stderr}");
        assert!(stderr.contains("enclosure"), "{stderr}");
    }
    let (rc, _, stderr) = lsmcli(&["local-disk-ident-led-on", "--path", "/dev/nope-no-disk"]);
    assert_eq!(rc, 4);
    assert!(stderr.starts_with("NOT_FOUND_DISK(209): "), "{stderr}");

    // No SES enclosure here: no slots, and setting one is a clear error.
    let (rc, stdout, _) = lsmcli(&["local-led-slot-list"]);
    assert_eq!(rc, 0);
    assert!(stdout.trim().is_empty(), "{stdout}");
    let (rc, _, stderr) = lsmcli(&[
        "local-led-slot-set",
        "--slot",
        "0:0:1:0:Slot 01",
        "--state",
        "IDENT_ON",
    ]);
    assert_eq!(rc, 4, "{stderr}");
    let (rc, _, stderr) = lsmcli(&["local-led-slot-set", "--slot", "x", "--state", "BLINK"]);
    assert_eq!(rc, 4, "{stderr}");
    assert!(stderr.starts_with("INVALID_ARGUMENT(101): "), "{stderr}");
}
