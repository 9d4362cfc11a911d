//! Capabilities (protocol doc §6): which operations a plugin supports for a system.
//!
//! On the wire: `{"class": "Capabilities", "cap": "<hex>"}`, two hex digits per capability id,
//! `01` supported and `00` not, 512 entries when written by the reference or by us.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{LsmError, Result};
use crate::types::WireObject;
use crate::types::macros::{ClassTag, wire_enum};

wire_enum! {
    /// A capability id (byte index in the capability string). The 81 named ids are constants;
    /// unassigned ids are still representable.
    pub struct Capability(u32) {
        VOLUMES = 20,
        VOLUME_CREATE = 21,
        VOLUME_RESIZE = 22,
        VOLUME_REPLICATE = 23,
        VOLUME_REPLICATE_CLONE = 24,
        VOLUME_REPLICATE_COPY = 25,
        VOLUME_REPLICATE_MIRROR_ASYNC = 26,
        VOLUME_REPLICATE_MIRROR_SYNC = 27,
        VOLUME_COPY_RANGE_BLOCK_SIZE = 28,
        VOLUME_COPY_RANGE = 29,
        VOLUME_COPY_RANGE_CLONE = 30,
        VOLUME_COPY_RANGE_COPY = 31,
        VOLUME_DELETE = 33,
        VOLUME_ENABLE = 34,
        VOLUME_DISABLE = 35,
        VOLUME_MASK = 36,
        VOLUME_UNMASK = 37,
        ACCESS_GROUPS = 38,
        ACCESS_GROUP_CREATE_WWPN = 39,
        ACCESS_GROUP_DELETE = 40,
        ACCESS_GROUP_INITIATOR_ADD_WWPN = 41,
        ACCESS_GROUP_INITIATOR_DELETE = 42,
        VOLUMES_ACCESSIBLE_BY_ACCESS_GROUP = 43,
        ACCESS_GROUPS_GRANTED_TO_VOLUME = 44,
        VOLUME_CHILD_DEPENDENCY = 45,
        VOLUME_CHILD_DEPENDENCY_RM = 46,
        ACCESS_GROUP_CREATE_ISCSI_IQN = 47,
        ACCESS_GROUP_INITIATOR_ADD_ISCSI_IQN = 48,
        VOLUME_ISCSI_CHAP_AUTHENTICATION = 53,
        VOLUME_RAID_INFO = 54,
        VOLUME_THIN = 55,
        BATTERIES = 56,
        VOLUME_CACHE_INFO = 57,
        VOLUME_PHYSICAL_DISK_CACHE_UPDATE = 58,
        VOLUME_PHYSICAL_DISK_CACHE_UPDATE_SYSTEM_LEVEL = 59,
        VOLUME_WRITE_CACHE_POLICY_UPDATE_WRITE_BACK = 60,
        VOLUME_WRITE_CACHE_POLICY_UPDATE_AUTO = 61,
        VOLUME_WRITE_CACHE_POLICY_UPDATE_WRITE_THROUGH = 62,
        VOLUME_WRITE_CACHE_POLICY_UPDATE_IMPACT_READ = 63,
        VOLUME_WRITE_CACHE_POLICY_UPDATE_WB_IMPACT_OTHER = 64,
        VOLUME_READ_CACHE_POLICY_UPDATE = 65,
        VOLUME_READ_CACHE_POLICY_UPDATE_IMPACT_WRITE = 66,
        FS = 100,
        FS_DELETE = 101,
        FS_RESIZE = 102,
        FS_CREATE = 103,
        FS_CLONE = 104,
        FILE_CLONE = 105,
        FS_SNAPSHOTS = 106,
        FS_SNAPSHOT_CREATE = 107,
        FS_SNAPSHOT_DELETE = 109,
        FS_SNAPSHOT_RESTORE = 110,
        FS_SNAPSHOT_RESTORE_SPECIFIC_FILES = 111,
        FS_CHILD_DEPENDENCY = 112,
        FS_CHILD_DEPENDENCY_RM = 113,
        FS_CHILD_DEPENDENCY_RM_SPECIFIC_FILES = 114,
        EXPORT_AUTH = 120,
        EXPORTS = 121,
        EXPORT_FS = 122,
        EXPORT_REMOVE = 123,
        EXPORT_CUSTOM_PATH = 124,
        SYS_READ_CACHE_PCT_UPDATE = 158,
        SYS_READ_CACHE_PCT_GET = 159,
        SYS_FW_VERSION_GET = 160,
        SYS_MODE_GET = 161,
        DISK_LOCATION = 163,
        DISK_RPM = 164,
        DISK_LINK_TYPE = 165,
        VOLUME_LED = 171,
        POOLS_QUICK_SEARCH = 210,
        VOLUMES_QUICK_SEARCH = 211,
        DISKS_QUICK_SEARCH = 212,
        ACCESS_GROUPS_QUICK_SEARCH = 213,
        FS_QUICK_SEARCH = 214,
        NFS_EXPORTS_QUICK_SEARCH = 215,
        TARGET_PORTS = 216,
        TARGET_PORTS_QUICK_SEARCH = 217,
        DISKS = 220,
        POOL_MEMBER_INFO = 221,
        VOLUME_RAID_CREATE = 222,
        DISK_VPD83_GET = 223,
    }
}

