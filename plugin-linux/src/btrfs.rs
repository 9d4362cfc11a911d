//! btrfs: pools, subvolumes (file systems), snapshots, qgroup quotas, and
//! the file operations behind file-backed volumes (sparse create,
//! preallocation, reflink copy).
//!
//! Everything runs `btrfs` through [`ToolCommand`]. btrfs-progs 6.2 has no
//! JSON for `filesystem usage` or `subvolume list`, and its
//! `--format json qgroup show` aborts ("unknown unit base") as soon as a
//! qgroup has a limit (see `tests/fixtures/btrfs-qgroup-show-json-abort.txt`),
//! so all three are parsed from text with `-b`/`--raw` byte values. The
//! parsers ignore lines and fields they do not know; an entry with an
//! unreadable field keeps the field's name in its `odd_fields` so the plugin
//! can report it with an UNKNOWN status instead of failing the listing.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::command::{DEFAULT_TIMEOUT, ToolCommand};
use crate::error::{Error, ObjectKind, Result};

/// `btrfs filesystem usage -b` figures, in bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilesystemUsage {
    /// Sum of the device sizes.
    pub device_size: u64,
    /// Bytes allocated to chunks.
    pub device_allocated: u64,
    /// Bytes not allocated to any chunk.
    pub device_unallocated: u64,
    /// Bytes used (all profiles, raw).
    pub used: u64,
    /// Estimated free bytes for data.
    pub free_estimated: u64,
    /// The pessimistic estimate (`min:`), when shown.
    pub free_estimated_min: Option<u64>,
    /// Free bytes as statfs/df report them, when shown.
    pub free_statfs: Option<u64>,
    /// Data replication ratio (1.0 for single).
    pub data_ratio: f64,
    /// Metadata replication ratio (2.0 for DUP).
    pub metadata_ratio: f64,
    /// Fields that were present but could not be read.
    pub odd_fields: Vec<String>,
}

/// One line of `btrfs subvolume list -u -q -R` (plus `-c`, `-s` fields when present).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubvolumeEntry {
    /// Subvolume id (also its level-0 qgroup `0/ID`).
    pub id: u64,
    /// Last generation that changed it.
    pub generation: u64,
    /// Generation at creation, when listed (`-c`).
    pub creation_generation: Option<u64>,
    /// Id of the subvolume containing it.
    pub top_level: u64,
    /// Creation time `YYYY-MM-DD HH:MM:SS`, when listed (`-s`).
    pub creation_time: Option<String>,
    /// UUID of the subvolume it is a snapshot of.
    pub parent_uuid: Option<String>,
    /// UUID it was received from (btrfs send/receive).
    pub received_uuid: Option<String>,
    /// Its own UUID.
    pub uuid: Option<String>,
    /// Path relative to the file system's top level.
    pub path: String,
    /// Fields that were present but could not be read.
    pub odd_fields: Vec<String>,
}

/// What `btrfs subvolume show` says about one subvolume.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubvolumeDetails {
    /// Its name (last path component).
    pub name: String,
    /// Its UUID.
    pub uuid: Option<String>,
    /// UUID of its snapshot source.
    pub parent_uuid: Option<String>,
    /// Creation time as printed (`2026-11-25 14:28:56 +0000`).
    pub creation_time: Option<String>,
    /// Subvolume id.
    pub id: Option<u64>,
    /// Whether the `readonly` flag is set.
    pub readonly: bool,
    /// Paths of the snapshots taken from it.
    pub snapshots: Vec<String>,
    /// Its level-0 qgroup, when quotas are on.
    pub qgroup: Option<String>,
}

/// One row of `btrfs qgroup show --raw`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Qgroup {
    /// `level/id`, e.g. `0/256`.
    pub qgroupid: String,
    /// Level-0 qgroups carry their subvolume id.
    pub subvolume_id: Option<u64>,
    /// Referenced bytes.
    pub referenced: u64,
    /// Exclusive bytes.
    pub exclusive: u64,
    /// Referenced-bytes limit; `None` when unlimited or not shown.
    pub max_referenced: Option<u64>,
    /// Exclusive-bytes limit; `None` when unlimited or not shown.
    pub max_exclusive: Option<u64>,
    /// The subvolume path, when shown.
    pub path: Option<String>,
    /// Fields that were present but could not be read.
    pub odd_fields: Vec<String>,
}

/// Runs btrfs-progs with a timeout.
#[derive(Debug, Clone)]
pub struct Btrfs {
    timeout: Duration,
}

impl Default for Btrfs {
    fn default() -> Self {
        Btrfs::new(DEFAULT_TIMEOUT)
    }
}

