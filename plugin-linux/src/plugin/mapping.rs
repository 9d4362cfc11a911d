//! From the host to LSM and back: object ids, vpd83 derivation, time
//! stamps, sizes, and the one place where a backend [`crate::Error`]
//! becomes an [`LsmError`].
//!
//! Ids are derived from what the host has, so any plugin process finds the
//! object again without a cache:
//!
//! | object | id |
//! |---|---|
//! | pool (btrfs) | `btrfs-<fsid>` |
//! | pool (LVM) | `lvm-<VG UUID>` |
//! | pool not found on the host | `pool-<configured name>` |
//! | volume | `<pool id>:vol:<name>` (image file `<name>.img`, or LV `<name>`) |
//! | file system | `<pool id>:fs:<name>` (subvolume `lsm-fs/<name>`) |
//! | snapshot | `<fs id>@<name>` (subvolume `lsm-snapshots/<fs>/<name>`) |
//! | access group | `ag-<8 hex>`, also the tail of its tgt target's IQN |
//! | NFS export | `nfs-export-<ganesha Export_Id>` |
//! | disk | `disk-<wwid or serial or kernel name>` |
//!
//! Object names are plain (letters, digits, `_ - . + :`), and pool ids hold
//! no `:` or `@`, so these ids split back unambiguously.

use lsm_core::{ErrorNumber, LsmError};

/// Block size of every volume.
pub const BLOCK_SIZE: i64 = 512;

impl From<crate::Error> for LsmError {
    fn from(error: crate::Error) -> Self {
        LsmError::new(error.lsm_error_number(), error.to_string())
    }
}

/// An [`LsmError`] with this code and message.
pub fn lsm_error(code: ErrorNumber, message: impl Into<String>) -> LsmError {
    LsmError::new(code, message)
}

/// The id of a btrfs pool.
pub fn btrfs_pool_id(fsid: &str) -> String {
    format!("btrfs-{fsid}")
}

/// The id of an LVM pool.
pub fn lvm_pool_id(vg_uuid: &str) -> String {
    format!("lvm-{vg_uuid}")
}

/// The id of a configured pool whose backing was not found on the host.
pub fn missing_pool_id(name: &str) -> String {
    format!("pool-{name}")
}

/// The id of volume `name` in pool `pool_id`.
pub fn volume_id(pool_id: &str, name: &str) -> String {
    format!("{pool_id}:vol:{name}")
}

/// `(pool id, name)` of a volume id.
pub fn parse_volume_id(id: &str) -> Option<(&str, &str)> {
    let (pool_id, rest) = id.split_once(':')?;
    let name = rest.strip_prefix("vol:")?;
    (!pool_id.is_empty() && !name.is_empty()).then_some((pool_id, name))
}

/// The id of file system `name` in pool `pool_id`.
pub fn fs_id(pool_id: &str, name: &str) -> String {
    format!("{pool_id}:fs:{name}")
}

/// `(pool id, name)` of a file system id.
pub fn parse_fs_id(id: &str) -> Option<(&str, &str)> {
    let (pool_id, rest) = id.split_once(':')?;
    let name = rest.strip_prefix("fs:")?;
    (!pool_id.is_empty() && !name.is_empty() && !name.contains('@')).then_some((pool_id, name))
}

/// The id of snapshot `name` of file system `fs_id`.
pub fn snapshot_id(fs_id: &str, name: &str) -> String {
    format!("{fs_id}@{name}")
}

/// `(fs id, name)` of a snapshot id.
pub fn parse_snapshot_id(id: &str) -> Option<(&str, &str)> {
    let (fs_id, name) = id.split_once('@')?;
    (parse_fs_id(fs_id).is_some() && !name.is_empty()).then_some((fs_id, name))
}

/// The id of the NFS export with ganesha id `export_id`.
pub fn export_id(export_id: u16) -> String {
    format!("nfs-export-{export_id}")
}

/// The ganesha id of an NFS export id.
pub fn parse_export_id(id: &str) -> Option<u16> {
    id.strip_prefix("nfs-export-")?.parse().ok()
}

/// FNV-1a, 64 bits, from `basis`.
fn fnv1a(basis: u64, parts: &[&[u8]]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = basis;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
        // Separate the parts so ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(PRIME);
    }
    hash
}

/// A stable NAA type 6 identifier (32 hex digits, the form LSM requires
/// for vpd83) derived from `parts`: the same parts always give the same id.
pub fn naa6_from(parts: &[&[u8]]) -> String {
    let high = fnv1a(0xcbf2_9ce4_8422_2325, parts);
    let low = fnv1a(0x6c62_272e_07bb_0142, parts);
    let hex = format!("{high:016x}{low:016x}");
    format!("6{}", &hex[1..])
}

