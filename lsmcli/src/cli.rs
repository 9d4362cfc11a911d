//! The command line: every command, option and alias of the reference lsmcli (protocol doc
//! §9), as one clap definition that also feeds the shell completions and the man page.
//!
//! - Global options are accepted before and after the command (`lsmcli list --type pools
//!   -H`), as the reference's argparse parent parser allows.
//! - Aliases (`lp` = `list --type pools`, `vc` = `volume-create`, ...) are expanded before
//!   parsing, in the command position only (a volume called `vc` stays a name).
//! - Choice values (`--type`, `--provisioning`, `--rep-type`, `--raid-type`, `--policy`)
//!   are matched case-insensitively.
//! - Parse errors are reported the argparse way: a usage line, then
//!   `lsmcli <command>: error: ...`, exit 2 (see [`parse`]).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::error::CliError;

/// Command aliases: `(alias, expansion)`.
pub const ALIASES: &[(&str, &str)] = &[
    ("ls", "list --type systems"),
    ("lp", "list --type pools"),
    ("lv", "list --type volumes"),
    ("ld", "list --type disks"),
    ("la", "list --type access_groups"),
    ("lf", "list --type fs"),
    ("lt", "list --type target_ports"),
    ("lb", "list --type batteries"),
    ("c", "capabilities"),
    ("p", "plugin-info"),
    ("vc", "volume-create"),
    ("vrc", "volume-raid-create"),
    ("vrcc", "volume-raid-create-cap"),
    ("vd", "volume-delete"),
    ("vr", "volume-resize"),
    ("vm", "volume-mask"),
    ("vu", "volume-unmask"),
    ("ve", "volume-enable"),
    ("vi", "volume-disable"),
    ("ac", "access-group-create"),
    ("aa", "access-group-add"),
    ("ar", "access-group-remove"),
    ("ad", "access-group-delete"),
    ("vri", "volume-raid-info"),
    ("vilon", "volume-ident-led-on"),
    ("viloff", "volume-ident-led-off"),
    ("srcpu", "system-read-cache-pct-update"),
    ("pmi", "pool-member-info"),
    ("ldl", "local-disk-list"),
    ("vci", "volume-cache-info"),
    ("vpdcu", "volume-phy-disk-cache-update"),
    ("vrcpu", "volume-read-cache-policy-update"),
    ("vwcpu", "volume-write-cache-policy-update"),
    ("ldilon", "local-disk-ident-led-on"),
    ("ldiloff", "local-disk-ident-led-off"),
    ("ldflon", "local-disk-fault-led-on"),
    ("ldfloff", "local-disk-fault-led-off"),
];

/// Global options that take a value (so alias expansion can skip their values).
const GLOBAL_OPTIONS_WITH_VALUE: &[&str] = &[
    "-u",
    "--uri",
    "-t",
    "--terse",
    "-w",
    "--wait",
    "--fork_plugin",
];

/// The parsed command line.
#[derive(Debug, Parser)]
#[command(
    name = "lsmcli",
    version,
    disable_version_flag = true,
    propagate_version = true,
    subcommand_required = true,
    args_override_self = true,
    about = "The libStorageMgmt command line interface. Run lsmcli <command> -h for more on each command.",
    after_help = alias_help()
)]
pub struct Cli {
    /// Options valid before or after any command.
    #[command(flatten)]
    pub global: GlobalOptions,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The global options.
#[derive(Debug, Clone, Args)]
pub struct GlobalOptions {
    /// Uniform resource identifier (env LSMCLI_URI); `list` takes it several times
    #[arg(short = 'u', long = "uri", value_name = "URI", global = true, action = ArgAction::Append)]
    pub uri: Vec<String>,
    /// Prompt for password (env LSMCLI_PASSWORD)
    #[arg(short = 'P', long = "prompt", global = true)]
    pub prompt: bool,
    /// Print sizes in human readable format (e.g., MiB, GiB, TiB)
    #[arg(short = 'H', long = "human", global = true)]
    pub human: bool,
    /// Print output in terse form with "SEP" as a record separator
    #[arg(short = 't', long = "terse", value_name = "SEP", global = true)]
    pub terse: Option<String>,
    /// Display enumerated types as numbers instead of text
    #[arg(short = 'e', long = "enum", global = true)]
    pub raw_enums: bool,
    /// Bypass confirmation prompt for data loss operations
    #[arg(short = 'f', long = "force", global = true)]
    pub force: bool,
    /// Command timeout value in ms (default = 30s)
    #[arg(short = 'w', long = "wait", value_name = "WAIT", global = true, value_parser = parse_non_negative, allow_negative_numbers = true)]
    pub wait: Option<i64>,
    /// Include the header with terse
    #[arg(long = "header", global = true)]
    pub header: bool,
    /// Run the command async: print the job id to stdout and exit 7 instead of waiting
    #[arg(short = 'b', global = true)]
    pub background: bool,
    /// Displaying data in script friendly way with additional information (if exists)
    #[arg(short = 's', long = "script", global = true)]
    pub script: bool,
    /// Print the result as one JSON document (list: the objects as the wire carries them)
    #[arg(long = "json", global = true)]
    pub json: bool,
    /// Run this plugin executable directly, with no daemon (developer option)
    #[arg(
        long = "fork_plugin",
        value_name = "PLUGIN_EXE",
        global = true,
        hide = true
    )]
    pub fork_plugin: Option<PathBuf>,
}