impl Btrfs {
    /// A runner whose every command times out after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Btrfs { timeout }
    }

    fn btrfs(&self) -> ToolCommand {
        // Times (snapshot otime) are printed in the local zone: ask for UTC.
        ToolCommand::new("btrfs")
            .timeout(self.timeout)
            .env("TZ", "UTC")
    }

    /// The file system UUID (fsid) of the btrfs file system mounted at
    /// `mount_point`: from sysfs when its device is found there, else from
    /// `btrfs filesystem show`.
    pub fn filesystem_uuid(&self, mount_point: &Path) -> Result<String> {
        if let Some(fsid) = crate::mounts::mount_table()
            .ok()
            .and_then(|table| {
                crate::mounts::mount_at(&table, mount_point)
                    .filter(|entry| entry.fstype == "btrfs")
                    .map(|entry| entry.source.clone())
            })
            .and_then(|device| fsid_of_device(Path::new("/sys"), &device))
        {
            return Ok(fsid);
        }
        let text = self.run(
            self.btrfs()
                .args(["filesystem", "show", "--raw"])
                .arg(mount_point),
            ObjectKind::Pool,
        )?;
        parse_filesystem_show_uuid(&text).ok_or_else(|| {
            Error::parse(
                "btrfs filesystem show",
                format!("no uuid for {}", mount_point.display()),
            )
        })
    }

    fn run(&self, command: ToolCommand, kind: ObjectKind) -> Result<String> {
        let output = command.output()?;
        if output.success() {
            Ok(output.stdout)
        } else {
            Err(classify_failure(command.failure(&output), kind))
        }
    }

    /// `btrfs filesystem usage -b MOUNT`.
    pub fn filesystem_usage(&self, mount_point: &Path) -> Result<FilesystemUsage> {
        let text = self.run(
            self.btrfs()
                .args(["filesystem", "usage", "-b"])
                .arg(mount_point),
            ObjectKind::Pool,
        )?;
        parse_filesystem_usage(&text)
    }

    /// `btrfs filesystem sync MOUNT` (qgroup figures are exact only after a commit).
    pub fn filesystem_sync(&self, mount_point: &Path) -> Result<()> {
        self.run(
            self.btrfs().args(["filesystem", "sync"]).arg(mount_point),
            ObjectKind::Pool,
        )?;
        Ok(())
    }

    /// All subvolumes of the file system mounted at `mount_point`, with
    /// creation generation and UUIDs (`subvolume list -c -u -q -R`).
    pub fn subvolume_list(&self, mount_point: &Path) -> Result<Vec<SubvolumeEntry>> {
        let text = self.run(
            self.btrfs()
                .args(["subvolume", "list", "-c", "-u", "-q", "-R"])
                .arg(mount_point),
            ObjectKind::Pool,
        )?;
        Ok(parse_subvolume_list(&text))
    }

    /// Only the snapshots, with their creation time (`subvolume list -s`).
    pub fn snapshot_list(&self, mount_point: &Path) -> Result<Vec<SubvolumeEntry>> {
        let text = self.run(
            self.btrfs()
                .args(["subvolume", "list", "-s", "-u", "-q"])
                .arg(mount_point),
            ObjectKind::Pool,
        )?;
        Ok(parse_subvolume_list(&text))
    }

    /// `btrfs subvolume show PATH`.
    pub fn subvolume_show(&self, path: &Path) -> Result<SubvolumeDetails> {
        let text = self.run(
            self.btrfs().args(["subvolume", "show", "-b"]).arg(path),
            ObjectKind::FileSystem,
        )?;
        Ok(parse_subvolume_show(&text))
    }

    /// Creates subvolume `path` (its parent directory must be on btrfs).
    pub fn subvolume_create(&self, path: &Path) -> Result<()> {
        refuse_existing(path)?;
        self.run(
            self.btrfs().args(["subvolume", "create"]).arg(path),
            ObjectKind::FileSystem,
        )?;
        Ok(())
    }

    /// Deletes subvolume `path`, committing the deletion (`-c`).
    pub fn subvolume_delete(&self, path: &Path) -> Result<()> {
        self.run(
            self.btrfs().args(["subvolume", "delete", "-c"]).arg(path),
            ObjectKind::FileSystem,
        )?;
        Ok(())
    }

    /// Snapshots `source` to `destination`, read-only or writable.
    pub fn snapshot(&self, source: &Path, destination: &Path, readonly: bool) -> Result<()> {
        refuse_existing(destination)?;
        let mut command = self.btrfs().args(["subvolume", "snapshot"]);
        if readonly {
            command = command.arg("-r");
        }
        self.run(command.arg(source).arg(destination), ObjectKind::FileSystem)?;
        Ok(())
    }

    /// Whether subvolume `path` is read-only (`property get PATH ro`).
    pub fn is_readonly(&self, path: &Path) -> Result<bool> {
        let text = self.run(
            self.btrfs().args(["property", "get"]).arg(path).arg("ro"),
            ObjectKind::FileSystem,
        )?;
        match text.trim() {
            "ro=true" => Ok(true),
            "ro=false" => Ok(false),
            other => Err(Error::parse(
                "btrfs property ro",
                format!("unexpected {other:?}"),
            )),
        }
    }

    /// Sets or clears the read-only property of subvolume `path`.
    pub fn set_readonly(&self, path: &Path, readonly: bool) -> Result<()> {
        self.run(
            self.btrfs()
                .args(["property", "set", "-t", "subvol"])
                .arg(path)
                .args(["ro", if readonly { "true" } else { "false" }]),
            ObjectKind::FileSystem,
        )?;
        Ok(())
    }

    /// `btrfs quota enable MOUNT` (idempotent).
    pub fn quota_enable(&self, mount_point: &Path) -> Result<()> {
        self.run(
            self.btrfs().args(["quota", "enable"]).arg(mount_point),
            ObjectKind::Pool,
        )?;
        Ok(())
    }

    /// `btrfs quota rescan -w MOUNT`.
    pub fn quota_rescan(&self, mount_point: &Path) -> Result<()> {
        self.run(
            self.btrfs()
                .args(["quota", "rescan", "-w"])
                .arg(mount_point),
            ObjectKind::Pool,
        )?;
        Ok(())
    }

    /// Sets the referenced-bytes limit of subvolume `path` (`None` = no limit).
    pub fn qgroup_limit(&self, path: &Path, limit: Option<u64>) -> Result<()> {
        let value = limit.map_or_else(|| "none".to_owned(), |bytes| bytes.to_string());
        self.run(
            self.btrfs().args(["qgroup", "limit"]).arg(value).arg(path),
            ObjectKind::FileSystem,
        )?;
        Ok(())
    }

    /// Every qgroup of the file system at `mount_point`, with limits.
    pub fn qgroup_show(&self, mount_point: &Path) -> Result<Vec<Qgroup>> {
        let text = self.run(
            self.btrfs()
                .args(["qgroup", "show", "-re", "--raw"])
                .arg(mount_point),
            ObjectKind::Pool,
        )?;
        Ok(parse_qgroup_show(&text))
    }

    /// The level-0 qgroup of subvolume `path` (`qgroup show -reF`).
    pub fn qgroup_of(&self, path: &Path) -> Result<Option<Qgroup>> {
        let text = self.run(
            self.btrfs()
                .args(["qgroup", "show", "-re", "-F", "--raw"])
                .arg(path),
            ObjectKind::FileSystem,
        )?;
        Ok(parse_qgroup_show(&text)
            .into_iter()
            .find(|qgroup| qgroup.subvolume_id.is_some()))
    }

    /// Copies `source` to `destination` sharing extents
    /// (`cp --reflink=always`); fails rather than copying the bytes.
    pub fn reflink_copy(&self, source: &Path, destination: &Path) -> Result<()> {
        refuse_existing(destination)?;
        let command = ToolCommand::new("cp")
            .timeout(self.timeout)
            .args([
                "--reflink=always",
                "--sparse=auto",
                "--no-target-directory",
                "--",
            ])
            .arg(source)
            .arg(destination);
        let output = command.output()?;
        if output.success() {
            Ok(())
        } else {
            Err(classify_failure(
                command.failure(&output),
                ObjectKind::Volume,
            ))
        }
    }
}

