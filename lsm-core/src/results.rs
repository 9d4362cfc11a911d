//! Results that travel as JSON arrays rather than objects (RAID info, pool
//! members, RAID create capabilities, cache info, job status), given names.

use serde::{Deserialize, Serialize};

use crate::types::{
    JobStatus, LsmObject, MemberType, PhysicalDiskCache, RaidType, ReadCachePolicy,
    WriteCachePolicy, WriteCacheStatus,
};

/// `volume_raid_info`: `[raid_type, strip_size, disk_count, min_io_size, opt_io_size]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    from = "(RaidType, i64, i64, i64, i64)",
    into = "(RaidType, i64, i64, i64, i64)"
)]
pub struct VolumeRaidInfo {
    pub raid_type: RaidType,
    pub strip_size: i64,
    pub disk_count: i64,
    pub min_io_size: i64,
    pub opt_io_size: i64,
}

impl From<(RaidType, i64, i64, i64, i64)> for VolumeRaidInfo {
    fn from(t: (RaidType, i64, i64, i64, i64)) -> Self {
        VolumeRaidInfo {
            raid_type: t.0,
            strip_size: t.1,
            disk_count: t.2,
            min_io_size: t.3,
            opt_io_size: t.4,
        }
    }
}

impl From<VolumeRaidInfo> for (RaidType, i64, i64, i64, i64) {
    fn from(v: VolumeRaidInfo) -> Self {
        (
            v.raid_type,
            v.strip_size,
            v.disk_count,
            v.min_io_size,
            v.opt_io_size,
        )
    }
}

/// `pool_member_info`: `[raid_type, member_type, member_ids]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    from = "(RaidType, MemberType, Vec<String>)",
    into = "(RaidType, MemberType, Vec<String>)"
)]
pub struct PoolMemberInfo {
    pub raid_type: RaidType,
    pub member_type: MemberType,
    pub member_ids: Vec<String>,
}

impl From<(RaidType, MemberType, Vec<String>)> for PoolMemberInfo {
    fn from(t: (RaidType, MemberType, Vec<String>)) -> Self {
        PoolMemberInfo {
            raid_type: t.0,
            member_type: t.1,
            member_ids: t.2,
        }
    }
}

impl From<PoolMemberInfo> for (RaidType, MemberType, Vec<String>) {
    fn from(p: PoolMemberInfo) -> Self {
        (p.raid_type, p.member_type, p.member_ids)
    }
}

/// `volume_raid_create_cap_get`: `[[raid_type, ...], [strip_size, ...]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(Vec<RaidType>, Vec<i64>)", into = "(Vec<RaidType>, Vec<i64>)")]
pub struct RaidCreateCap {
    pub raid_types: Vec<RaidType>,
    pub strip_sizes: Vec<i64>,
}

impl From<(Vec<RaidType>, Vec<i64>)> for RaidCreateCap {
    fn from(t: (Vec<RaidType>, Vec<i64>)) -> Self {
        RaidCreateCap {
            raid_types: t.0,
            strip_sizes: t.1,
        }
    }
}

impl From<RaidCreateCap> for (Vec<RaidType>, Vec<i64>) {
    fn from(c: RaidCreateCap) -> Self {
        (c.raid_types, c.strip_sizes)
    }
}

/// `volume_cache_info`: `[write_cache_policy, write_cache_status,
/// read_cache_policy, read_cache_status, physical_disk_cache]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    from = "(WriteCachePolicy, WriteCacheStatus, ReadCachePolicy, ReadCachePolicy, PhysicalDiskCache)",
    into = "(WriteCachePolicy, WriteCacheStatus, ReadCachePolicy, ReadCachePolicy, PhysicalDiskCache)"
)]
pub struct VolumeCacheInfo {
    pub write_cache_policy: WriteCachePolicy,
    pub write_cache_status: WriteCacheStatus,
    pub read_cache_policy: ReadCachePolicy,
    pub read_cache_status: ReadCachePolicy,
    pub physical_disk_cache: PhysicalDiskCache,
}

type CacheTuple = (
    WriteCachePolicy,
    WriteCacheStatus,
    ReadCachePolicy,
    ReadCachePolicy,
    PhysicalDiskCache,
);

impl From<CacheTuple> for VolumeCacheInfo {
    fn from(t: CacheTuple) -> Self {
        VolumeCacheInfo {
            write_cache_policy: t.0,
            write_cache_status: t.1,
            read_cache_policy: t.2,
            read_cache_status: t.3,
            physical_disk_cache: t.4,
        }
    }
}

impl From<VolumeCacheInfo> for CacheTuple {
    fn from(c: VolumeCacheInfo) -> Self {
        (
            c.write_cache_policy,
            c.write_cache_status,
            c.read_cache_policy,
            c.read_cache_status,
            c.physical_disk_cache,
        )
    }
}

/// `job_status` on the wire: `[status, percent, item|null]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct JobStatusWire(pub JobStatus, pub i64, pub Option<LsmObject>);