/// The capability byte vector of one system.
///
/// Bytes past the end of a (short) decoded string count as unsupported. Any non-zero byte
/// counts as supported; [`Capabilities::set`] writes `01`/`00`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Capabilities {
    bytes: Vec<u8>,
}

impl Capabilities {
    /// Number of entries the reference (and this crate) writes.
    pub const LEN: usize = 512;

    /// Every capability unsupported (512 zero bytes).
    pub fn new() -> Self {
        Capabilities {
            bytes: vec![0; Self::LEN],
        }
    }

    /// Every entry supported (512 bytes of `01`), like the Python sim before it turns some off.
    pub fn all_supported() -> Self {
        Capabilities {
            bytes: vec![1; Self::LEN],
        }
    }

    /// True when `cap` is supported.
    pub fn supported(&self, cap: Capability) -> bool {
        usize::try_from(cap.0)
            .ok()
            .and_then(|index| self.bytes.get(index))
            .is_some_and(|byte| *byte != 0)
    }

    /// Marks `cap` supported or not. Ids at or past [`Self::LEN`] that lie beyond the
    /// current length are ignored (no such capability exists on the wire); a short vector is
    /// extended with `00` up to the id.
    pub fn set(&mut self, cap: Capability, supported: bool) {
        let Ok(index) = usize::try_from(cap.0) else {
            return;
        };
        if index >= self.bytes.len() {
            if index >= Self::LEN {
                return;
            }
            self.bytes.resize(index + 1, 0);
        }
        self.bytes[index] = u8::from(supported);
    }

    /// Marks every capability of `caps` supported.
    pub fn set_all(&mut self, caps: &[Capability]) {
        for cap in caps {
            self.set(*cap, true);
        }
    }

    /// The raw bytes (index = capability id).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The wire string: two lowercase hex digits per byte.
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(self.bytes.len() * 2);
        for byte in &self.bytes {
            hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
            hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
        }
        hex
    }

    /// Parses a wire string: any even length, either case. Odd length or a non-hex character
    /// gives `INVALID_ARGUMENT`.
    pub fn from_hex(hex: &str) -> Result<Self> {
        if !hex.len().is_multiple_of(2) {
            return Err(LsmError::invalid_argument(format!(
                "capability string has odd length {}",
                hex.len()
            )));
        }
        let digits = hex.as_bytes();
        let mut bytes = Vec::with_capacity(digits.len() / 2);
        for (pair_index, pair) in digits.chunks_exact(2).enumerate() {
            let high = hex_digit_value(pair[0]);
            let low = hex_digit_value(pair[1]);
            match (high, low) {
                (Some(high), Some(low)) => bytes.push((high << 4) | low),
                _ => {
                    return Err(LsmError::invalid_argument(format!(
                        "capability string has a non-hex character at offset {}",
                        pair_index * 2 + usize::from(high.is_some())
                    )));
                }
            }
        }
        Ok(Capabilities { bytes })
    }

    /// Every named capability, in id order, with its name and whether it is supported.
    pub fn iter(&self) -> impl Iterator<Item = (Capability, &'static str, bool)> + '_ {
        Capability::ALL
            .iter()
            .map(|(cap, name)| (*cap, *name, self.supported(*cap)))
    }

    /// The named capabilities that are supported, in id order.
    pub fn supported_list(&self) -> Vec<Capability> {
        self.iter()
            .filter(|(_, _, supported)| *supported)
            .map(|(cap, _, _)| cap)
            .collect()
    }
}

