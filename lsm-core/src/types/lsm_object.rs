//! [`LsmObject`]: any LSM data object, chosen by its `class` key. Used where the wire holds
//! "an object of some class", such as the item of a finished `job_status`.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::capabilities::Capabilities;
use crate::types::WireObject;
use crate::types::objects::{
    AccessGroup, Battery, BlockRange, Disk, FileSystem, FsSnapshot, NfsExport, Pool, System,
    TargetPort, Volume,
};

/// Any object of the 12 LSM classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LsmObject {
    /// `"class": "System"`.
    System(System),
    /// `"class": "Pool"`.
    Pool(Pool),
    /// `"class": "Volume"`.
    Volume(Volume),
    /// `"class": "Disk"`.
    Disk(Disk),
    /// `"class": "AccessGroup"`.
    AccessGroup(AccessGroup),
    /// `"class": "TargetPort"`.
    TargetPort(TargetPort),
    /// `"class": "FileSystem"`.
    FileSystem(FileSystem),
    /// `"class": "FsSnapshot"`.
    FsSnapshot(FsSnapshot),
    /// `"class": "NfsExport"`.
    NfsExport(NfsExport),
    /// `"class": "Battery"`.
    Battery(Battery),
    /// `"class": "BlockRange"`.
    BlockRange(BlockRange),
    /// `"class": "Capabilities"`.
    Capabilities(Capabilities),
}

impl LsmObject {
    /// The wire `class` name of the object inside.
    pub fn class(&self) -> &'static str {
        match self {
            LsmObject::System(_) => System::CLASS,
            LsmObject::Pool(_) => Pool::CLASS,
            LsmObject::Volume(_) => Volume::CLASS,
            LsmObject::Disk(_) => Disk::CLASS,
            LsmObject::AccessGroup(_) => AccessGroup::CLASS,
            LsmObject::TargetPort(_) => TargetPort::CLASS,
            LsmObject::FileSystem(_) => FileSystem::CLASS,
            LsmObject::FsSnapshot(_) => FsSnapshot::CLASS,
            LsmObject::NfsExport(_) => NfsExport::CLASS,
            LsmObject::Battery(_) => Battery::CLASS,
            LsmObject::BlockRange(_) => BlockRange::CLASS,
            LsmObject::Capabilities(_) => Capabilities::CLASS,
        }
    }
}

macro_rules! lsm_object_from {
    ($($variant:ident),+) => {
        $(
            impl From<$variant> for LsmObject {
                fn from(object: $variant) -> Self {
                    LsmObject::$variant(object)
                }
            }
        )+
    };
}

lsm_object_from!(
    System,
    Pool,
    Volume,
    Disk,
    AccessGroup,
    TargetPort,
    FileSystem,
    FsSnapshot,
    NfsExport,
    Battery,
    BlockRange,
    Capabilities
);

impl Serialize for LsmObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            LsmObject::System(o) => o.serialize(serializer),
            LsmObject::Pool(o) => o.serialize(serializer),
            LsmObject::Volume(o) => o.serialize(serializer),
            LsmObject::Disk(o) => o.serialize(serializer),
            LsmObject::AccessGroup(o) => o.serialize(serializer),
            LsmObject::TargetPort(o) => o.serialize(serializer),
            LsmObject::FileSystem(o) => o.serialize(serializer),
            LsmObject::FsSnapshot(o) => o.serialize(serializer),
            LsmObject::NfsExport(o) => o.serialize(serializer),
            LsmObject::Battery(o) => o.serialize(serializer),
            LsmObject::BlockRange(o) => o.serialize(serializer),
            LsmObject::Capabilities(o) => o.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for LsmObject {
    /// Buffers the object as a JSON value, reads `class`, then decodes the matching struct.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let class = match value.get("class") {
            Some(serde_json::Value::String(class)) => class.clone(),
            Some(_) => return Err(D::Error::custom("the \"class\" key is not a string")),
            None => return Err(D::Error::custom("object has no \"class\" key")),
        };
        fn decode<T: serde::de::DeserializeOwned, E: serde::de::Error>(
            value: serde_json::Value,
        ) -> Result<T, E> {
            T::deserialize(value).map_err(E::custom)
        }
        Ok(match class.as_str() {
            System::CLASS => LsmObject::System(decode(value)?),
            Pool::CLASS => LsmObject::Pool(decode(value)?),
            Volume::CLASS => LsmObject::Volume(decode(value)?),
            Disk::CLASS => LsmObject::Disk(decode(value)?),
            AccessGroup::CLASS => LsmObject::AccessGroup(decode(value)?),
            TargetPort::CLASS => LsmObject::TargetPort(decode(value)?),
            FileSystem::CLASS => LsmObject::FileSystem(decode(value)?),
            FsSnapshot::CLASS => LsmObject::FsSnapshot(decode(value)?),
            NfsExport::CLASS => LsmObject::NfsExport(decode(value)?),
            Battery::CLASS => LsmObject::Battery(decode(value)?),
            BlockRange::CLASS => LsmObject::BlockRange(decode(value)?),
            Capabilities::CLASS => LsmObject::Capabilities(decode(value)?),
            other => {
                return Err(D::Error::custom(format!(
                    "unknown object class \"{other}\""
                )));
            }
        })
    }
}