/// Creates `path` as a sparse file of `size` bytes (a THIN volume image).
pub fn create_sparse_file(path: &Path, size: u64) -> Result<()> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| creation_error(path, error))?;
    file.set_len(size)
        .map_err(|error| Error::io(format!("setting size of {}", path.display()), error))
}

/// Creates `path` with `size` bytes allocated up front (a FULL volume image).
pub fn create_preallocated_file(path: &Path, size: u64) -> Result<()> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| creation_error(path, error))?;
    let length = i64::try_from(size)
        .map_err(|_| Error::InvalidArgument(format!("size {size} is too large")))?;
    if let Err(errno) = nix::fcntl::fallocate(&file, nix::fcntl::FallocateFlags::empty(), 0, length)
    {
        // Leave nothing half-made behind.
        let _ = std::fs::remove_file(path);
        return Err(match errno {
            nix::errno::Errno::ENOSPC | nix::errno::Errno::EDQUOT => Error::NotEnoughSpace(
                format!("cannot allocate {size} bytes for {}", path.display()),
            ),
            other => Error::io(
                format!("fallocate {}", path.display()),
                std::io::Error::from(other),
            ),
        });
    }
    Ok(())
}

/// Grows or shrinks a volume image to `size` bytes; growth is sparse unless
/// `preallocate` is set.
pub fn resize_image_file(path: &Path, size: u64, preallocate: bool) -> Result<()> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => Error::not_found(
                ObjectKind::Volume,
                format!("{} does not exist", path.display()),
            ),
            _ => Error::io(format!("opening {}", path.display()), error),
        })?;
    let current = file
        .metadata()
        .map_err(|error| Error::io(format!("stat {}", path.display()), error))?
        .len();
    if current == size {
        return Err(Error::NoStateChange(format!(
            "{} is already {size} bytes",
            path.display()
        )));
    }
    if preallocate && size > current {
        let offset = i64::try_from(current).unwrap_or(i64::MAX);
        let length = i64::try_from(size - current)
            .map_err(|_| Error::InvalidArgument(format!("size {size} is too large")))?;
        nix::fcntl::fallocate(&file, nix::fcntl::FallocateFlags::empty(), offset, length).map_err(
            |errno| match errno {
                nix::errno::Errno::ENOSPC | nix::errno::Errno::EDQUOT => {
                    Error::NotEnoughSpace(format!("cannot grow {} to {size} bytes", path.display()))
                }
                other => Error::io(
                    format!("fallocate {}", path.display()),
                    std::io::Error::from(other),
                ),
            },
        )?;
    }
    file.set_len(size)
        .map_err(|error| Error::io(format!("resizing {}", path.display()), error))
}

