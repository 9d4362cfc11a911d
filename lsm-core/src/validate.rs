//! Format predicates and helpers, public for clients, plugins and tools: vpd83 format,
//! initiator ids (iSCSI names, WWPNs; the reference client checks and normalises them before
//! sending), search keys (protocol doc §4.7), search filtering and size-to-blocks. The
//! argument checks the plugin runner makes of each request are in `checks` (crate-private),
//! which uses these.

use crate::error::{LsmError, Result};
use crate::types::{
    AccessGroup, Battery, Disk, FileSystem, InitiatorType, NfsExport, Pool, TargetPort, Volume,
};

/// True when `vpd83` is `""`, `6` + 31 hex digits (NAA 6), or `2`/`3`/`5` + 15 hex digits
/// (NAA 2, 3, 5). Either case is accepted.
pub fn vpd83_is_valid(vpd83: &str) -> bool {
    let bytes = vpd83.as_bytes();
    match bytes.first() {
        None => true,
        Some(b'6') => bytes.len() == 32 && all_hex(&bytes[1..]),
        Some(b'2' | b'3' | b'5') => bytes.len() == 16 && all_hex(&bytes[1..]),
        Some(_) => false,
    }
}

fn all_hex(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_hexdigit)
}

/// True for an iSCSI qualified name: `iqn.YYYY-MM.<naming authority>[:<anything>]`, no
/// whitespace (RFC 3720 §3.2.6.3.1). The `iqn` prefix may be in either case.
pub fn iqn_is_valid(name: &str) -> bool {
    let Some(rest) = strip_prefix_ignore_case(name, "iqn.") else {
        return false;
    };
    let bytes = rest.as_bytes();
    // YYYY-MM.
    let date_ok = bytes.len() > 8
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'.';
    date_ok
        && !rest[8..].starts_with(':')
        && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// True for an EUI-64 iSCSI name: `eui.` + 16 hex digits.
pub fn eui_is_valid(name: &str) -> bool {
    strip_prefix_ignore_case(name, "eui.")
        .is_some_and(|hex| hex.len() == 16 && all_hex(hex.as_bytes()))
}

/// True for an NAA iSCSI name: `naa.` + 16 or 32 hex digits.
pub fn naa_is_valid(name: &str) -> bool {
    strip_prefix_ignore_case(name, "naa.")
        .is_some_and(|hex| (hex.len() == 16 || hex.len() == 32) && all_hex(hex.as_bytes()))
}

/// True for any iSCSI initiator name: iqn, eui or naa.
pub fn iscsi_name_is_valid(name: &str) -> bool {
    iqn_is_valid(name) || eui_is_valid(name) || naa_is_valid(name)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// Normalises a WWPN to lowercase colon form (`aa:bb:cc:dd:ee:ff:00:11`).
///
/// Accepts 8 hex byte pairs, optionally prefixed by `0x`, either without separators or with
/// one `:`, `-` or `.` between pairs (the Python binding allows a separator per position).
/// Returns `None` for anything else.
pub fn wwpn_normalize(wwpn: &str) -> Option<String> {
    let body = strip_prefix_ignore_case(wwpn, "0x").unwrap_or(wwpn);
    let bytes = body.as_bytes();
    let mut digits = Vec::with_capacity(16);
    let mut index = 0;
    for pair in 0..8 {
        if pair > 0 && matches!(bytes.get(index), Some(b':' | b'-' | b'.')) {
            index += 1;
        }
        for _ in 0..2 {
            let digit = *bytes.get(index)?;
            if !digit.is_ascii_hexdigit() {
                return None;
            }
            digits.push(digit.to_ascii_lowercase());
            index += 1;
        }
    }
    if index != bytes.len() {
        return None;
    }
    let mut normalized = String::with_capacity(23);
    for (pair_index, pair) in digits.chunks_exact(2).enumerate() {
        if pair_index > 0 {
            normalized.push(':');
        }
        normalized.extend(pair.iter().map(|b| char::from(*b)));
    }
    Some(normalized)
}

/// Checks an initiator id against its type and normalises it, as the Python client does
/// before `access_group_create` / `access_group_initiator_add` / `_delete`.
///
/// - `ISCSI_IQN` needs an iqn/eui/naa name (returned unchanged);
/// - `WWPN` needs a WWPN (returned in lowercase colon form);
/// - `UNKNOWN`, `OTHER` and `ISCSI_WWPN_MIXED`: the type is guessed from the id and the
///   guessed type (`WWPN` or `ISCSI_IQN`) is returned.
///
/// Anything else is `INVALID_ARGUMENT` with a message naming the expected format.
pub fn normalize_init_id(id: &str, init_type: InitiatorType) -> Result<(String, InitiatorType)> {
    if id.is_empty() {
        return Err(LsmError::invalid_argument("the initiator id is empty"));
    }
    match init_type {
        InitiatorType::ISCSI_IQN => {
            if iscsi_name_is_valid(id) {
                Ok((id.to_string(), InitiatorType::ISCSI_IQN))
            } else {
                Err(LsmError::invalid_argument(format!(
                    "invalid iSCSI initiator name {id:?}: expected iqn.YYYY-MM.authority[:name], \
                     eui. + 16 hex digits or naa. + 16/32 hex digits"
                )))
            }
        }
        InitiatorType::WWPN => wwpn_normalize(id)
            .map(|wwpn| (wwpn, InitiatorType::WWPN))
            .ok_or_else(|| {
                LsmError::invalid_argument(format!(
                    "invalid WWPN {id:?}: expected 16 hex digits, optionally 0x-prefixed or \
                     separated by ':', '-' or '.'"
                ))
            }),
        InitiatorType::UNKNOWN | InitiatorType::OTHER | InitiatorType::ISCSI_WWPN_MIXED => {
            if let Some(wwpn) = wwpn_normalize(id) {
                Ok((wwpn, InitiatorType::WWPN))
            } else if iscsi_name_is_valid(id) {
                Ok((id.to_string(), InitiatorType::ISCSI_IQN))
            } else {
                Err(LsmError::invalid_argument(format!(
                    "initiator id {id:?} is neither a WWPN nor an iSCSI name (iqn./eui./naa.)"
                )))
            }
        }
        other => Err(LsmError::invalid_argument(format!(
            "unsupported initiator type {}",
            other.0
        ))),
    }
}

/// A listing method that takes `search_key` / `search_value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listing {
    /// `pools`.
    Pools,
    /// `volumes`.
    Volumes,
    /// `disks`.
    Disks,
    /// `access_groups`.
    AccessGroups,
    /// `fs`.
    Fs,
    /// `exports`.
    Exports,
    /// `target_ports`.
    TargetPorts,
    /// `batteries`.
    Batteries,
}

impl Listing {
    /// The wire method name (`"access_groups"`).
    pub fn method(self) -> &'static str {
        use crate::params::{self as wire, Params};
        match self {
            Listing::Pools => wire::Pools::METHOD,
            Listing::Volumes => wire::Volumes::METHOD,
            Listing::Disks => wire::Disks::METHOD,
            Listing::AccessGroups => wire::AccessGroups::METHOD,
            Listing::Fs => wire::Fs::METHOD,
            Listing::Exports => wire::Exports::METHOD,
            Listing::TargetPorts => wire::TargetPorts::METHOD,
            Listing::Batteries => wire::Batteries::METHOD,
        }
    }
}

