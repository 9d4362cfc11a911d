//! A loop device on a sparse image file, detached on drop (root only).

use std::process::Command;

use tempfile::TempDir;

/// An attached loop device (`/dev/loopN`) backed by a sparse image in a
/// temporary directory; detached, then the image removed, when dropped.
pub struct LoopDevice {
    path: String,
    /// Declared last: removed after `Drop::drop` has detached the device.
    _image_dir: TempDir,
}

impl LoopDevice {
    /// Attaches a new sparse image of `size` bytes (`losetup -f --show`);
    /// fails the test when that is not possible (not root, no util-linux).
    pub fn new(size: u64) -> LoopDevice {
        let image_dir = tempfile::Builder::new()
            .prefix("lsm-loop-")
            .tempdir()
            .unwrap_or_else(|error| panic!("tempdir: {error}"));
        let image = image_dir.path().join("disk.img");
        std::fs::File::create(&image)
            .and_then(|file| file.set_len(size))
            .unwrap_or_else(|error| panic!("{}: {error}", image.display()));
        let output = Command::new("losetup")
            .args(["-f", "--show"])
            .arg(&image)
            .output()
            .unwrap_or_else(|error| panic!("losetup (util-linux) must be installed: {error}"));
        assert!(
            output.status.success(),
            "losetup -f --show {} failed: {}",
            image.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        LoopDevice {
            path: String::from_utf8_lossy(&output.stdout).trim().to_string(),
            _image_dir: image_dir,
        }
    }

    /// The device node, `/dev/loopN`.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl Drop for LoopDevice {
    fn drop(&mut self) {
        let _ = Command::new("losetup").args(["-d", &self.path]).status();
    }
}