fn creation_error(path: &Path, error: std::io::Error) -> Error {
    match error.kind() {
        std::io::ErrorKind::AlreadyExists => {
            Error::NameConflict(format!("{} already exists", path.display()))
        }
        _ => Error::io(format!("creating {}", path.display()), error),
    }
}

fn refuse_existing(path: &Path) -> Result<()> {
    if path.symlink_metadata().is_ok() {
        Err(Error::NameConflict(format!(
            "{} already exists",
            path.display()
        )))
    } else {
        Ok(())
    }
}

/// Maps well-known btrfs/cp failures to specific errors.
fn classify_failure(error: Error, kind: ObjectKind) -> Error {
    let Some(stderr) = error.command_stderr() else {
        return error;
    };
    let lower = stderr.to_ascii_lowercase();
    if lower.contains("file exists") || lower.contains("already exists") {
        Error::NameConflict(stderr.to_owned())
    } else if lower.contains("no such file or directory") || lower.contains("cannot find") {
        Error::not_found(kind, stderr.to_owned())
    } else if lower.contains("no space left") || lower.contains("disk quota exceeded") {
        Error::NotEnoughSpace(stderr.to_owned())
    } else if lower.contains("not a btrfs") {
        Error::InvalidArgument(stderr.to_owned())
    } else if lower.contains("operation not permitted") || lower.contains("permission denied") {
        Error::PermissionDenied(stderr.to_owned())
    } else if lower.contains("operation not supported") || lower.contains("invalid cross-device") {
        Error::NoSupport(stderr.to_owned())
    } else {
        error
    }
}

/// Parses `btrfs filesystem usage -b` text (only the "Overall:" block is used).
pub fn parse_filesystem_usage(text: &str) -> Result<FilesystemUsage> {
    let mut usage = FilesystemUsage {
        data_ratio: 1.0,
        metadata_ratio: 1.0,
        ..FilesystemUsage::default()
    };
    let mut seen_size = false;
    let mut seen_free = false;
    for line in text.lines() {
        let Some((label, value)) = line.split_once(':') else {
            continue;
        };
        let label = label.trim();
        let value = value.trim();
        // "2662334464\t(min: 1332740096)" -> the first token is the value.
        let first = value.split_whitespace().next().unwrap_or("");
        let bytes = first.parse::<u64>().ok();
        let slot = match label {
            "Device size" => &mut usage.device_size,
            "Device allocated" => &mut usage.device_allocated,
            "Device unallocated" => &mut usage.device_unallocated,
            "Used" => &mut usage.used,
            "Free (estimated)" => &mut usage.free_estimated,
            "Free (statfs, df)" => {
                usage.free_statfs = bytes;
                continue;
            }
            "Data ratio" | "Metadata ratio" => {
                match first.parse::<f64>() {
                    Ok(ratio) if label == "Data ratio" => usage.data_ratio = ratio,
                    Ok(ratio) => usage.metadata_ratio = ratio,
                    Err(_) => usage.odd_fields.push(label.to_owned()),
                }
                continue;
            }
            _ => continue,
        };
        match bytes {
            Some(bytes) => *slot = bytes,
            None => {
                usage.odd_fields.push(label.to_owned());
                continue;
            }
        }
        match label {
            "Device size" => seen_size = true,
            "Free (estimated)" => {
                seen_free = true;
                usage.free_estimated_min = value
                    .split("min:")
                    .nth(1)
                    .and_then(|rest| rest.trim().trim_end_matches(')').trim().parse().ok());
            }
            _ => {}
        }
    }
    if !seen_size || !seen_free {
        return Err(Error::parse(
            "btrfs filesystem usage",
            "no byte values for \"Device size\" and \"Free (estimated)\" (was -b given?)",
        ));
    }
    Ok(usage)
}