/// `list --type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListType {
    #[value(name = "VOLUMES")]
    Volumes,
    #[value(name = "POOLS")]
    Pools,
    #[value(name = "FS")]
    Fs,
    #[value(name = "SNAPSHOTS")]
    Snapshots,
    #[value(name = "EXPORTS")]
    Exports,
    #[value(name = "NFS_CLIENT_AUTH")]
    NfsClientAuth,
    #[value(name = "ACCESS_GROUPS")]
    AccessGroups,
    #[value(name = "SYSTEMS")]
    Systems,
    #[value(name = "DISKS")]
    Disks,
    #[value(name = "PLUGINS")]
    Plugins,
    #[value(name = "TARGET_PORTS")]
    TargetPorts,
    #[value(name = "BATTERIES")]
    Batteries,
}

/// `--provisioning` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProvisioningArg {
    #[value(name = "DEFAULT")]
    Default,
    #[value(name = "THIN")]
    Thin,
    #[value(name = "FULL")]
    Full,
}

/// `volume-replicate --rep-type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplicationArg {
    #[value(name = "CLONE")]
    Clone,
    #[value(name = "COPY")]
    Copy,
    #[value(name = "MIRROR_ASYNC")]
    MirrorAsync,
    #[value(name = "MIRROR_SYNC")]
    MirrorSync,
}

/// `volume-replicate-range --rep-type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RangeReplicationArg {
    #[value(name = "CLONE")]
    Clone,
    #[value(name = "COPY")]
    Copy,
}

/// `volume-raid-create --raid-type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RaidTypeArg {
    #[value(name = "RAID0")]
    Raid0,
    #[value(name = "RAID1")]
    Raid1,
    #[value(name = "RAID5")]
    Raid5,
    #[value(name = "RAID6")]
    Raid6,
    #[value(name = "RAID10")]
    Raid10,
    #[value(name = "RAID50")]
    Raid50,
    #[value(name = "RAID60")]
    Raid60,
}

/// `--policy` of the physical disk cache and read cache updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnablePolicy {
    #[value(name = "ENABLE")]
    Enable,
    #[value(name = "DISABLE")]
    Disable,
}

/// `--policy` of the write cache update: write back, auto, write through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WritePolicy {
    #[value(name = "WB")]
    Wb,
    #[value(name = "AUTO")]
    Auto,
    #[value(name = "WT")]
    Wt,
}

/// Shells `completions` can write for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

/// `list` options.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// List records of type: VOLUMES, POOLS, FS, SNAPSHOTS, EXPORTS, NFS_CLIENT_AUTH,
    /// ACCESS_GROUPS, SYSTEMS, DISKS, PLUGINS, TARGET_PORTS, BATTERIES (SNAPSHOTS requires --fs)
    #[arg(long = "type", value_name = "TYPE", value_enum, ignore_case = true)]
    pub kind: ListType,
    /// Search by System ID (VOLUMES, POOLS, FS, DISKS, ACCESS_GROUPS, TARGET_PORTS, BATTERIES)
    #[arg(long, value_name = "SYS_ID")]
    pub sys: Option<String>,
    /// Search by Pool ID (VOLUMES, POOLS, FS)
    #[arg(long, value_name = "POOL_ID")]
    pub pool: Option<String>,
    /// Search by Volume ID (VOLUMES, ACCESS_GROUPS)
    #[arg(long, value_name = "VOL_ID")]
    pub vol: Option<String>,
    /// Search by Disk ID (DISKS)
    #[arg(long, value_name = "DISK_ID")]
    pub disk: Option<String>,
    /// Search by Access Group ID (ACCESS_GROUPS, VOLUMES)
    #[arg(long, value_name = "AG_ID")]
    pub ag: Option<String>,
    /// Search by FS ID (FS, SNAPSHOTS, EXPORTS)
    #[arg(long, value_name = "FS_ID")]
    pub fs: Option<String>,
    /// Search by NFS Export ID (EXPORTS)
    #[arg(long = "nfs-export", value_name = "NFS_EXPORT_ID")]
    pub nfs_export: Option<String>,
    /// Search by target port ID (TARGET_PORTS)
    #[arg(long, value_name = "TGT_ID")]
    pub tgt: Option<String>,
}

