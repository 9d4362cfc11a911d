//! The mount table, and mounting a btrfs subvolume on its own.
//!
//! nfs-ganesha's VFS FSAL can export a btrfs subvolume only when it is
//! mounted on its own (linux-backends.md §4), so every exported file system
//! gets a mount of its subvolume (`mount -o subvolid=N DEVICE PATH`). The
//! table is read from `/proc/self/mounts`, whose fields escape space, tab,
//! newline and backslash as octal (`\040`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::command::ToolCommand;
use crate::error::{Error, ObjectKind, Result};

/// One line of the mount table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    /// What is mounted (a device for btrfs).
    pub source: PathBuf,
    /// Where.
    pub target: PathBuf,
    /// File system type.
    pub fstype: String,
    /// Mount options.
    pub options: Vec<String>,
}

impl MountEntry {
    /// The value of option `key=` (e.g. `subvolid`), if present.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find_map(|option| option.strip_prefix(key)?.strip_prefix('='))
    }
}

fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'\\'
            && index + 3 < bytes.len()
            && bytes[index + 1..index + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let digit = |offset: usize| u32::from(bytes[index + offset] - b'0');
            let value = digit(1) * 64 + digit(2) * 8 + digit(3);
            match u8::try_from(value) {
                Ok(byte) => out.push(byte),
                Err(_) => out.extend_from_slice(&bytes[index..index + 4]),
            }
            index += 4;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses mount table text; malformed lines are skipped.
pub fn parse_mounts(text: &str) -> Vec<MountEntry> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let source = fields.next()?;
            let target = fields.next()?;
            let fstype = fields.next()?;
            let options = fields.next()?;
            Some(MountEntry {
                source: PathBuf::from(unescape(source)),
                target: PathBuf::from(unescape(target)),
                fstype: fstype.to_owned(),
                options: options.split(',').map(str::to_owned).collect(),
            })
        })
        .collect()
}

/// The current mount table of this process's namespace.
pub fn mount_table() -> Result<Vec<MountEntry>> {
    let text = std::fs::read_to_string("/proc/self/mounts")
        .map_err(|error| Error::io("reading /proc/self/mounts", error))?;
    Ok(parse_mounts(&text))
}

/// The last mount on `target` (the one visible there), if any.
pub fn mount_at<'a>(table: &'a [MountEntry], target: &Path) -> Option<&'a MountEntry> {
    table.iter().rev().find(|entry| entry.target == target)
}

/// Whether something is mounted on `path`.
pub fn is_mount_point(path: &Path) -> Result<bool> {
    Ok(mount_at(&mount_table()?, path).is_some())
}

/// Mounts subvolume `subvolume_id` of the btrfs file system on `device`
/// at `target` (which must exist).
pub fn mount_btrfs_subvolume(
    device: &Path,
    subvolume_id: u64,
    target: &Path,
    timeout: Duration,
) -> Result<()> {
    let command = ToolCommand::new("mount")
        .timeout(timeout)
        .args(["-t", "btrfs", "-o"])
        .arg(format!("subvolid={subvolume_id}"))
        .arg("--")
        .arg(device)
        .arg(target);
    command.run().map(|_| ())
}

/// Unmounts `target`; when it stays busy after a few tries (ganesha may
/// hold it for a moment after an export is removed), detaches it lazily.
pub fn unmount(target: &Path, timeout: Duration) -> Result<()> {
    let attempt = |lazy: bool| {
        let mut command = ToolCommand::new("umount").timeout(timeout);
        if lazy {
            command = command.arg("-l");
        }
        command.arg("--").arg(target).output()
    };
    let mut last = None;
    for _ in 0..5 {
        let output = attempt(false)?;
        if output.success() {
            return Ok(());
        }
        let text = format!("{}{}", output.stderr, output.stdout).to_ascii_lowercase();
        if text.contains("not mounted") {
            return Ok(());
        }
        if text.contains("no such file") {
            return Err(Error::not_found(
                ObjectKind::Other,
                format!("{} does not exist", target.display()),
            ));
        }
        last = Some(output);
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = attempt(true)?;
    if output.success() {
        tracing::warn!(target = %target.display(), "busy mount detached lazily");
        return Ok(());
    }
    let output = last.unwrap_or(output);
    Err(ToolCommand::new("umount")
        .arg("--")
        .arg(target)
        .failure(&output))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
/dev/vda / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid 0 0
/dev/loop0 /srv/pool\\040one btrfs rw,relatime,space_cache=v2,subvolid=5,subvol=/ 0 0
/dev/loop0 /srv/nfs/fs1 btrfs rw,relatime,subvolid=257,subvol=/lsm-fs/fs1 0 0
garbage
";

    #[test]
    fn parses_escaped_targets_and_options() {
        let table = parse_mounts(TABLE);
        assert_eq!(table.len(), 4, "the malformed line is skipped");
        let pool = mount_at(&table, Path::new("/srv/pool one")).unwrap();
        assert_eq!(pool.source, Path::new("/dev/loop0"));
        assert_eq!(pool.fstype, "btrfs");
        assert_eq!(pool.option("subvolid"), Some("5"));
        let export = mount_at(&table, Path::new("/srv/nfs/fs1")).unwrap();
        assert_eq!(export.option("subvol"), Some("/lsm-fs/fs1"));
        assert_eq!(export.option("space_cache"), None);
        assert!(mount_at(&table, Path::new("/srv")).is_none());
    }

    #[test]
    fn the_real_table_has_a_root() {
        let table = mount_table().unwrap();
        assert!(table.iter().any(|entry| entry.target == Path::new("/")));
        assert!(is_mount_point(Path::new("/")).unwrap());
    }
}