/// Parses `btrfs subvolume list` lines; lines that do not start with `ID`
/// are skipped, unknown `key value` pairs are ignored.
pub fn parse_subvolume_list(text: &str) -> Vec<SubvolumeEntry> {
    text.lines().filter_map(parse_subvolume_line).collect()
}

fn parse_subvolume_line(line: &str) -> Option<SubvolumeEntry> {
    let line = line.trim_end();
    if !line.starts_with("ID ") {
        return None;
    }
    // The path is last and may contain spaces.
    let (fields, path) = match line.find(" path ") {
        Some(index) => (&line[..index], line[index + " path ".len()..].to_owned()),
        None => (line, String::new()),
    };
    let mut entry = SubvolumeEntry {
        path,
        ..SubvolumeEntry::default()
    };
    if entry.path.is_empty() {
        entry.odd_fields.push("path".into());
    }
    let tokens: Vec<&str> = fields.split_whitespace().collect();
    let mut index = 0;
    let number = |entry: &mut SubvolumeEntry, name: &str, value: Option<&&str>| -> u64 {
        match value.and_then(|text| text.parse().ok()) {
            Some(number) => number,
            None => {
                entry.odd_fields.push(name.to_owned());
                0
            }
        }
    };
    let uuid = |value: Option<&&str>| {
        value
            .filter(|text| **text != "-")
            .map(|text| text.to_string())
    };
    while index < tokens.len() {
        let key = tokens[index];
        match key {
            "ID" => entry.id = number(&mut entry, "ID", tokens.get(index + 1)),
            "gen" => entry.generation = number(&mut entry, "gen", tokens.get(index + 1)),
            "cgen" => {
                entry.creation_generation = Some(number(&mut entry, "cgen", tokens.get(index + 1)))
            }
            "parent" => {}
            "top" if tokens.get(index + 1) == Some(&"level") => {
                entry.top_level = number(&mut entry, "top level", tokens.get(index + 2));
                index += 3;
                continue;
            }
            "otime" => {
                entry.creation_time = match (tokens.get(index + 1), tokens.get(index + 2)) {
                    (Some(date), Some(time)) => Some(format!("{date} {time}")),
                    _ => None,
                };
                index += 3;
                continue;
            }
            "parent_uuid" => entry.parent_uuid = uuid(tokens.get(index + 1)),
            "received_uuid" => entry.received_uuid = uuid(tokens.get(index + 1)),
            "uuid" => entry.uuid = uuid(tokens.get(index + 1)),
            _ => {}
        }
        index += 2;
    }
    if entry.odd_fields.iter().any(|field| field == "ID") {
        tracing::warn!(line, "btrfs subvolume list line without a readable ID");
    }
    Some(entry)
}

/// Parses `btrfs subvolume show` text.
pub fn parse_subvolume_show(text: &str) -> SubvolumeDetails {
    let mut details = SubvolumeDetails::default();
    let mut in_snapshots = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some((label, value)) = trimmed.split_once(':') {
            let value = value.trim();
            let known = matches!(
                label,
                "Name"
                    | "UUID"
                    | "Parent UUID"
                    | "Creation time"
                    | "Subvolume ID"
                    | "Flags"
                    | "Snapshot(s)"
                    | "Quota group"
                    | "Received UUID"
                    | "Generation"
                    | "Gen at creation"
                    | "Parent ID"
                    | "Top level ID"
                    | "Send transid"
                    | "Send time"
                    | "Receive transid"
                    | "Receive time"
            );
            if known || !in_snapshots {
                in_snapshots = label == "Snapshot(s)";
                let optional =
                    || Some(value.to_owned()).filter(|text| !text.is_empty() && text != "-");
                match label {
                    "Name" => details.name = value.to_owned(),
                    "UUID" => details.uuid = optional(),
                    "Parent UUID" => details.parent_uuid = optional(),
                    "Creation time" => details.creation_time = optional(),
                    "Subvolume ID" => details.id = value.parse().ok(),
                    "Flags" => {
                        details.readonly = value.split(',').any(|flag| flag.trim() == "readonly")
                    }
                    "Quota group" => details.qgroup = optional(),
                    _ => {}
                }
                continue;
            }
        }
        if in_snapshots && !trimmed.is_empty() && line.starts_with('\t') {
            details.snapshots.push(trimmed.to_owned());
        }
    }
    details
}