/// The search keys a listing accepts (protocol doc §4.7).
pub fn allowed_search_keys(listing: Listing) -> &'static [&'static str] {
    match listing {
        Listing::Pools
        | Listing::Disks
        | Listing::AccessGroups
        | Listing::TargetPorts
        | Listing::Batteries => &["id", "system_id"],
        Listing::Volumes | Listing::Fs => &["id", "system_id", "pool_id"],
        Listing::Exports => &["id", "fs_id"],
    }
}

/// `Ok` when `key` is allowed for `listing`, else `UNSUPPORTED_SEARCH_KEY` (510) naming the
/// key and the allowed ones.
pub fn check_search_key(listing: Listing, key: &str) -> Result<()> {
    let allowed = allowed_search_keys(listing);
    if allowed.contains(&key) {
        Ok(())
    } else {
        Err(LsmError::unsupported_search_key(format!(
            "unsupported search key {key:?} for {}; allowed keys: {}",
            listing.method(),
            allowed.join(", ")
        )))
    }
}

/// An object that can be filtered by `search_key` / `search_value`.
pub trait Searchable {
    /// The string value of the searchable property `key` (`id`, `system_id`, `pool_id`,
    /// `fs_id`), or `None` when the object has no such property.
    fn search_value(&self, key: &str) -> Option<&str>;
}

macro_rules! searchable {
    ($type:ty { $($key:literal => $field:ident),+ $(,)? }) => {
        impl Searchable for $type {
            fn search_value(&self, key: &str) -> Option<&str> {
                match key {
                    $( $key => Some(&self.$field), )+
                    _ => None,
                }
            }
        }
    };
}

searchable!(Pool { "id" => id, "system_id" => system_id });
searchable!(Volume { "id" => id, "system_id" => system_id, "pool_id" => pool_id });
searchable!(Disk { "id" => id, "system_id" => system_id });
searchable!(AccessGroup { "id" => id, "system_id" => system_id });
searchable!(FileSystem { "id" => id, "system_id" => system_id, "pool_id" => pool_id });
searchable!(NfsExport { "id" => id, "fs_id" => fs_id });
searchable!(TargetPort { "id" => id, "system_id" => system_id });
searchable!(Battery { "id" => id, "system_id" => system_id });

/// Applies a listing's search to `items` the way plugins do (exact string equality).
///
/// `search_key: None` returns everything. A key outside §4.7 is `UNSUPPORTED_SEARCH_KEY`;
/// a key without a value is `INVALID_ARGUMENT`.
pub fn filter_by_search<T: Searchable>(
    listing: Listing,
    items: Vec<T>,
    search_key: Option<&str>,
    search_value: Option<&str>,
) -> Result<Vec<T>> {
    let Some(key) = search_key else {
        return Ok(items);
    };
    check_search_key(listing, key)?;
    let Some(value) = search_value else {
        return Err(LsmError::invalid_argument(format!(
            "search key {key:?} given without a search value"
        )));
    };
    Ok(items
        .into_iter()
        .filter(|item| item.search_value(key) == Some(value))
        .collect())
}

/// Number of blocks needed to hold `size_bytes` (rounded up). `INVALID_ARGUMENT` for a
/// non-positive block size or a negative size.
pub fn size_to_blocks(size_bytes: i64, block_size: i64) -> Result<i64> {
    if block_size <= 0 {
        return Err(LsmError::invalid_argument(format!(
            "block size must be positive, got {block_size}"
        )));
    }
    if size_bytes < 0 {
        return Err(LsmError::invalid_argument(format!(
            "size must not be negative, got {size_bytes}"
        )));
    }
    Ok(size_bytes / block_size + i64::from(size_bytes % block_size != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_to_blocks_rounds_up() {
        assert!(matches!(size_to_blocks(1024, 512), Ok(2)));
        assert!(matches!(size_to_blocks(1025, 512), Ok(3)));
        assert!(matches!(size_to_blocks(0, 512), Ok(0)));
        assert!(size_to_blocks(1, 0).is_err());
        assert!(size_to_blocks(-1, 512).is_err());
    }
}