/// The SCSI unit serial number (VPD page 0x80) of a LUN: the last 16 hex
/// digits of its vpd83.
pub fn scsi_serial(vpd83: &str) -> String {
    let start = vpd83.len().saturating_sub(16);
    vpd83.get(start..).unwrap_or(vpd83).to_owned()
}

/// Unix seconds of a `YYYY-MM-DD HH:MM:SS` UTC time (btrfs prints otime
/// like that; the plugin runs btrfs with `TZ=UTC`). Anything after the
/// seconds (a zone `+0000`) is ignored.
pub fn utc_to_unix(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let date = parts.next()?;
    let time = parts.next()?;
    let mut date = date.split('-').map(str::parse::<i64>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let mut time = time.split(':').map(str::parse::<i64>);
    let (hour, minute, second) = (time.next()?.ok()?, time.next()?.ok()?, time.next()?.ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    // Days from the civil date (H. Hinnant's algorithm).
    let shifted = if month <= 2 { year - 1 } else { year };
    let era = shifted.div_euclid(400);
    let year_of_era = shifted - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// `size` rounded up to whole blocks.
pub fn round_up_to_block(size: u64) -> u64 {
    let block = BLOCK_SIZE as u64;
    size.div_ceil(block).saturating_mul(block)
}

/// A positive size in bytes from the wire, as `u64`.
pub fn size_from_wire(what: &str, size: i64) -> Result<u64, LsmError> {
    u64::try_from(size)
        .ok()
        .filter(|size| *size > 0)
        .ok_or_else(|| {
            LsmError::invalid_argument(format!("{what} must be a positive number of bytes"))
        })
}

/// A byte count for the wire (saturating at `i64::MAX`).
pub fn size_to_wire(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::validate::vpd83_is_valid;

    #[test]
    fn ids_split_back() {
        let pool = btrfs_pool_id("5ebc47c7-218e-42d5-89aa-045f56037ffe");
        let volume = volume_id(&pool, "v:1");
        assert_eq!(parse_volume_id(&volume), Some((pool.as_str(), "v:1")));
        assert_eq!(parse_fs_id(&volume), None);
        let fs = fs_id(&pool, "data.fs");
        assert_eq!(parse_fs_id(&fs), Some((pool.as_str(), "data.fs")));
        let snapshot = snapshot_id(&fs, "daily:1");
        assert_eq!(parse_snapshot_id(&snapshot), Some((fs.as_str(), "daily:1")));
        assert_eq!(parse_fs_id(&snapshot), None);
        assert_eq!(parse_export_id(&export_id(123)), Some(123));
        for bad in ["", "x", "pool:vol:", ":vol:x", "pool:fs:x"] {
            assert_eq!(parse_volume_id(bad), None, "{bad}");
        }
        assert_eq!(parse_export_id("nfs-export-70000"), None);
        assert_eq!(parse_snapshot_id("nope@x"), None);
    }

    #[test]
    fn naa6_is_stable_valid_and_distinct() {
        let first = naa6_from(&[b"fsid", b"257"]);
        assert_eq!(first, naa6_from(&[b"fsid", b"257"]));
        assert!(vpd83_is_valid(&first), "{first}");
        assert!(first.starts_with('6') && first.len() == 32);
        assert_ne!(first, naa6_from(&[b"fsid", b"258"]));
        assert_ne!(naa6_from(&[b"ab", b"c"]), naa6_from(&[b"a", b"bc"]));
        assert_eq!(scsi_serial(&first), first[16..]);
    }

    #[test]
    fn utc_times_convert() {
        assert_eq!(utc_to_unix("1970-01-01 00:00:00"), Some(0));
        assert_eq!(utc_to_unix("2026-11-25 14:55:16"), Some(1_795_618_516));
        assert_eq!(utc_to_unix("2000-02-29 12:00:00 +0000"), Some(951_825_600));
        assert_eq!(utc_to_unix("-"), None);
        assert_eq!(utc_to_unix("2024-13-01 00:00:00"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(round_up_to_block(1), 512);
        assert_eq!(round_up_to_block(1024), 1024);
        assert!(size_from_wire("size", 0).is_err());
        assert!(size_from_wire("size", -5).is_err());
        assert_eq!(size_from_wire("size", 7).unwrap(), 7);
        assert_eq!(size_to_wire(u64::MAX), i64::MAX);
    }

    #[test]
    fn backend_errors_keep_their_number_and_text() {
        let error: LsmError = crate::Error::NameConflict("vol1 exists".into()).into();
        assert_eq!(error.code, ErrorNumber::NAME_CONFLICT);
        assert!(error.message.contains("vol1 exists"));
    }
}