/// Parses `btrfs qgroup show --raw` text, finding columns by their header
/// names so extra or reordered columns do not matter.
pub fn parse_qgroup_show(text: &str) -> Vec<Qgroup> {
    let mut lines = text.lines();
    let Some(header) = lines
        .by_ref()
        .find(|line| line.trim_start().starts_with("Qgroupid"))
    else {
        return Vec::new();
    };
    // Headers contain spaces ("Max referenced"), so map by character position.
    let columns = header_columns(header);
    let mut qgroups = Vec::new();
    for line in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("--") {
            continue;
        }
        let values: Vec<&str> = trimmed.split_whitespace().collect();
        let mut qgroup = Qgroup::default();
        for (index, column) in columns.iter().enumerate() {
            // The Path column is last and may hold spaces: join the rest.
            let value = if column == "Path" {
                let rest = values
                    .get(index..)
                    .map(|rest| rest.join(" "))
                    .unwrap_or_default();
                if rest.is_empty() { None } else { Some(rest) }
            } else {
                values.get(index).map(|value| value.to_string())
            };
            let Some(value) = value else {
                qgroup.odd_fields.push(column.clone());
                continue;
            };
            let bytes = |qgroup: &mut Qgroup| match value.parse::<u64>() {
                Ok(bytes) => bytes,
                Err(_) => {
                    qgroup.odd_fields.push(column.clone());
                    0
                }
            };
            let limit = |qgroup: &mut Qgroup| match value.as_str() {
                "none" | "-" => None,
                text => match text.parse::<u64>() {
                    Ok(bytes) => Some(bytes),
                    Err(_) => {
                        qgroup.odd_fields.push(column.clone());
                        None
                    }
                },
            };
            match column.as_str() {
                "Qgroupid" => {
                    qgroup.subvolume_id = value.strip_prefix("0/").and_then(|id| id.parse().ok());
                    qgroup.qgroupid = value;
                }
                "Referenced" | "Rfer" => qgroup.referenced = bytes(&mut qgroup),
                "Exclusive" | "Excl" => qgroup.exclusive = bytes(&mut qgroup),
                "Max referenced" | "Max rfer" => qgroup.max_referenced = limit(&mut qgroup),
                "Max exclusive" | "Max excl" => qgroup.max_exclusive = limit(&mut qgroup),
                "Path" => qgroup.path = Some(value),
                _ => {}
            }
        }
        if !qgroup.qgroupid.is_empty() {
            qgroups.push(qgroup);
        }
    }
    qgroups
}

/// Splits a header line into column names. Values are single tokens, so
/// the known two-word names are joined first; the rest split on spaces.
fn header_columns(header: &str) -> Vec<String> {
    let mut line = header.trim().to_owned();
    for name in ["Max referenced", "Max exclusive", "Max rfer", "Max excl"] {
        line = line.replace(name, &name.replace(' ', "\u{1}"));
    }
    line.split_whitespace()
        .map(|name| name.replace('\u{1}', " "))
        .collect()
}

/// Where the btrfs file system on `device` is mounted (its top level, or
/// else any of its mounts), from `/proc/self/mounts`.
pub fn find_mount_point(device: &Path) -> Result<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/self/mounts")
        .map_err(|error| Error::io("reading /proc/self/mounts", error))?;
    let device = std::fs::canonicalize(device).unwrap_or_else(|_| device.to_owned());
    mount_point_in(&mounts, &device).ok_or_else(|| {
        Error::not_found(
            ObjectKind::Pool,
            format!("no btrfs file system on {} is mounted", device.display()),
        )
    })
}

/// [`find_mount_point`] on the text of a mounts table.
pub fn mount_point_in(mounts: &str, device: &Path) -> Option<PathBuf> {
    let mut candidates = mounts.lines().filter_map(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        let (source, target, fstype, options) = (
            fields.first()?,
            fields.get(1)?,
            fields.get(2)?,
            fields.get(3)?,
        );
        (*fstype == "btrfs" && Path::new(source) == device).then(|| {
            let top_level = options
                .split(',')
                .any(|option| option == "subvolid=5" || option == "subvol=/");
            (top_level, PathBuf::from(target.replace("\\040", " ")))
        })
    });
    let first = candidates.next()?;
    if first.0 {
        return Some(first.1);
    }
    Some(
        candidates
            .find(|(top, _)| *top)
            .map_or(first.1, |(_, path)| path),
    )
}

/// The fsid of the btrfs file system that `device` belongs to, from
/// `SYS_ROOT/fs/btrfs/<fsid>/devices/<name>`.
pub fn fsid_of_device(sys_root: &Path, device: &Path) -> Option<String> {
    let device = std::fs::canonicalize(device).unwrap_or_else(|_| device.to_owned());
    let name = device.file_name()?.to_owned();
    let entries = std::fs::read_dir(sys_root.join("fs/btrfs")).ok()?;
    entries.flatten().find_map(|entry| {
        let fsid = entry.file_name().to_string_lossy().into_owned();
        (fsid.len() == 36 && entry.path().join("devices").join(&name).exists()).then_some(fsid)
    })
}

/// Kernel names (`loop0`, `vdb`) of the devices of btrfs file system
/// `fsid`, from `SYS_ROOT/fs/btrfs/<fsid>/devices`.
pub fn device_names(sys_root: &Path, fsid: &str) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(sys_root.join("fs/btrfs").join(fsid).join("devices"))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
    names.sort();
    names
}

