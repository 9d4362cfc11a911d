//! The `params` object of every wire method, one struct per method (protocol doc §4).
//!
//! Both sides use these: the [`Client`](crate::Client) serializes them (borrowing what it
//! sends, through [`Cow`]), and the plugin runner deserializes them (owning what it reads),
//! so a parameter name cannot differ between the two. The field order is the wire order,
//! `flags` last, as the reference clients send it.
//!
//! Parsing is strict: an unknown key is an error (`TRANSPORT_INVALID_ARG` in the runner);
//! an `Option` field may be missing or `null`; a missing or `null` `flags` reads as 0.
//! Passwords are [`Secret`]s, whose `Debug` never shows them.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize};

use crate::types::{
    AccessGroup, BlockRange, Disk, FileSystem, FsSnapshot, InitiatorType, NfsExport,
    PhysicalDiskCache, Pool, Provisioning, RaidType, ReadCachePolicy, ReplicationType, System,
    Volume, WriteCachePolicy,
};

/// The params of one wire method.
pub trait Params: Serialize {
    /// The wire method name, e.g. `"volume_create"`.
    const METHOD: &'static str;
}

/// A password on the wire. `Debug` shows `<redacted>`, so a logged request never holds it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret<'a>(pub Cow<'a, str>);

impl Secret<'_> {
    /// The password itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The password as an owned string.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl std::fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<'a> From<&'a str> for Secret<'a> {
    fn from(text: &'a str) -> Self {
        Secret(Cow::Borrowed(text))
    }
}

/// `flags`: an integer, read as 0 when missing or `null` (the reference's Python clients always
/// send it, C peers too; lenient here as the protocol doc §2.2 asks of plugins).
fn flags<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    Ok(Option::<i64>::deserialize(deserializer)?.unwrap_or(0))
}

