//! `local-disk-*` / `local-led-slot-*` against this host (root: CI is root;
//! without root the test fails and says why).

use std::process::Command;

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

struct LoopDevice(String);

impl Drop for LoopDevice {
    fn drop(&mut self) {
        let _ = Command::new("losetup").args(["-d", &self.0]).status();
    }
}

#[test]
fn local_disk_commands_on_a_loop_device() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "attaching a loop device needs root (CI runs as root)"
    );
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("d.img");
    std::fs::File::create(&image)
        .unwrap()
        .set_len(32 << 20)
        .unwrap();
    let out = Command::new("losetup")
        .args(["-f", "--show"])
        .arg(&image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dev = LoopDevice(String::from_utf8_lossy(&out.stdout).trim().to_string());

    let (rc, stdout, _) = lsmcli(&["local-disk-list", "-t", ","]);
    assert_eq!(rc, 0);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(&format!("{},", dev.0))),
        "{stdout}"
    );

    let (rc, stdout, _) = lsmcli(&["local-disk-list", "--json"]);
    assert_eq!(rc, 0);
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["path"] == dev.0.as_str())
    );

    for cmd in ["local-disk-ident-led-on", "local-disk-fault-led-off"] {
        let (rc, _, stderr) = lsmcli(&[cmd, "--path", &dev.0]);
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