fn hex_digit_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl Default for Capabilities {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Capabilities {
    /// Lists the supported named capabilities (the raw 512 bytes are unreadable).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(
                self.iter()
                    .filter(|(_, _, supported)| *supported)
                    .map(|(_, name, _)| name),
            )
            .finish()
    }
}

impl WireObject for Capabilities {
    const CLASS: &'static str = "Capabilities";
}

impl Serialize for Capabilities {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct(Self::CLASS, 2)?;
        state.serialize_field("class", Self::CLASS)?;
        state.serialize_field("cap", &self.to_hex())?;
        state.end()
    }
}

impl<'de> Deserialize<'de> for Capabilities {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename = "Capabilities", deny_unknown_fields)]
        struct Mirror {
            #[serde(rename = "class")]
            _class: ClassTag<Capabilities>,
            cap: String,
        }
        let mirror = Mirror::deserialize(deserializer)?;
        Capabilities::from_hex(&mirror.cap).map_err(|error| D::Error::custom(error.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_81_named_capabilities_in_id_order() {
        assert_eq!(Capability::ALL.len(), 81);
        assert!(Capability::ALL.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert_eq!(Capability::VOLUMES.value(), 20);
        assert_eq!(Capability::DISK_VPD83_GET.name(), Some("DISK_VPD83_GET"));
    }

    #[test]
    fn set_and_query() {
        let mut caps = Capabilities::new();
        assert!(!caps.supported(Capability::VOLUMES));
        caps.set_all(&[Capability::VOLUMES, Capability::FS]);
        assert!(caps.supported(Capability::VOLUMES));
        assert!(caps.supported(Capability::FS));
        caps.set(Capability::FS, false);
        assert!(!caps.supported(Capability::FS));
        caps.set(Capability(100_000), true);
        assert!(!caps.supported(Capability(100_000)));
        assert_eq!(caps.as_bytes().len(), Capabilities::LEN);
        assert_eq!(caps.supported_list(), [Capability::VOLUMES]);
    }

    #[test]
    fn hex_round_trip_and_errors() -> Result<()> {
        let caps = Capabilities::from_hex("0001FF")?;
        assert!(!caps.supported(Capability(0)));
        assert!(caps.supported(Capability(1)));
        assert!(caps.supported(Capability(2)));
        assert!(!caps.supported(Capability::VOLUMES));
        assert_eq!(caps.to_hex(), "0001ff");
        assert!(Capabilities::from_hex("").is_ok());

        let odd = Capabilities::from_hex("010");
        assert!(odd.is_err_and(|e| e.code == crate::ErrorNumber::INVALID_ARGUMENT));
        let bad = Capabilities::from_hex("01zz");
        assert!(bad.is_err_and(|e| e.message.contains("offset 2")));
        // Multi-byte UTF-8 must be an error, not a panic.
        assert!(Capabilities::from_hex("0é").is_err());
        Ok(())
    }

    #[test]
    fn short_vector_grows_on_set() {
        let mut caps = Capabilities::from_hex("01").unwrap_or_default();
        caps.set(Capability::FS, true);
        assert!(caps.supported(Capability::FS));
        assert_eq!(caps.as_bytes().len(), 101);
    }
}