/// Declares the params struct of each method: the fields as given, then `flags`, with serde
/// derives (strict: no unknown key) and the [`Params`] impl naming the method.
macro_rules! wire_params {
    ($(
        $(#[$meta:meta])*
        $method:literal => $name:ident $(<$lt:lifetime>)? {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        #[doc = ""]
        #[doc = concat!("The params of `", $method, "`.")]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name $(<$lt>)? {
            $(
                #[doc = concat!("`", stringify!($field), "` on the wire.")]
                $(#[$field_meta])*
                pub $field: $ty,
            )*
            /// Reserved: clients send 0.
            #[serde(default, deserialize_with = "flags")]
            pub flags: i64,
        }

        impl $(<$lt>)? Params for $name $(<$lt>)? {
            const METHOD: &'static str = $method;
        }
    )*};
}

wire_params! {
    // ------------------------------------------------------------ management (§4.1)

    /// Opens a session: the URI, the password and the per-call timeout (ms).
    "plugin_register" => PluginRegister<'a> {
        uri: Cow<'a, str>,
        password: Option<Secret<'a>>,
        /// Missing: the runner's default (30 s).
        timeout: Option<i64>,
    }
    /// Ends a session.
    "plugin_unregister" => PluginUnregister {}
    /// Asks for `[description, version]`; answered before registration too.
    "plugin_info" => PluginInfo {}
    /// Sets the per-call timeout (ms).
    "time_out_set" => TimeOutSet { ms: i64 }
    /// Asks for the per-call timeout (ms).
    "time_out_get" => TimeOutGet {}
    /// Asks what the system can do.
    "capabilities" => Capabilities<'a> { system: Cow<'a, System> }
    /// Asks how a job is doing: `[status, percent, item|null]`.
    "job_status" => JobStatus<'a> { job_id: Cow<'a, str> }
    /// Forgets a finished job.
    "job_free" => JobFree<'a> { job_id: Cow<'a, str> }
    /// Lists the systems (no search).
    "systems" => Systems {}
    /// Lists pools; search by `id` or `system_id`.
    "pools" => Pools<'a> { search_key: Option<Cow<'a, str>>, search_value: Option<Cow<'a, str>> }
    /// Sets the read share of the system cache, 0..=100 %.
    "system_read_cache_pct_update" => SystemReadCachePctUpdate<'a> {
        system: Cow<'a, System>,
        read_pct: i64,
    }

    // ------------------------------------------------------------------- SAN (§4.2)

    /// Lists volumes; search by `id`, `system_id` or `pool_id`.
    "volumes" => Volumes<'a> {
        search_key: Option<Cow<'a, str>>,
        search_value: Option<Cow<'a, str>>,
    }
    /// Lists disks; search by `id` or `system_id`.
    "disks" => Disks<'a> { search_key: Option<Cow<'a, str>>, search_value: Option<Cow<'a, str>> }
    /// Creates a volume (J+obj).
    "volume_create" => VolumeCreate<'a> {
        pool: Cow<'a, Pool>,
        volume_name: Cow<'a, str>,
        size_bytes: i64,
        provisioning: Provisioning,
    }
    /// Resizes a volume (J+obj).
    "volume_resize" => VolumeResize<'a> { volume: Cow<'a, Volume>, new_size_bytes: i64 }
    /// Replicates a volume (J+obj); `pool: null` is the source's pool.
    "volume_replicate" => VolumeReplicate<'a> {
        pool: Option<Cow<'a, Pool>>,
        rep_type: ReplicationType,
        volume_src: Cow<'a, Volume>,
        name: Cow<'a, str>,
    }
    /// Asks the block size `volume_replicate_range` counts in.
    "volume_replicate_range_block_size" => VolumeReplicateRangeBlockSize<'a> {
        system: Cow<'a, System>,
    }
    /// Replicates block ranges between two volumes (J).
    "volume_replicate_range" => VolumeReplicateRange<'a> {
        rep_type: ReplicationType,
        volume_src: Cow<'a, Volume>,
        volume_dest: Cow<'a, Volume>,
        ranges: Cow<'a, [BlockRange]>,
    }
    /// Deletes a volume (J).
    "volume_delete" => VolumeDelete<'a> { volume: Cow<'a, Volume> }
    /// Brings a volume online.
    "volume_enable" => VolumeEnable<'a> { volume: Cow<'a, Volume> }
    /// Takes a volume offline.
    "volume_disable" => VolumeDisable<'a> { volume: Cow<'a, Volume> }
    /// Sets (or clears, all `null`) an iSCSI initiator's CHAP credentials.
    "iscsi_chap_auth" => IscsiChapAuth<'a> {
        init_id: Cow<'a, str>,
        in_user: Option<Cow<'a, str>>,
        in_password: Option<Secret<'a>>,
        out_user: Option<Cow<'a, str>>,
        out_password: Option<Secret<'a>>,
    }
    /// Lists access groups; search by `id` or `system_id`.
    "access_groups" => AccessGroups<'a> {
        search_key: Option<Cow<'a, str>>,
        search_value: Option<Cow<'a, str>>,
    }
    /// Creates an access group holding one initiator.
    "access_group_create" => AccessGroupCreate<'a> {
        name: Cow<'a, str>,
        init_id: Cow<'a, str>,
        init_type: InitiatorType,
        system: Cow<'a, System>,
    }
    /// Deletes an access group.
    "access_group_delete" => AccessGroupDelete<'a> { access_group: Cow<'a, AccessGroup> }
    /// Adds an initiator to an access group.
    "access_group_initiator_add" => AccessGroupInitiatorAdd<'a> {
        access_group: Cow<'a, AccessGroup>,
        init_id: Cow<'a, str>,
        init_type: InitiatorType,
    }
    /// Removes an initiator from an access group.
    "access_group_initiator_delete" => AccessGroupInitiatorDelete<'a> {
        access_group: Cow<'a, AccessGroup>,
        init_id: Cow<'a, str>,
        init_type: InitiatorType,
    }
    /// Grants an access group access to a volume.
    "volume_mask" => VolumeMask<'a> {
        access_group: Cow<'a, AccessGroup>,
        volume: Cow<'a, Volume>,
    }
    /// Revokes an access group's access to a volume.
    "volume_unmask" => VolumeUnmask<'a> {
        access_group: Cow<'a, AccessGroup>,
        volume: Cow<'a, Volume>,
    }
    /// Lists the volumes an access group can reach.
    "volumes_accessible_by_access_group" => VolumesAccessibleByAccessGroup<'a> {
        access_group: Cow<'a, AccessGroup>,
    }
    /// Lists the access groups that can reach a volume.
    "access_groups_granted_to_volume" => AccessGroupsGrantedToVolume<'a> {
        volume: Cow<'a, Volume>,
    }
    /// Asks whether other volumes depend on this one.
    "volume_child_dependency" => VolumeChildDependency<'a> { volume: Cow<'a, Volume> }
    /// Makes the volumes that depend on this one independent (J).
    "volume_child_dependency_rm" => VolumeChildDependencyRm<'a> { volume: Cow<'a, Volume> }
    /// Lists target ports; search by `id` or `system_id`.
    "target_ports" => TargetPorts<'a> {
        search_key: Option<Cow<'a, str>>,
        search_value: Option<Cow<'a, str>>,
    }

    // ----------------------------------------------------------- API 1.2 (§4.5)

    /// Asks a volume's RAID geometry.
    "volume_raid_info" => VolumeRaidInfo<'a> { volume: Cow<'a, Volume> }
    /// Asks what a pool is made of.
    "pool_member_info" => PoolMemberInfo<'a> { pool: Cow<'a, Pool> }
    /// Asks which RAID types and strip sizes `volume_raid_create` takes.
    "volume_raid_create_cap_get" => VolumeRaidCreateCapGet<'a> { system: Cow<'a, System> }
    /// Creates a RAID volume from disks (never a job).
    "volume_raid_create" => VolumeRaidCreate<'a> {
        name: Cow<'a, str>,
        raid_type: RaidType,
        disks: Cow<'a, [Disk]>,
        strip_size: i64,
    }

    // ----------------------------------------------------------- API 1.3 (§4.6)

    /// Turns a volume's identification LED on.
    "volume_ident_led_on" => VolumeIdentLedOn<'a> { volume: Cow<'a, Volume> }
    /// Turns a volume's identification LED off.
    "volume_ident_led_off" => VolumeIdentLedOff<'a> { volume: Cow<'a, Volume> }
    /// Lists batteries; search by `id` or `system_id`.
    "batteries" => Batteries<'a> {
        search_key: Option<Cow<'a, str>>,
        search_value: Option<Cow<'a, str>>,
    }
    /// Asks a volume's cache policies and states.
    "volume_cache_info" => VolumeCacheInfo<'a> { volume: Cow<'a, Volume> }
    /// Sets a volume's physical disk cache.
    "volume_physical_disk_cache_update" => VolumePhysicalDiskCacheUpdate<'a> {
        volume: Cow<'a, Volume>,
        pdc: PhysicalDiskCache,
    }
    /// Sets a volume's write cache policy.
    "volume_write_cache_policy_update" => VolumeWriteCachePolicyUpdate<'a> {
        volume: Cow<'a, Volume>,
        wcp: WriteCachePolicy,
    }
    /// Sets a volume's read cache policy.
    "volume_read_cache_policy_update" => VolumeReadCachePolicyUpdate<'a> {
        volume: Cow<'a, Volume>,
        rcp: ReadCachePolicy,
    }

    // ------------------------------------------------------------------- NAS (§4.3)

    /// Lists file systems; search by `id`, `system_id` or `pool_id`.
    "fs" => Fs<'a> { search_key: Option<Cow<'a, str>>, search_value: Option<Cow<'a, str>> }
    /// Creates a file system (J+obj).
    "fs_create" => FsCreate<'a> { pool: Cow<'a, Pool>, name: Cow<'a, str>, size_bytes: i64 }
    /// Deletes a file system (J).
    "fs_delete" => FsDelete<'a> { fs: Cow<'a, FileSystem> }
    /// Resizes a file system (J+obj).
    "fs_resize" => FsResize<'a> { fs: Cow<'a, FileSystem>, new_size_bytes: i64 }
    /// Clones a file system, from a snapshot or its current state (J+obj).
    "fs_clone" => FsClone<'a> {
        src_fs: Cow<'a, FileSystem>,
        dest_fs_name: Cow<'a, str>,
        snapshot: Option<Cow<'a, FsSnapshot>>,
    }
    /// Clones one file of a file system (J).
    "fs_file_clone" => FsFileClone<'a> {
        fs: Cow<'a, FileSystem>,
        src_file_name: Cow<'a, str>,
        dest_file_name: Cow<'a, str>,
        snapshot: Option<Cow<'a, FsSnapshot>>,
    }
    /// Asks whether anything depends on the file system (or on these files of it).
    "fs_child_dependency" => FsChildDependency<'a> {
        fs: Cow<'a, FileSystem>,
        files: Option<Cow<'a, [String]>>,
    }
    /// Makes what depends on the file system (or on these files) independent (J).
    "fs_child_dependency_rm" => FsChildDependencyRm<'a> {
        fs: Cow<'a, FileSystem>,
        files: Option<Cow<'a, [String]>>,
    }
    /// Lists a file system's snapshots (no search).
    "fs_snapshots" => FsSnapshots<'a> { fs: Cow<'a, FileSystem> }
    /// Snapshots a file system (J+obj).
    "fs_snapshot_create" => FsSnapshotCreate<'a> {
        fs: Cow<'a, FileSystem>,
        snapshot_name: Cow<'a, str>,
    }
    /// Deletes a snapshot (J).
    "fs_snapshot_delete" => FsSnapshotDelete<'a> {
        fs: Cow<'a, FileSystem>,
        snapshot: Cow<'a, FsSnapshot>,
    }
    /// Restores a file system, or some of its files, from a snapshot (J).
    "fs_snapshot_restore" => FsSnapshotRestore<'a> {
        fs: Cow<'a, FileSystem>,
        snapshot: Cow<'a, FsSnapshot>,
        files: Option<Cow<'a, [String]>>,
        restore_files: Option<Cow<'a, [String]>>,
        /// Missing: false.
        all_files: Option<bool>,
    }

    // ------------------------------------------------------------ NFS export (§4.4)

    /// Asks the NFS auth types the plugin knows.
    "export_auth" => ExportAuth {}
    /// Lists NFS exports; search by `id` or `fs_id`.
    "exports" => Exports<'a> {
        search_key: Option<Cow<'a, str>>,
        search_value: Option<Cow<'a, str>>,
    }
    /// Exports a file system over NFS (or changes an export of the same path). Missing host
    /// lists read as empty, missing anonymous ids as -1 (not applicable).
    "export_fs" => ExportFs<'a> {
        fs_id: Cow<'a, str>,
        export_path: Option<Cow<'a, str>>,
        root_list: Option<Cow<'a, [String]>>,
        rw_list: Option<Cow<'a, [String]>>,
        ro_list: Option<Cow<'a, [String]>>,
        anon_uid: Option<i64>,
        anon_gid: Option<i64>,
        auth_type: Option<Cow<'a, str>>,
        options: Option<Cow<'a, str>>,
    }
    /// Removes an NFS export.
    "export_remove" => ExportRemove<'a> { export: Cow<'a, NfsExport> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_serialize_in_wire_order_with_flags_last() {
        let job = JobStatus {
            job_id: "7".into(),
            flags: 0,
        };
        assert_eq!(
            serde_json::to_string(&job).unwrap(),
            r#"{"job_id":"7","flags":0}"#
        );
        let register = PluginRegister {
            uri: "sim://".into(),
            password: None,
            timeout: Some(30_000),
            flags: 0,
        };
        assert_eq!(
            serde_json::to_string(&register).unwrap(),
            r#"{"uri":"sim://","password":null,"timeout":30000,"flags":0}"#
        );
    }

    #[test]
    fn parsing_is_strict_but_lenient_on_optional_keys_and_flags() {
        let parsed: TimeOutSet = serde_json::from_str(r#"{"ms":5}"#).unwrap();
        assert_eq!((parsed.ms, parsed.flags), (5, 0));
        let parsed: TimeOutSet = serde_json::from_str(r#"{"ms":5,"flags":null}"#).unwrap();
        assert_eq!(parsed.flags, 0);
        let parsed: ExportFs = serde_json::from_str(r#"{"fs_id":"a","flags":0}"#).unwrap();
        assert_eq!((parsed.rw_list, parsed.anon_uid), (None, None));
        assert!(serde_json::from_str::<TimeOutSet>(r#"{"ms":5,"extra":1}"#).is_err());
        assert!(serde_json::from_str::<TimeOutSet>(r#"{"flags":0}"#).is_err());
        assert!(serde_json::from_str::<TimeOutSet>(r#"{"ms":"5"}"#).is_err());
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        let register = PluginRegister {
            uri: "ontap://admin@filer".into(),
            password: Some("hunter2".into()),
            timeout: None,
            flags: 0,
        };
        let shown = format!("{register:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        let chap = IscsiChapAuth {
            init_id: "iqn.1994-05.com.example:a".into(),
            in_user: Some("user".into()),
            in_password: Some("inpass".into()),
            out_user: Some("out".into()),
            out_password: Some("outpass".into()),
            flags: 0,
        };
        let shown = format!("{chap:?}");
        assert!(
            !shown.contains("inpass") && !shown.contains("outpass"),
            "{shown}"
        );
        assert_eq!(
            serde_json::to_value(&chap).unwrap()["in_password"],
            "inpass"
        );
    }

    #[test]
    fn borrowed_and_owned_forms_are_the_same_on_the_wire() {
        let files = vec!["a".to_string()];
        let borrowed = FsChildDependency {
            fs: Cow::Owned(FileSystem::default()),
            files: Some(Cow::Borrowed(&files)),
            flags: 0,
        };
        let text = serde_json::to_string(&borrowed).unwrap();
        let owned: FsChildDependency = serde_json::from_str(&text).unwrap();
        assert_eq!(owned, borrowed);
        assert_eq!(serde_json::to_string(&owned).unwrap(), text);
    }
}
