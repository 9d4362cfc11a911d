//! Results that travel as JSON arrays rather than objects (plugin info, RAID info, pool
//! members, RAID create capabilities, cache info, job status), given names,
//! and [`Completion`], the answer of an async method (done, or a job), the
//! same type on the client and the plugin side.

use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::{
    JobStatus, LsmObject, MemberType, PhysicalDiskCache, RaidType, ReadCachePolicy,
    WriteCachePolicy, WriteCacheStatus,
};

/// `plugin_info`: what the plugin says it is, `[description, version]` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(String, String)", into = "(String, String)")]
pub struct PluginInfo {
    /// What the plugin manages, in a few words.
    pub description: String,
    /// The plugin's version.
    pub version: String,
}

impl From<(String, String)> for PluginInfo {
    fn from((description, version): (String, String)) -> Self {
        PluginInfo {
            description,
            version,
        }
    }
}

impl From<PluginInfo> for (String, String) {
    fn from(info: PluginInfo) -> Self {
        (info.description, info.version)
    }
}

/// `volume_raid_info`: `[raid_type, strip_size, disk_count, min_io_size, opt_io_size]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    from = "(RaidType, i64, i64, i64, i64)",
    into = "(RaidType, i64, i64, i64, i64)"
)]
pub struct VolumeRaidInfo {
    /// The RAID level of the volume.
    pub raid_type: RaidType,
    /// Bytes written to one disk before the next (`UNKNOWN` -1 when not known).
    pub strip_size: i64,
    /// How many disks hold the volume.
    pub disk_count: i64,
    /// The smallest I/O size the volume serves well, in bytes.
    pub min_io_size: i64,
    /// The I/O size the volume serves best, in bytes.
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
    /// The RAID level the pool's members are in.
    pub raid_type: RaidType,
    /// What the members are: disks, or another pool.
    pub member_type: MemberType,
    /// The ids of the members (disks or the pool).
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
    /// The RAID levels `volume_raid_create` takes.
    pub raid_types: Vec<RaidType>,
    /// The strip sizes it takes, in bytes.
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
    /// The write cache policy set.
    pub write_cache_policy: WriteCachePolicy,
    /// The write cache as it works now.
    pub write_cache_status: WriteCacheStatus,
    /// The read cache policy set.
    pub read_cache_policy: ReadCachePolicy,
    /// The read cache as it works now.
    pub read_cache_status: ReadCachePolicy,
    /// The disks' own cache.
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

/// A job started by the plugin, whose result will be a `T`; `Client::wait` turns it into
/// that result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job<T> {
    /// The plugin's job id.
    pub id: String,
    _output: PhantomData<fn() -> T>,
}

impl<T> Job<T> {
    /// The job of this id.
    pub fn new(id: impl Into<String>) -> Self {
        Job {
            id: id.into(),
            _output: PhantomData,
        }
    }
}

/// The answer of a method the wire marks as async: done now, or a job to wait for. A
/// plugin returns it (`Completion::Done(volume)`, `Completion::job(id)`); the client hands
/// it to the application.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion<T> {
    /// Done already: the result.
    Done(T),
    /// Running: the job to wait for.
    Job(Job<T>),
}

impl<T> Completion<T> {
    /// A job with this id.
    pub fn job(id: impl Into<String>) -> Self {
        Completion::Job(Job::new(id))
    }

    /// The job id, when a job was started.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            Completion::Done(_) => None,
            Completion::Job(j) => Some(&j.id),
        }
    }
}

/// `job_status`: `[status, percent, item|null]`; what a plugin answers and a client reads.
#[derive(Debug, Clone, PartialEq)]
pub struct JobReport {
    /// In progress, complete or failed.
    pub status: JobStatus,
    /// 0..=100 (clamped on the wire both ways).
    pub percent: u8,
    /// The finished object, once `COMPLETE`, for jobs that make one.
    pub item: Option<LsmObject>,
}

impl JobReport {
    /// Still running, `percent` done.
    pub fn in_progress(percent: u8) -> Self {
        JobReport {
            status: JobStatus::INPROGRESS,
            percent: percent.min(100),
            item: None,
        }
    }

    /// Finished, with the object it made (if it makes one).
    pub fn complete(item: Option<LsmObject>) -> Self {
        JobReport {
            status: JobStatus::COMPLETE,
            percent: 100,
            item,
        }
    }
}

impl Serialize for JobReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.status, i64::from(self.percent.min(100)), &self.item).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JobReport {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (status, percent, item) =
            <(JobStatus, i64, Option<LsmObject>)>::deserialize(deserializer)?;
        Ok(JobReport {
            status,
            percent: percent.clamp(0, 100) as u8,
            item,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_reports_travel_as_three_element_arrays_with_the_percent_clamped() {
        let report = JobReport::in_progress(42);
        assert_eq!(serde_json::to_string(&report).unwrap(), "[1,42,null]");
        let read: JobReport = serde_json::from_str("[2,250,null]").unwrap();
        assert_eq!(read, JobReport::complete(None));
        let read: JobReport = serde_json::from_str("[1,-5,null]").unwrap();
        assert_eq!(read.percent, 0);
        assert!(serde_json::from_str::<JobReport>("[1,5]").is_err());
    }

    #[test]
    fn a_completion_names_its_job() {
        assert_eq!(Completion::<()>::job("J1").job_id(), Some("J1"));
        assert_eq!(Completion::Done(()).job_id(), None);
    }
}