/// Every command.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// List records of different types
    List(ListArgs),
    /// Retrieve information about a job
    JobStatus {
        /// Job status id
        #[arg(long, value_name = "JOB_ID")]
        job: String,
    },
    /// Retrieves array capabilities
    Capabilities {
        /// System ID
        #[arg(long, value_name = "SYS_ID")]
        sys: String,
    },
    /// Retrieves plugin description and version
    PluginInfo,
    /// Creates a volume (logical unit)
    VolumeCreate {
        /// Volume name
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Size; can use B, KiB, MiB, GiB, TiB, PiB postfix (IEC sizing)
        #[arg(long, value_name = "SIZE")]
        size: String,
        /// Pool ID
        #[arg(long, value_name = "POOL_ID")]
        pool: String,
        /// Provisioning type: DEFAULT, THIN, FULL
        #[arg(long, value_enum, ignore_case = true, default_value = "DEFAULT")]
        provisioning: ProvisioningArg,
    },
    /// Creates a RAIDed volume on hardware RAID
    VolumeRaidCreate {
        /// Volume name
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Free disks for the new RAIDed volume (repeatable)
        #[arg(long = "disk", value_name = "DISK", required = true, action = ArgAction::Append)]
        disk: Vec<String>,
        /// RAID type for the new RAID group
        #[arg(
            long = "raid-type",
            value_name = "RAID_TYPE",
            value_enum,
            ignore_case = true
        )]
        raid_type: RaidTypeArg,
        /// Strip size; can use B, KiB, MiB, GiB, TiB, PiB postfix (IEC sizing)
        #[arg(long = "strip-size", value_name = "STRIP_SIZE")]
        strip_size: Option<String>,
    },
    /// Query capability of creating a RAIDed volume on hardware RAID
    VolumeRaidCreateCap {
        /// System ID
        #[arg(long, value_name = "SYS_ID")]
        sys: String,
    },
    /// Deletes a volume given its id
    VolumeDelete {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Re-sizes a volume
    VolumeResize {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
        /// New size; can use B, KiB, MiB, GiB, TiB, PiB postfix (IEC sizing)
        #[arg(long, value_name = "NEW_SIZE")]
        size: String,
    },
    /// Creates a new volume and replicates provided volume to it
    VolumeReplicate {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
        /// The name for the new replicated volume
        #[arg(long, value_name = "NEW_VOL_NAME")]
        name: String,
        /// Replication type: CLONE, COPY, MIRROR_ASYNC, MIRROR_SYNC
        #[arg(
            long = "rep-type",
            value_name = "REPL_TYPE",
            value_enum,
            ignore_case = true
        )]
        rep_type: ReplicationArg,
        /// Pool ID to contain the new volume (default: the source's pool)
        #[arg(long, value_name = "POOL_ID")]
        pool: Option<String>,
    },
    /// Replicates a portion of a volume to existing volume
    VolumeReplicateRange {
        /// Source volume id
        #[arg(long = "src-vol", value_name = "SRC_VOL_ID")]
        src_vol: String,
        /// Destination volume id
        #[arg(long = "dst-vol", value_name = "DST_VOL_ID")]
        dst_vol: String,
        /// Replication type: CLONE, COPY
        #[arg(
            long = "rep-type",
            value_name = "REP_TYPE",
            value_enum,
            ignore_case = true
        )]
        rep_type: RangeReplicationArg,
        /// Source volume start block number (repeatable)
        #[arg(long = "src-start", value_name = "SRC_START_BLK", required = true, action = ArgAction::Append, value_parser = parse_non_negative, allow_negative_numbers = true)]
        src_start: Vec<i64>,
        /// Destination volume start block number (repeatable)
        #[arg(long = "dst-start", value_name = "DST_START_BLK", required = true, action = ArgAction::Append, value_parser = parse_non_negative, allow_negative_numbers = true)]
        dst_start: Vec<i64>,
        /// Number of blocks to replicate (repeatable)
        #[arg(long = "count", value_name = "BLK_COUNT", required = true, action = ArgAction::Append, value_parser = parse_non_negative, allow_negative_numbers = true)]
        count: Vec<i64>,
    },
    /// Size of each replicated block on a system in bytes
    VolumeReplicateRangeBlockSize {
        /// System ID
        #[arg(long, value_name = "SYS_ID")]
        sys: String,
    },
    /// Returns True if volume has a dependant child, like replication
    VolumeDependants {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Removes volume dependencies
    VolumeDependantsRm {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Lists the access group(s) that have access to volume
    VolumeAccessGroup {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Grants access to an access group to a volume, like LUN Masking
    VolumeMask {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
        /// Access Group ID
        #[arg(long, value_name = "AG_ID")]
        ag: String,
    },
    /// Revoke the access of specified access group to a volume
    VolumeUnmask {
        /// Access Group ID
        #[arg(long, value_name = "AG_ID")]
        ag: String,
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Enable block access of a volume
    VolumeEnable {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Disable block access of a volume
    VolumeDisable {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Query volume RAID information
    VolumeRaidInfo {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Enable the IDENT LED for a volume
    VolumeIdentLedOn {
        /// Targeted volume
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Disable the IDENT LED for a volume
    VolumeIdentLedOff {
        /// Targeted volume
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Change the read cache percentage of a system
    SystemReadCachePctUpdate {
        /// Targeted system
        #[arg(long, value_name = "SYS_ID")]
        sys: String,
        /// Read cache percentage
        #[arg(long = "read-pct", value_name = "READ_PCT", value_parser = parse_non_negative, allow_negative_numbers = true)]
        read_pct: i64,
    },
    /// Query Pool membership information
    PoolMemberInfo {
        /// Pool ID
        #[arg(long, value_name = "POOL_ID")]
        pool: String,
    },
    /// Create an access group
    AccessGroupCreate {
        /// Human readable name for access group
        #[arg(long, value_name = "AG_NAME")]
        name: String,
        /// Initiator ID (iSCSI IQN or WWPN)
        #[arg(long, value_name = "INIT_ID")]
        init: String,
        /// System ID
        #[arg(long, value_name = "SYS_ID")]
        sys: String,
    },
    /// Add an initiator into existing access group
    AccessGroupAdd {
        /// Access Group ID
        #[arg(long, value_name = "AG_ID")]
        ag: String,
        /// Initiator ID (iSCSI IQN or WWPN)
        #[arg(long, value_name = "INIT_ID")]
        init: String,
    },
    /// Remove an initiator from existing access group
    AccessGroupRemove {
        /// Access Group ID
        #[arg(long, value_name = "AG_ID")]
        ag: String,
        /// Initiator ID (iSCSI IQN or WWPN)
        #[arg(long, value_name = "INIT_ID")]
        init: String,
    },
    /// Deletes an access group
    AccessGroupDelete {
        /// Access Group ID
        #[arg(long, value_name = "AG_ID")]
        ag: String,
    },
    /// Lists the volumes that the access group has been granted access to
    AccessGroupVolumes {
        /// Access Group ID
        #[arg(long, value_name = "AG_ID")]
        ag: String,
    },
    /// Configures iSCSI inbound/outbound CHAP authentication
    IscsiChap {
        /// Initiator ID (iSCSI IQN)
        #[arg(long, value_name = "INIT_ID")]
        init: String,
        /// Inbound chap user name
        #[arg(long = "in-user", value_name = "IN_USER")]
        in_user: Option<String>,
        /// Inbound chap password
        #[arg(long = "in-pass", value_name = "IN_PASS")]
        in_pass: Option<String>,
        /// Outbound chap user name
        #[arg(long = "out-user", value_name = "OUT_USER")]
        out_user: Option<String>,
        /// Outbound chap password
        #[arg(long = "out-pass", value_name = "OUT_PASS")]
        out_pass: Option<String>,
    },
    /// Creates a file system
    FsCreate {
        /// Name of the file system
        #[arg(long, value_name = "FS_NAME")]
        name: String,
        /// Size; can use B, KiB, MiB, GiB, TiB, PiB postfix (IEC sizing)
        #[arg(long, value_name = "SIZE")]
        size: String,
        /// Pool ID
        #[arg(long, value_name = "POOL_ID")]
        pool: String,
    },
    /// Delete a filesystem
    FsDelete {
        /// File System ID
        #[arg(long, value_name = "FS_ID")]
        fs: String,
    },
    /// Re-sizes a filesystem
    FsResize {
        /// File System ID
        #[arg(long, value_name = "FS_ID")]
        fs: String,
        /// New size; can use B, KiB, MiB, GiB, TiB, PiB postfix (IEC sizing)
        #[arg(long, value_name = "NEW_SIZE")]
        size: String,
    },
    /// Export a filesystem via NFS
    FsExport {
        /// File System ID
        #[arg(long, value_name = "FS_ID")]
        fs: String,
        /// NFS server export path, e.g. '/foo/bar'
        #[arg(long, value_name = "EXPORT_PATH")]
        exportpath: Option<String>,
        /// UID (User ID) to map to anonymous user
        #[arg(long, value_name = "ANON_UID", value_parser = parse_non_negative, allow_negative_numbers = true)]
        anonuid: Option<i64>,
        /// GID (Group ID) to map to anonymous user
        #[arg(long, value_name = "ANON_GID", value_parser = parse_non_negative, allow_negative_numbers = true)]
        anongid: Option<i64>,
        /// NFS client authentication type
        #[arg(long = "auth-type", value_name = "AUTH_TYPE")]
        auth_type: Option<String>,
        /// The host/IP has root access (repeatable)
        #[arg(long = "root-host", value_name = "ROOT_HOST", action = ArgAction::Append, value_parser = parse_network_host)]
        root_host: Vec<String>,
        /// The host/IP has readonly access (repeatable; at least one --ro-host or --rw-host)
        #[arg(long = "ro-host", value_name = "RO_HOST", action = ArgAction::Append, value_parser = parse_network_host)]
        ro_host: Vec<String>,
        /// The host/IP has readwrite access (repeatable; at least one --ro-host or --rw-host)
        #[arg(long = "rw-host", value_name = "RW_HOST", action = ArgAction::Append, value_parser = parse_network_host)]
        rw_host: Vec<String>,
    },
    /// Remove an NFS export
    FsUnexport {
        /// Export ID
        #[arg(long, value_name = "EXPORT_ID")]
        export: String,
    },
    /// Creates a file system clone
    FsClone {
        /// The ID of existing source file system
        #[arg(long = "src-fs", value_name = "SRC_FS_ID")]
        src_fs: String,
        /// The name for newly created destination file system
        #[arg(long = "dst-name", value_name = "DST_FS_NAME")]
        dst_name: String,
        /// Backing snapshot id
        #[arg(long = "backing-snapshot", value_name = "BE_SS_ID")]
        backing_snapshot: Option<String>,
    },
    /// Creates a snapshot
    FsSnapCreate {
        /// The human friendly name of new snapshot
        #[arg(long, value_name = "SNAP_NAME")]
        name: String,
        /// File System ID
        #[arg(long, value_name = "FS_ID")]
        fs: String,
    },
    /// Deletes a snapshot
    FsSnapDelete {
        /// Snapshot ID
        #[arg(long, value_name = "SNAP_ID")]
        snap: String,
        /// File System ID
        #[arg(long, value_name = "FS_ID")]
        fs: String,
    },
    /// Restores a FS or specified files to previous snapshot state
    FsSnapRestore {
        /// Snapshot ID
        #[arg(long, value_name = "SNAP_ID")]
        snap: String,
        /// File System ID
        #[arg(long, value_name = "FS_ID")]
        fs: String,
        /// Only restore provided file (repeatable; without it all files are restored)
        #[arg(long = "file", value_name = "FILE_PATH", action = ArgAction::Append)]
        file: Vec<String>,
        /// Store restored file under another name (repeatable)
        #[arg(long = "fileas", value_name = "NEW_FILE_PATH", action = ArgAction::Append)]
        fileas: Vec<String>,
    },
    /// Returns True if filesystem has a child dependency (clone/snapshot)
    FsDependants {
        /// File System ID
        #[arg(long, value_name = "FS_ID")]
        fs: String,
        /// For file check (repeatable)
        #[arg(long = "file", value_name = "FILE_PATH", action = ArgAction::Append)]
        file: Vec<String>,
    },
    /// Removes file system dependencies
    FsDependantsRm {
        /// File System ID
        #[arg(long, value_name = "FS_ID")]
        fs: String,
        /// File or files to remove dependencies for (repeatable)
        #[arg(long = "file", value_name = "FILE_PATH", action = ArgAction::Append)]
        file: Vec<String>,
    },
    /// Creates a clone of a file (thin provisioned)
    FileClone {
        /// File System ID
        #[arg(long, value_name = "FS_ID")]
        fs: String,
        /// Source file to clone (relative path)
        #[arg(long, value_name = "SRC_FILE_PATH")]
        src: String,
        /// Destination file (relative path)
        #[arg(long, value_name = "DST_FILE_PATH")]
        dst: String,
        /// Backing snapshot id
        #[arg(long = "backing-snapshot", value_name = "BE_SS_ID")]
        backing_snapshot: Option<String>,
    },
    /// Query volume RAM cache information
    VolumeCacheInfo {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
    },
    /// Update volume physical disk cache setting
    VolumePhyDiskCacheUpdate {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
        /// Policy: ENABLE, DISABLE
        #[arg(long, value_name = "POLICY", value_enum, ignore_case = true)]
        policy: EnablePolicy,
    },
    /// Update volume read cache policy
    VolumeReadCachePolicyUpdate {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
        /// Policy: ENABLE, DISABLE
        #[arg(long, value_name = "POLICY", value_enum, ignore_case = true)]
        policy: EnablePolicy,
    },
    /// Update volume write cache policy
    VolumeWriteCachePolicyUpdate {
        /// Volume ID
        #[arg(long, value_name = "VOL_ID")]
        vol: String,
        /// Write cache polices: WB, AUTO, WT ("write back", "auto", "write through")
        #[arg(long, value_name = "POLICY", value_enum, ignore_case = true)]
        policy: WritePolicy,
    },
    /// Query local disk information
    LocalDiskList,
    /// Turn on the identification LED for a local disk
    LocalDiskIdentLedOn {
        /// Local disk path
        #[arg(long, value_name = "DISK_PATH")]
        path: String,
    },
    /// Turn off the identification LED for a local disk
    LocalDiskIdentLedOff {
        /// Local disk path
        #[arg(long, value_name = "DISK_PATH")]
        path: String,
    },
    /// Turn on the fault LED for a local disk
    LocalDiskFaultLedOn {
        /// Local disk path
        #[arg(long, value_name = "DISK_PATH")]
        path: String,
    },
    /// Turn off the fault LED for a local disk
    LocalDiskFaultLedOff {
        /// Local disk path
        #[arg(long, value_name = "DISK_PATH")]
        path: String,
    },
    /// List the LED slots of this host's enclosures
    LocalLedSlotList,
    /// Set the LED state of an enclosure slot
    LocalLedSlotSet {
        /// Slot ID
        #[arg(long, value_name = "SLOT_ID")]
        slot: String,
        /// IDENT_ON, IDENT_OFF, FAULT_ON, FAULT_OFF; up to two joined by ':'
        #[arg(long, value_name = "STATE")]
        state: String,
    },
    /// Print a shell completion script (bash, zsh or fish)
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Print the lsmcli man page (roff)
    Man,
}

/// Which plugin a command talks to, which decides what `lsmcli` sets up before running it
/// (see [`Command::needs_plugin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginNeed {
    /// None: `local-*` (this host's disks), `completions`, `man`. No URI or password is read,
    /// and Ctrl-C stops them as it stops any program.
    No,
    /// Every installed plugin, found without a URI: `list --type plugins`.
    Installed,
    /// The plugin(s) of `--uri` (several only for `list`).
    Uri,
}

impl Command {
    /// Which plugin the command talks to: the one place that says which commands need one.
    pub fn needs_plugin(&self) -> PluginNeed {
        match self {
            Command::LocalDiskList
            | Command::LocalDiskIdentLedOn { .. }
            | Command::LocalDiskIdentLedOff { .. }
            | Command::LocalDiskFaultLedOn { .. }
            | Command::LocalDiskFaultLedOff { .. }
            | Command::LocalLedSlotList
            | Command::LocalLedSlotSet { .. }
            | Command::Completions { .. }
            | Command::Man => PluginNeed::No,
            Command::List(args) if args.kind == ListType::Plugins => PluginNeed::Installed,
            _ => PluginNeed::Uri,
        }
    }
}

fn alias_help() -> String {
    let mut text = String::from("Command aliases:\n");
    for (alias, expansion) in ALIASES {
        text.push_str(&format!("   {alias:<18}   Alias of '{expansion}'\n"));
    }
    text
}

/// An integer ≥ 0 (`-w`, block numbers, anonuid/anongid, read percentage).
fn parse_non_negative(text: &str) -> Result<i64, String> {
    match text.parse::<i64>() {
        Ok(value) if value < 0 => Err(format!("invalid: require positive integer value '{value}'")),
        Ok(value) => Ok(value),
        Err(_) => Err(format!("invalid: not a positive integer value '{text}'")),
    }
}

/// A host name, IPv4 or IPv6 address (`fs-export` host lists).
fn parse_network_host(text: &str) -> Result<String, String> {
    if crate::hosts::is_valid_network_name(text) {
        Ok(text.to_string())
    } else {
        Err(format!("{text} is invalid IP or hostname"))
    }
}

/// The clap command, with `-v/--version` added (clap's own flag is `-V`).
pub fn command() -> clap::Command {
    Cli::command().arg(
        clap::Arg::new("version")
            .short('v')
            .long("version")
            .action(ArgAction::Version)
            .global(true)
            .help("Print the version"),
    )
}

/// Expands an alias in the command position (the first word that is not a global option or
/// a global option's value).
pub fn expand_aliases(args: &[OsString]) -> Vec<OsString> {
    let mut expanded = Vec::with_capacity(args.len() + 2);
    let mut index = 0;
    let mut command_seen = false;
    while let Some(arg) = args.get(index) {
        index += 1;
        if command_seen {
            expanded.push(arg.clone());
            continue;
        }
        let text = arg.to_str().unwrap_or("");
        if GLOBAL_OPTIONS_WITH_VALUE.contains(&text) {
            expanded.push(arg.clone());
            if let Some(value) = args.get(index) {
                expanded.push(value.clone());
                index += 1;
            }
            continue;
        }
        if text.starts_with('-') {
            expanded.push(arg.clone());
            continue;
        }
        command_seen = true;
        match ALIASES.iter().find(|(alias, _)| *alias == text) {
            Some((_, expansion)) => expanded.extend(expansion.split(' ').map(OsString::from)),
            None => expanded.push(arg.clone()),
        }
    }
    expanded
}

/// The command word of an (alias-expanded) argument list, for error messages.
fn command_word(args: &[OsString]) -> Option<String> {
    let names: Vec<String> = command()
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    args.iter()
        .filter_map(|arg| arg.to_str())
        .find(|arg| names.iter().any(|name| name == arg))
        .map(str::to_string)
}

/// What the user asked for: a command to run, or text clap already produced (help,
/// version) to print on stdout with exit 0.
#[derive(Debug)]
pub enum Parsed {
    /// Run this.
    Run(Box<Cli>),
    /// Print this on stdout and exit 0.
    Print(String),
}

/// Parses `argv` (program name first, aliases not yet expanded). Errors are argparse-style
/// usage errors (exit 2).
pub fn parse(argv: &[OsString]) -> Result<Parsed, CliError> {
    let (program, rest) = match argv.split_first() {
        Some((program, rest)) => (program.clone(), rest),
        None => (OsString::from("lsmcli"), &[][..]),
    };
    let mut args = vec![program];
    args.extend(expand_aliases(rest));
    match command().try_get_matches_from(&args) {
        Ok(matches) => {
            let mut cli =
                Cli::from_arg_matches(&matches).map_err(|error| usage_error(&error, &args))?;
            // clap keeps only the occurrences of a global option after the command; every
            // `-u` counts (`lsmcli -u a:// list --type pools -u b://`).
            cli.global.uri = uri_occurrences(&args);
            Ok(Parsed::Run(Box::new(cli)))
        }
        Err(error) => match error.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                Ok(Parsed::Print(error.render().to_string()))
            }
            _ => Err(usage_error(&error, &args)),
        },
    }
}

/// Every `-u URI`, `-uURI`, `--uri URI` and `--uri=URI` of a command line that clap
/// accepted, in order (clap itself refuses `-u` in any other position, such as an option's
/// value).
fn uri_occurrences(args: &[OsString]) -> Vec<String> {
    let mut uris = Vec::new();
    let mut words = args.iter().skip(1).map(|arg| arg.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if word == "-u" || word == "--uri" {
            if let Some(value) = words.next() {
                uris.push(value.into_owned());
            }
        } else if let Some(value) = word.strip_prefix("--uri=") {
            uris.push(value.to_string());
        } else if let Some(value) = word.strip_prefix("-u")
            && !word.starts_with("--")
        {
            uris.push(value.to_string());
        }
    }
    uris
}

/// The usage text printed when lsmcli gets no argument at all.
pub fn usage_text() -> String {
    let usage = command().render_usage().to_string();
    format!("{}\n", argparse_usage(&usage))
}

fn argparse_usage(clap_usage: &str) -> String {
    clap_usage
        .trim_end()
        .strip_prefix("Usage: ")
        .map(|rest| format!("usage: {rest}"))
        .unwrap_or_else(|| clap_usage.trim_end().to_string())
}

/// Formats a clap error the way argparse reports one: usage, then
/// `lsmcli[ <command>]: error: <message>`.
fn usage_error(error: &clap::Error, args: &[OsString]) -> CliError {
    let word = command_word(args);
    let mut cmd = command();
    cmd.build();
    let usage = match word.as_deref().and_then(|w| cmd.find_subcommand_mut(w)) {
        Some(sub) => sub.render_usage().to_string(),
        None => cmd.render_usage().to_string(),
    };
    let program = match &word {
        Some(word) => format!("lsmcli {word}"),
        None => "lsmcli".to_string(),
    };
    CliError::Usage(format!(
        "{}\n{program}: error: {}\n",
        argparse_usage(&usage),
        argparse_message(error)
    ))
}

fn context_text(error: &clap::Error, kind: ContextKind) -> Option<String> {
    match error.get(kind)? {
        ContextValue::String(text) => Some(text.clone()),
        ContextValue::Strings(items) => Some(items.join(", ")),
        ContextValue::StyledStr(text) => Some(text.to_string()),
        ContextValue::StyledStrs(items) => Some(
            items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `--type <TYPE>` → `--type`.
fn option_name(arg: &str) -> String {
    arg.split([' ', '=']).next().unwrap_or(arg).to_string()
}

fn argparse_message(error: &clap::Error) -> String {
    let arg = context_text(error, ContextKind::InvalidArg).map(|a| option_name(&a));
    let value = context_text(error, ContextKind::InvalidValue);
    let quoted_choices = || match error.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(items)) => Some(
            items
                .iter()
                .map(|item| format!("'{item}'"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    };
    match error.kind() {
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "the following arguments are required: command".to_string()
        }
        ErrorKind::InvalidSubcommand => format!(
            "argument command: invalid choice: '{}'",
            context_text(error, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => {
            let missing = match error.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(items)) => items
                    .iter()
                    .map(|item| option_name(item))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => arg.unwrap_or_default(),
            };
            format!("the following arguments are required: {missing}")
        }
        ErrorKind::InvalidValue => match quoted_choices() {
            Some(choices) => format!(
                "argument {}: invalid choice: '{}' (choose from {choices})",
                arg.unwrap_or_default(),
                value.unwrap_or_default()
            ),
            None => format!(
                "argument {}: expected one argument",
                arg.unwrap_or_default()
            ),
        },
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(error)
                .map(ToString::to_string)
                .unwrap_or_else(|| format!("invalid value '{}'", value.unwrap_or_default()));
            format!("argument {}: {reason}", arg.unwrap_or_default())
        }
        ErrorKind::UnknownArgument => format!(
            "unrecognized arguments: {}",
            value.or(arg).unwrap_or_default()
        ),
        _ => {
            // Clap's own wording, first line, without its "error: " prefix.
            let text = error.render().to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn parse_ok(args: &[&str]) -> Cli {
        match parse(&os(args)) {
            Ok(Parsed::Run(cli)) => *cli,
            other => panic!("{args:?} did not parse: {other:?}"),
        }
    }

    fn parse_err(args: &[&str]) -> String {
        match parse(&os(args)) {
            Err(CliError::Usage(text)) => text,
            other => panic!("{args:?} should fail: {other:?}"),
        }
    }

    #[test]
    fn the_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn aliases_expand_in_command_position_only() {
        assert_eq!(
            expand_aliases(&os(&["-u", "lp", "lp", "-H"])),
            os(&["-u", "lp", "list", "--type", "pools", "-H"])
        );
        assert_eq!(
            expand_aliases(&os(&["vc", "--name", "vc"])),
            os(&["volume-create", "--name", "vc"])
        );
        let cli = parse_ok(&["lsmcli", "lb"]);
        assert!(matches!(
            cli.command,
            Command::List(ListArgs {
                kind: ListType::Batteries,
                ..
            })
        ));
    }

    #[test]
    fn every_alias_names_a_real_command() {
        for (alias, _) in ALIASES {
            let mut args = vec!["lsmcli", alias];
            // Give each command what it requires so that only the name is checked.
            let cmd = command();
            let expanded = expand_aliases(&os(&[alias]));
            let name = expanded[0].to_str().unwrap_or_default().to_string();
            let sub = cmd
                .find_subcommand(&name)
                .unwrap_or_else(|| panic!("alias {alias} → unknown command {name}"));
            let mut owned: Vec<String> = Vec::new();
            for arg in sub.get_arguments() {
                let Some(long) = arg.get_long() else { continue };
                if !arg.is_required_set() || long == "type" {
                    continue;
                }
                owned.push(format!("--{long}"));
                let value = arg
                    .get_possible_values()
                    .first()
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_else(|| "1".to_string());
                owned.push(value);
            }
            args.extend(owned.iter().map(String::as_str));
            parse_ok(&args);
        }
    }

    #[test]
    fn global_options_before_or_after_the_command() {
        let cli = parse_ok(&[
            "lsmcli", "-H", "list", "--type", "pools", "-t,", "--header", "-u", "sim://",
        ]);
        assert!(cli.global.human);
        assert_eq!(cli.global.terse.as_deref(), Some(","));
        assert!(cli.global.header);
        assert_eq!(cli.global.uri, ["sim://"]);
        let cli = parse_ok(&[
            "lsmcli", "-u", "a://", "list", "--type", "POOLS", "-u", "b://",
        ]);
        assert_eq!(cli.global.uri, ["a://", "b://"]);
    }

    #[test]
    fn list_type_is_case_insensitive() {
        for spelling in ["pools", "POOLS", "Pools"] {
            let cli = parse_ok(&["lsmcli", "list", "--type", spelling]);
            assert!(matches!(
                cli.command,
                Command::List(ListArgs {
                    kind: ListType::Pools,
                    ..
                })
            ));
        }
    }

    #[test]
    fn argparse_style_errors() {
        let text = parse_err(&["lsmcli", "list", "--type", "NOPE"]);
        assert!(text.starts_with("usage: lsmcli list"), "{text}");
        assert!(
            text.ends_with("lsmcli list: error: argument --type: invalid choice: 'NOPE' (choose from 'VOLUMES', 'POOLS', 'FS', 'SNAPSHOTS', 'EXPORTS', 'NFS_CLIENT_AUTH', 'ACCESS_GROUPS', 'SYSTEMS', 'DISKS', 'PLUGINS', 'TARGET_PORTS', 'BATTERIES')\n"),
            "{text}"
        );
        let text = parse_err(&["lsmcli", "-u", "sim://"]);
        assert!(
            text.ends_with("lsmcli: error: the following arguments are required: command\n"),
            "{text}"
        );
        let text = parse_err(&["lsmcli", "volume-create", "--name", "x"]);
        assert!(
            text.ends_with("lsmcli volume-create: error: the following arguments are required: --size, --pool\n"),
            "{text}"
        );
        let text = parse_err(&["lsmcli", "list", "--type", "pools", "--bogus"]);
        assert!(text.contains("unrecognized arguments: --bogus"), "{text}");
        let text = parse_err(&["lsmcli", "-w", "-5", "list", "--type", "pools"]);
        assert!(
            text.contains("invalid: require positive integer value '-5'"),
            "{text}"
        );
        let text = parse_err(&["lsmcli", "fs-export", "--fs", "x", "--rw-host", "bad host!"]);
        assert!(
            text.contains("bad host! is invalid IP or hostname"),
            "{text}"
        );
    }

    #[test]
    fn help_and_version_print() {
        match parse(&os(&["lsmcli", "-v"])) {
            Ok(Parsed::Print(text)) => assert!(text.starts_with("lsmcli "), "{text}"),
            other => panic!("{other:?}"),
        }
        match parse(&os(&["lsmcli", "list", "-h"])) {
            Ok(Parsed::Print(text)) => assert!(text.contains("--type"), "{text}"),
            other => panic!("{other:?}"),
        }
    }
}