/// The `uuid:` of the first file system in `btrfs filesystem show` text.
pub fn parse_filesystem_show_uuid(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (_, rest) = line.split_once("uuid:")?;
        let uuid = rest.split_whitespace().next()?;
        (uuid.len() == 36).then(|| uuid.to_owned())
    })
}

/// The subvolume path of `relative` (as listed) under `mount_point`.
pub fn subvolume_path(mount_point: &Path, relative: &str) -> PathBuf {
    mount_point.join(relative.trim_start_matches("<FS_TREE>/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;

    fn fixture(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn usage_from_real_output() {
        let usage = parse_filesystem_usage(&fixture("btrfs-filesystem-usage-b.txt")).unwrap();
        assert_eq!(usage.device_size, 3_221_225_472);
        assert_eq!(usage.device_allocated, 562_036_736);
        assert_eq!(usage.device_unallocated, 2_659_188_736);
        assert_eq!(usage.used, 5_701_632);
        assert_eq!(usage.free_estimated, 2_662_334_464);
        assert_eq!(usage.free_estimated_min, Some(1_332_740_096));
        assert_eq!(usage.free_statfs, Some(2_661_285_888));
        assert_eq!(usage.metadata_ratio, 2.0);
        assert!(usage.odd_fields.is_empty());
    }

    #[test]
    fn usage_without_bytes_is_an_error() {
        let human =
            "Overall:\n    Device size:\t\t   3.00GiB\n    Free (estimated):\t\t   2.48GiB\n";
        assert!(parse_filesystem_usage(human).is_err());
        assert!(parse_filesystem_usage("").is_err());
    }

    #[test]
    fn subvolume_list_from_real_output() {
        let entries = parse_subvolume_list(&fixture("btrfs-subvolume-list-full.txt"));
        assert_eq!(entries.len(), 4);
        let fs1 = &entries[0];
        assert_eq!((fs1.id, fs1.generation, fs1.top_level), (256, 11, 5));
        assert_eq!(fs1.creation_generation, Some(7));
        assert_eq!(fs1.path, "fs1");
        assert_eq!(fs1.parent_uuid, None);
        assert_eq!(
            fs1.uuid.as_deref(),
            Some("01acbaa8-622c-5446-b0f9-0b235c68e1fd")
        );
        let snap = &entries[2];
        assert_eq!(snap.path, "snap1");
        assert_eq!(snap.parent_uuid, fs1.uuid);
        assert!(entries.iter().all(|entry| entry.odd_fields.is_empty()));
        let plain = parse_subvolume_list(&fixture("btrfs-subvolume-list-uqR.txt"));
        assert_eq!(plain.len(), 4);
        assert_eq!(plain[3].path, "clone1");
    }

    #[test]
    fn subvolume_list_tolerates_noise_and_odd_lines() {
        let text = "WARNING: something\n\
                    ID 300 gen 9 cgen 9 top level 5 otime 2026-11-25 14:28:56 newfield 42 path dir/with space\n\
                    ID x gen 1 top level 5 path broken\n\n";
        let entries = parse_subvolume_list(text);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].path, "dir/with space");
        assert_eq!(
            entries[0].creation_time.as_deref(),
            Some("2026-11-25 14:28:56")
        );
        assert!(entries[0].odd_fields.is_empty());
        assert_eq!(entries[1].odd_fields, vec!["ID"]);
    }

    #[test]
    fn subvolume_show_from_real_output() {
        let fs1 = parse_subvolume_show(&fixture("btrfs-subvolume-show-fs1.txt"));
        assert_eq!(fs1.name, "fs1");
        assert_eq!(fs1.id, Some(256));
        assert!(!fs1.readonly);
        assert_eq!(fs1.snapshots, vec!["snap1", "clone1"]);
        assert_eq!(fs1.qgroup.as_deref(), Some("0/256"));
        assert_eq!(
            fs1.creation_time.as_deref(),
            Some("2026-11-25 14:28:56 +0000")
        );
        let snap = parse_subvolume_show(&fixture("btrfs-subvolume-show-snap1.txt"));
        assert!(snap.readonly);
        assert_eq!(snap.parent_uuid, fs1.uuid);
        assert!(snap.snapshots.is_empty());
    }

    #[test]
    fn qgroup_show_from_real_output() {
        let all = parse_qgroup_show(&fixture("btrfs-qgroup-show-all.txt"));
        assert_eq!(all.len(), 5);
        let fs1 = all.iter().find(|q| q.qgroupid == "0/256").unwrap();
        assert_eq!(fs1.subvolume_id, Some(256));
        assert_eq!(fs1.referenced, 5_259_264);
        assert_eq!(fs1.max_referenced, Some(104_857_600));
        assert_eq!(fs1.max_exclusive, None);
        assert_eq!(fs1.path.as_deref(), Some("fs1"));
        assert!(all.iter().all(|q| q.odd_fields.is_empty()));
        let one = parse_qgroup_show(&fixture("btrfs-qgroup-show-reF-fs1.txt"));
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].max_referenced, Some(104_857_600));
    }

    #[test]
    fn qgroup_show_tolerates_odd_values_and_no_header() {
        let text = "Qgroupid    Referenced    Exclusive  Max referenced  Max exclusive   Path \n\
                    --------    ----------    ---------  --------------  -------------   ---- \n\
                    0/300          16.00KiB        16384            none           none   odd\n";
        let rows = parse_qgroup_show(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].odd_fields, vec!["Referenced"]);
        assert!(parse_qgroup_show("quotas not enabled\n").is_empty());
    }

    #[test]
    fn mount_point_prefers_the_top_level_mount() {
        let mounts = "/dev/vda / ext4 rw,relatime 0 0\n\
                      /dev/loop0 /srv/nfs/fs1 btrfs rw,subvolid=256,subvol=/fs1 0 0\n\
                      /dev/loop0 /srv/pool btrfs rw,relatime,subvolid=5,subvol=/ 0 0\n\
                      /dev/loop1 /srv/a\\040b btrfs rw,subvolid=5,subvol=/ 0 0\n";
        assert_eq!(
            mount_point_in(mounts, Path::new("/dev/loop0")),
            Some(PathBuf::from("/srv/pool"))
        );
        assert_eq!(
            mount_point_in(mounts, Path::new("/dev/loop1")),
            Some(PathBuf::from("/srv/a b"))
        );
        assert_eq!(mount_point_in(mounts, Path::new("/dev/vda")), None);
        assert_eq!(
            find_mount_point(Path::new("/dev/lsm-no-such"))
                .unwrap_err()
                .lsm_error_number(),
            ErrorNumber::NOT_FOUND_POOL
        );
    }

    #[test]
    fn sparse_and_preallocated_files() {
        let dir = tempfile::tempdir().unwrap();
        let thin = dir.path().join("thin.img");
        create_sparse_file(&thin, 64 << 20).unwrap();
        let meta = std::fs::metadata(&thin).unwrap();
        assert_eq!(meta.len(), 64 << 20);
        use std::os::unix::fs::MetadataExt;
        assert!(meta.blocks() * 512 < 1 << 20, "sparse file has blocks");
        let error = create_sparse_file(&thin, 1).unwrap_err();
        assert_eq!(error.lsm_error_number(), ErrorNumber::NAME_CONFLICT);

        let full = dir.path().join("full.img");
        create_preallocated_file(&full, 4 << 20).unwrap();
        let meta = std::fs::metadata(&full).unwrap();
        assert!(meta.blocks() * 512 >= 4 << 20);

        resize_image_file(&thin, 128 << 20, false).unwrap();
        assert_eq!(std::fs::metadata(&thin).unwrap().len(), 128 << 20);
        let same = resize_image_file(&thin, 128 << 20, false).unwrap_err();
        assert_eq!(same.lsm_error_number(), ErrorNumber::NO_STATE_CHANGE);
        resize_image_file(&full, 8 << 20, true).unwrap();
        assert!(std::fs::metadata(&full).unwrap().blocks() * 512 >= 8 << 20);
        let missing = resize_image_file(&dir.path().join("nope"), 1, false).unwrap_err();
        assert_eq!(missing.lsm_error_number(), ErrorNumber::NOT_FOUND_VOLUME);
    }

    #[test]
    fn fsid_from_show_text_and_sysfs_tree() {
        let show = "Label: 'lsmtest'  uuid: 5ebc47c7-218e-42d5-89aa-045f56037ffe\n\
                    \tTotal devices 1 FS bytes used 196608\n\
                    \tdevid    1 size 25769803776 used 562036736 path /dev/loop0\n";
        assert_eq!(
            parse_filesystem_show_uuid(show).as_deref(),
            Some("5ebc47c7-218e-42d5-89aa-045f56037ffe")
        );
        assert_eq!(parse_filesystem_show_uuid("uuid: short\n"), None);

        let sys = tempfile::tempdir().unwrap();
        let fsid = "5ebc47c7-218e-42d5-89aa-045f56037ffe";
        std::fs::create_dir_all(sys.path().join("fs/btrfs/features")).unwrap();
        std::fs::create_dir_all(sys.path().join("fs/btrfs").join(fsid).join("devices/loop7"))
            .unwrap();
        std::fs::create_dir_all(sys.path().join("fs/btrfs").join(fsid).join("devices/loop3"))
            .unwrap();
        assert_eq!(
            fsid_of_device(sys.path(), Path::new("/dev/loop7")).as_deref(),
            Some(fsid)
        );
        assert_eq!(fsid_of_device(sys.path(), Path::new("/dev/loop9")), None);
        assert_eq!(device_names(sys.path(), fsid), ["loop3", "loop7"]);
        assert!(device_names(sys.path(), "missing").is_empty());
    }
}
