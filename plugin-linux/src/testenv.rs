//! A throwaway storage array on this host, for tests and demos
//! (`lsm-linux-testenv up|down --dir DIR`).
//!
//! [`up`] builds, inside DIR:
//!
//! * `images/btrfs0.img`: a sparse file (24 GiB by default) on a loop
//!   device, formatted btrfs, mounted at `pools/btrfs0`, quotas on: the
//!   first pool;
//! * `images/lvm0.img`, `images/lvm1.img`: two 1 GiB sparse files on loop
//!   devices, a VG `lsmtest_XXXXXXXX` on them, managed through a private
//!   `LVM_SYSTEM_DIR` (`lvm/lvm.conf`: activation off, only these devices,
//!   no archives in /etc/lvm);
//! * a private tgtd on a free control port with an iSCSI portal on a free
//!   port of 127.0.0.1;
//! * a private D-Bus system bus (`dbus/system_bus_socket`) and nfs-ganesha
//!   on it, in the root namespace, serving NFSv3 (registered with the
//!   host's rpcbind, started here if none runs) and NFSv4; its main config
//!   `%include`s `ganesha/exports.conf`, which the plugin rewrites;
//! * `linux.toml`, the plugin config for all of the above.
//!
//! Daemons are started in their own session with stdio on log files in
//! `logs/`. Every step is recorded in `testenv.json` as soon as it is done,
//! so [`down`] can undo a partial `up`; `up` itself undoes everything when a
//! step fails. [`down`] stops daemons by recorded PID (checking the PID
//! still runs the expected program), unmounts everything under DIR,
//! detaches every loop device backed by a file under DIR and removes DIR.
//! It is idempotent.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::command::ToolCommand;
use crate::error::{Error, Result};
use crate::ganesha::GaneshaClient;
use crate::tgt::Tgtadm;

/// Name of the record file in DIR.
pub const RECORD_FILE: &str = "testenv.json";
/// Name of the plugin config written in DIR.
pub const CONFIG_FILE: &str = "linux.toml";
/// Name of the btrfs pool.
pub const BTRFS_POOL_NAME: &str = "btrfs0";
/// Name of the LVM pool.
pub const LVM_POOL_NAME: &str = "lvm0";
/// Prefix of target IQNs the plugin creates in the test array.
pub const TARGET_IQN_PREFIX: &str = "iqn.2024-01.org.lsm-rs.testenv:";

const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// Sizes and switches for [`up`].
#[derive(Debug, Clone)]
pub struct UpOptions {
    /// Size of the sparse btrfs image (at least 20 GiB for the conformance suite).
    pub btrfs_size: u64,
    /// Size of each of the two LVM images.
    pub lvm_image_size: u64,
    /// How long to wait for each daemon to become ready.
    pub ready_timeout: Duration,
}

impl Default for UpOptions {
    fn default() -> Self {
        UpOptions {
            btrfs_size: 24 << 30,
            lvm_image_size: 1 << 30,
            ready_timeout: Duration::from_secs(30),
        }
    }
}

/// A loop device attached by `up`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoopRecord {
    /// `/dev/loopN`.
    pub device: PathBuf,
    /// Its backing image.
    pub image: PathBuf,
}

/// A daemon started by `up`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonRecord {
    /// What it is (`tgtd`, `dbus-daemon`, `ganesha`, `rpcbind`).
    pub role: String,
    /// Its PID.
    pub pid: u32,
    /// The expected `/proc/PID/comm` (checked before any signal).
    pub comm: String,
}

/// What `up` did, step by step (DIR/testenv.json).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvRecord {
    /// The environment directory.
    pub dir: PathBuf,
    /// Loop devices attached.
    #[serde(default)]
    pub loops: Vec<LoopRecord>,
    /// File systems mounted.
    #[serde(default)]
    pub mounts: Vec<PathBuf>,
    /// Daemons started, in start order.
    #[serde(default)]
    pub daemons: Vec<DaemonRecord>,
    /// tgtd's control port.
    pub tgtd_control_port: Option<u16>,
    /// The iSCSI portal.
    pub iscsi_portal: Option<String>,
    /// The LVM VG.
    pub lvm_vg: Option<String>,
    /// The private D-Bus address.
    pub dbus_address: Option<String>,
    /// ganesha's NFS port.
    pub nfs_port: Option<u16>,
    /// Whether `up` finished.
    #[serde(default)]
    pub complete: bool,
}

/// What `up` made, for callers that want more than the URI.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Everything recorded.
    pub record: EnvRecord,
    /// Path of the plugin config.
    pub config_path: PathBuf,
    /// `linux://?config=...`.
    pub uri: String,
}

struct Layout {
    dir: PathBuf,
}

impl Layout {
    fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }
    fn record(&self) -> PathBuf {
        self.path(RECORD_FILE)
    }
    fn btrfs_mount(&self) -> PathBuf {
        self.path("pools/btrfs0")
    }
    fn lvm_system_dir(&self) -> PathBuf {
        self.path("lvm")
    }
    fn dbus_socket(&self) -> PathBuf {
        self.path("dbus/system_bus_socket")
    }
    fn ganesha_dir(&self) -> PathBuf {
        self.path("ganesha")
    }
    fn log(&self, name: &str) -> PathBuf {
        self.path("logs").join(name)
    }
}

/// Copies the last lines of every daemon log to stderr (the logs go away
/// with the cleanup of a failed `up`).
fn print_log_tails(logs: &Path) {
    let Ok(entries) = std::fs::read_dir(logs) else {
        return;
    };
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(10)..];
        eprintln!("--- {} (last {} lines)", entry.path().display(), tail.len());
        for line in tail {
            eprintln!("    {line}");
        }
    }
}

/// The file every process using test arrays locks (see [`lock_host`]).
pub const HOST_LOCK_PATH: &str = "/run/lock/lsm-linux-testenv.lock";

/// An exclusive, host-wide claim on test arrays, released when dropped
/// (or when the holding process exits).
#[derive(Debug)]
pub struct HostLock {
    _lock: nix::fcntl::Flock<File>,
}

/// Waits for and takes the host-wide lock on [`HOST_LOCK_PATH`].
///
/// Arrays are not independent of each other: each registers its NFSv3
/// MOUNT service with the one host rpcbind (a later ganesha replaces an
/// earlier one's registration, and a `down` may stop an rpcbind that `up`
/// started), so two arrays in use at once (say, from two test binaries
/// run in parallel) break each other's NFS. Callers hold this lock from
/// before `up` until after `down`.
pub fn lock_host() -> Result<HostLock> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(HOST_LOCK_PATH)
        .map_err(|error| Error::io(format!("opening {HOST_LOCK_PATH}"), error))?;
    let mut file = file;
    loop {
        match nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive) {
            Ok(lock) => return Ok(HostLock { _lock: lock }),
            Err((returned, nix::errno::Errno::EINTR)) => file = returned,
            Err((_, errno)) => {
                return Err(Error::io(
                    format!("locking {HOST_LOCK_PATH}"),
                    std::io::Error::from(errno),
                ));
            }
        }
    }
}

/// Builds the test array in `dir` (created; must be absent or empty).
/// On failure everything done so far is undone before the error returns.
pub fn up(dir: &Path, options: &UpOptions) -> Result<Environment> {
    let dir = absolute_dir(dir)?;
    check_prerequisites()?;
    if dir.exists() {
        let mut entries = std::fs::read_dir(&dir)
            .map_err(|error| Error::io(format!("reading {}", dir.display()), error))?;
        if entries.next().is_some() {
            return Err(Error::InvalidArgument(format!(
                "{} is not empty; give a new or empty directory (or run down first)",
                dir.display()
            )));
        }
    }
    create_dir(&dir)?;
    let layout = Layout { dir: dir.clone() };
    let mut record = EnvRecord {
        dir: dir.clone(),
        ..EnvRecord::default()
    };
    save_record(&layout, &record)?;
    match build(&layout, &mut record, options) {
        Ok(environment) => Ok(environment),
        Err(error) => {
            eprintln!("lsm-linux-testenv: up failed: {error}; cleaning up");
            print_log_tails(&layout.path("logs"));
            if let Err(cleanup) = down(&dir) {
                eprintln!("lsm-linux-testenv: cleanup after failed up also failed: {cleanup}");
            }
            Err(error)
        }
    }
}

fn build(layout: &Layout, record: &mut EnvRecord, options: &UpOptions) -> Result<Environment> {
    for sub in [
        "images",
        "pools/btrfs0",
        "lvm",
        "dbus",
        "ganesha/exports.d",
        "ganesha/recov",
        "logs",
        "state",
        "nfs",
    ] {
        create_dir(&layout.path(sub))?;
    }

    // btrfs pool.
    let btrfs_image = layout.path("images/btrfs0.img");
    crate::btrfs::create_sparse_file(&btrfs_image, options.btrfs_size)?;
    let btrfs_loop = attach_loop(layout, record, &btrfs_image)?;
    tool("mkfs.btrfs")
        .args(["-f", "-L", "lsmtest"])
        .arg(&btrfs_loop)
        .run()?;
    tool("mount")
        .args(["-t", "btrfs"])
        .arg(&btrfs_loop)
        .arg(layout.btrfs_mount())
        .run()?;
    record.mounts.push(layout.btrfs_mount());
    save_record(layout, record)?;
    crate::btrfs::Btrfs::new(STEP_TIMEOUT).quota_enable(&layout.btrfs_mount())?;
    create_dir(&layout.btrfs_mount().join(crate::config::DEFAULT_VOLUME_DIR))?;

    // LVM volume group on two loop devices, with a private lvm.conf.
    let mut lvm_devices = Vec::new();
    for index in 0..2 {
        let image = layout.path(&format!("images/lvm{index}.img"));
        crate::btrfs::create_sparse_file(&image, options.lvm_image_size)?;
        lvm_devices.push(attach_loop(layout, record, &image)?);
    }
    write_lvm_conf(layout, &lvm_devices)?;
    let vg = vg_name(&layout.dir);
    let lvm = |subcommand: &str| {
        tool("lvm")
            .env("LVM_SYSTEM_DIR", layout.lvm_system_dir())
            .env("LVM_SUPPRESS_FD_WARNINGS", "1")
            .arg(subcommand)
    };
    lvm("pvcreate").arg("-y").args(&lvm_devices).run()?;
    lvm("vgcreate")
        .arg("-y")
        .arg(&vg)
        .args(&lvm_devices)
        .run()?;
    record.lvm_vg = Some(vg.clone());
    save_record(layout, record)?;

    // tgtd with its own control port and a free iSCSI port on 127.0.0.1.
    let control_port = free_tgtd_control_port()?;
    let iscsi_port = free_tcp_port("127.0.0.1")?;
    record.tgtd_control_port = Some(control_port);
    record.iscsi_portal = Some(format!("127.0.0.1:{iscsi_port}"));
    let tgtd = spawn_daemon(
        layout,
        record,
        "tgtd",
        "tgtd",
        Command::new("tgtd").args([
            "-f".to_owned(),
            "-C".to_owned(),
            control_port.to_string(),
            "--iscsi".to_owned(),
            format!("portal=127.0.0.1:{iscsi_port}"),
        ]),
        "tgtd.log",
    )?;
    let tgtadm = Tgtadm::new(control_port, Duration::from_secs(5));
    wait_until(options.ready_timeout, "tgtd to answer tgtadm", || {
        ensure_alive(&tgtd)?;
        Ok(tgtadm.is_ready() && port_open(iscsi_port))
    })?;

    // Private D-Bus system bus.
    let socket = layout.dbus_socket();
    let bus_conf = layout.path("dbus/bus.conf");
    write_file(&bus_conf, &dbus_config(&socket))?;
    let dbus = spawn_daemon(
        layout,
        record,
        "dbus-daemon",
        "dbus-daemon",
        Command::new("dbus-daemon")
            .arg(format!("--config-file={}", bus_conf.display()))
            .args(["--nofork", "--nopidfile"]),
        "dbus.log",
    )?;
    let dbus_address = format!("unix:path={}", socket.display());
    record.dbus_address = Some(dbus_address.clone());
    save_record(layout, record)?;
    wait_until(options.ready_timeout, "the private D-Bus daemon", || {
        ensure_alive(&dbus)?;
        Ok(std::os::unix::net::UnixStream::connect(&socket).is_ok())
    })?;

    // rpcbind for NFSv3/MOUNT: the host's, started here if none runs.
    if !rpcbind_running() {
        let rpcbind = spawn_daemon(
            layout,
            record,
            "rpcbind",
            "rpcbind",
            Command::new("rpcbind").arg("-f"),
            "rpcbind.log",
        )?;
        wait_until(options.ready_timeout, "rpcbind", || {
            ensure_alive(&rpcbind)?;
            Ok(rpcbind_running())
        })?;
    }

    // nfs-ganesha on the private bus.
    let ganesha_dir = layout.ganesha_dir();
    let nfs_port = if port_free("0.0.0.0", 2049) {
        2049
    } else {
        free_tcp_port("0.0.0.0")?
    };
    let mount_port = free_tcp_port("0.0.0.0")?;
    record.nfs_port = Some(nfs_port);
    let include_file = ganesha_dir.join("exports.conf");
    write_file(
        &include_file,
        "# Written by the lsm-rs linux plugin; one line per NFS export.\n",
    )?;
    let ganesha_conf = ganesha_dir.join("ganesha.conf");
    write_file(
        &ganesha_conf,
        &ganesha_config(&ganesha_dir, &include_file, nfs_port, mount_port),
    )?;
    let pid_file = ganesha_dir.join("ganesha.pid");
    let ganesha = spawn_daemon(
        layout,
        record,
        "ganesha",
        "ganesha.nfsd",
        Command::new("ganesha.nfsd")
            .env("DBUS_SYSTEM_BUS_ADDRESS", &dbus_address)
            .arg("-F")
            .arg("-f")
            .arg(&ganesha_conf)
            .arg("-L")
            .arg(layout.log("ganesha.log"))
            .arg("-p")
            .arg(&pid_file)
            .args(["-N", "NIV_EVENT"]),
        "ganesha.stdout.log",
    )?;
    wait_until(
        options.ready_timeout,
        "nfs-ganesha on the private D-Bus",
        || {
            ensure_alive(&ganesha)?;
            Ok(GaneshaClient::connect(
                Some(&dbus_address),
                crate::config::DEFAULT_GANESHA_BUS_NAME,
                Duration::from_secs(2),
            )
            .map(|client| client.is_ready())
            .unwrap_or(false)
                && port_open(nfs_port))
        },
    )?;
    wait_until(options.ready_timeout, "showmount -e 127.0.0.1", || {
        ensure_alive(&ganesha)?;
        Ok(tool("showmount")
            .args(["-e", "127.0.0.1"])
            .timeout(Duration::from_secs(5))
            .output()
            .map(|output| output.success())
            .unwrap_or(false))
    })?;

    // The plugin config.
    let config_path = layout.path(CONFIG_FILE);
    write_file(&config_path, &plugin_config(layout, record, &vg, &pid_file))?;
    crate::config::Config::load(&config_path)?;
    record.complete = true;
    save_record(layout, record)?;
    Ok(Environment {
        record: record.clone(),
        uri: format!("linux://?config={}", config_path.display()),
        config_path,
    })
}

/// Undoes [`up`] in `dir` (also a partial one); idempotent.
pub fn down(dir: &Path) -> Result<()> {
    let dir = absolute_dir(dir)?;
    if !dir.exists() {
        return Ok(());
    }
    let layout = Layout { dir: dir.clone() };
    let record: Option<EnvRecord> = match std::fs::read(layout.record()) {
        Ok(bytes) => Some(serde_json::from_slice(&bytes).map_err(|error| {
            Error::parse(layout.record().display().to_string(), error.to_string())
        })?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(Error::io(
                format!("reading {}", layout.record().display()),
                error,
            ));
        }
    };
    let mut problems = Vec::new();
    if let Some(record) = &record {
        // Stop daemons, last started first; tgtd needs tgtadm to exit.
        for daemon in record.daemons.iter().rev() {
            let result = if daemon.role == "tgtd" {
                stop_tgtd(daemon, record.tgtd_control_port)
            } else {
                stop_daemon(
                    daemon,
                    nix::sys::signal::Signal::SIGTERM,
                    Duration::from_secs(10),
                )
            };
            if let Err(error) = result {
                problems.push(format!(
                    "stopping {} ({}): {error}",
                    daemon.role, daemon.pid
                ));
            }
        }
    }
    if let Err(error) = unmount_everything_under(&dir) {
        problems.push(error.to_string());
    }
    if let Err(error) = detach_loops_under(&dir, record.as_ref()) {
        problems.push(error.to_string());
    }
    if !problems.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "down left things behind in {}: {}",
            dir.display(),
            problems.join("; ")
        )));
    }
    if record.is_none() {
        let empty = std::fs::read_dir(&dir)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(Error::InvalidArgument(format!(
                "{} has no {RECORD_FILE}: not removing a directory this tool did not make",
                dir.display()
            )));
        }
    }
    std::fs::remove_dir_all(&dir)
        .map_err(|error| Error::io(format!("removing {}", dir.display()), error))
}

fn tool(program: &str) -> ToolCommand {
    ToolCommand::new(program).timeout(STEP_TIMEOUT)
}

fn absolute_dir(dir: &Path) -> Result<PathBuf> {
    let absolute = if dir.is_absolute() {
        dir.to_owned()
    } else {
        std::env::current_dir()
            .map_err(|error| Error::io("reading the current directory", error))?
            .join(dir)
    };
    let text = absolute
        .to_str()
        .ok_or_else(|| Error::InvalidArgument("--dir must be UTF-8".into()))?;
    if let Some(bad) = text
        .chars()
        .find(|c| c.is_control() || "\"\\{};#%' ".contains(*c))
    {
        return Err(Error::InvalidArgument(format!(
            "--dir {text:?} contains {bad:?}, which config files cannot hold"
        )));
    }
    if absolute
        .components()
        .any(|part| matches!(part, std::path::Component::ParentDir))
        || absolute == Path::new("/")
    {
        return Err(Error::InvalidArgument(format!(
            "--dir {text:?} must be a plain absolute path"
        )));
    }
    Ok(absolute)
}

fn check_prerequisites() -> Result<()> {
    if !nix::unistd::Uid::effective().is_root() {
        return Err(Error::PermissionDenied(
            "lsm-linux-testenv needs root (loop devices, mounts, daemons)".into(),
        ));
    }
    if !Path::new("/dev/loop-control").exists() {
        return Err(Error::NoSupport(
            "/dev/loop-control is missing: no loop devices".into(),
        ));
    }
    let filesystems = std::fs::read_to_string("/proc/filesystems").unwrap_or_default();
    if !filesystems
        .lines()
        .any(|line| line.trim_end().ends_with("btrfs"))
    {
        return Err(Error::NoSupport("the kernel has no btrfs".into()));
    }
    let missing: Vec<&str> = [
        "losetup",
        "mkfs.btrfs",
        "btrfs",
        "mount",
        "umount",
        "lvm",
        "tgtd",
        "tgtadm",
        "dbus-daemon",
        "rpcbind",
        "ganesha.nfsd",
        "showmount",
    ]
    .into_iter()
    .filter(|program| !in_path(program))
    .collect();
    if !missing.is_empty() {
        return Err(Error::NoSupport(format!(
            "missing tools: {} (install the packages in plugin-linux/PACKAGES)",
            missing.join(", ")
        )));
    }
    Ok(())
}

fn in_path(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}

fn create_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path)
        .map_err(|error| Error::io(format!("creating {}", path.display()), error))
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text)
        .map_err(|error| Error::io(format!("writing {}", path.display()), error))
}

fn save_record(layout: &Layout, record: &EnvRecord) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(record)
        .map_err(|error| Error::parse("testenv record", error.to_string()))?;
    let temporary = layout.path(".testenv.json.tmp");
    write_file(&temporary, &String::from_utf8_lossy(&bytes))?;
    std::fs::rename(&temporary, layout.record())
        .map_err(|error| Error::io(format!("writing {}", layout.record().display()), error))
}

fn attach_loop(layout: &Layout, record: &mut EnvRecord, image: &Path) -> Result<PathBuf> {
    // `losetup -f` can race with other users of loop devices: retry.
    let mut last_error = None;
    for _ in 0..5 {
        match tool("losetup").args(["-f", "--show"]).arg(image).run() {
            Ok(output) => {
                let device = PathBuf::from(output.stdout.trim());
                record.loops.push(LoopRecord {
                    device: device.clone(),
                    image: image.to_owned(),
                });
                save_record(layout, record)?;
                return Ok(device);
            }
            Err(error) => {
                last_error = Some(error);
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    Err(last_error.unwrap_or_else(|| Error::InvalidArgument("losetup failed".into())))
}

fn write_lvm_conf(layout: &Layout, devices: &[PathBuf]) -> Result<()> {
    let accept: Vec<String> = devices
        .iter()
        .map(|device| format!("\"a|^{}$|\"", device.display()))
        .collect();
    let text = format!(
        "# Private LVM configuration of an lsm-linux-testenv array.\n\
         global {{ activation = 0 }}\n\
         devices {{ filter = [ {}, \"r|.*|\" ] global_filter = [ {}, \"r|.*|\" ] use_devicesfile = 0 obtain_device_list_from_udev = 0 }}\n\
         backup {{ backup = 0 archive = 0 }}\n",
        accept.join(", "),
        accept.join(", ")
    );
    write_file(&layout.lvm_system_dir().join("lvm.conf"), &text)
}

fn vg_name(dir: &Path) -> String {
    let mut hasher = DefaultHasher::new();
    dir.hash(&mut hasher);
    format!("lsmtest_{:08x}", hasher.finish() as u32)
}

fn free_tcp_port(host: &str) -> Result<u16> {
    let listener = TcpListener::bind((host, 0))
        .map_err(|error| Error::io("finding a free TCP port", error))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|error| Error::io("finding a free TCP port", error))
}

fn port_free(host: &str, port: u16) -> bool {
    TcpListener::bind((host, port)).is_ok()
}

fn port_open(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_ok()
}

/// tgtd's `-C` takes a signed 16-bit value: control ports above this are
/// refused ("out of range") and tgtd exits at start-up.
const TGTD_CONTROL_PORT_MAX: u16 = 32_767;
/// Control ports below this are left to tgtd instances started by hand.
const TGTD_CONTROL_PORT_MIN: u16 = 1_000;

fn free_tgtd_control_port() -> Result<u16> {
    tgtd_control_port_candidates(std::process::id())
        .find(|port| {
            !Path::new(&format!("/var/run/tgtd/socket.{port}")).exists()
                && !Path::new(&format!("/var/run/tgtd/socket.{port}.lock")).exists()
        })
        .ok_or_else(|| Error::InvalidArgument("no free tgtd control port".into()))
}

/// Every control port tgtd accepts, starting at one picked from `pid` (so
/// concurrent `up`s start apart) and wrapping around.
fn tgtd_control_port_candidates(pid: u32) -> impl Iterator<Item = u16> {
    let span = u32::from(TGTD_CONTROL_PORT_MAX - TGTD_CONTROL_PORT_MIN) + 1;
    let first = pid % span;
    (0..span).filter_map(move |offset| {
        u16::try_from((first + offset) % span)
            .ok()
            .map(|index| TGTD_CONTROL_PORT_MIN + index)
    })
}

fn rpcbind_running() -> bool {
    std::os::unix::net::UnixStream::connect("/run/rpcbind.sock").is_ok() || port_open(111)
}

fn spawn_daemon(
    layout: &Layout,
    record: &mut EnvRecord,
    role: &str,
    comm: &str,
    command: &mut Command,
    log_name: &str,
) -> Result<DaemonRecord> {
    let log_path = layout.log(log_name);
    let log = File::create(&log_path)
        .map_err(|error| Error::io(format!("creating {}", log_path.display()), error))?;
    let log_err = log
        .try_clone()
        .map_err(|error| Error::io(format!("duplicating {}", log_path.display()), error))?;
    command.stdin(Stdio::null()).stdout(log).stderr(log_err);
    // SAFETY: the closure runs in the forked child before exec and only
    // calls setsid(2), which is async-signal-safe; it touches no memory
    // shared with the parent.
    unsafe {
        command.pre_exec(|| {
            nix::unistd::setsid()
                .map(|_| ())
                .map_err(std::io::Error::from)
        });
    }
    let child = command.spawn().map_err(|source| Error::CommandSpawn {
        command: format!("{role} ({comm})"),
        source,
    })?;
    let daemon = DaemonRecord {
        role: role.to_owned(),
        pid: child.id(),
        comm: comm.chars().take(15).collect(),
    };
    // The daemon outlives this process; it is stopped by PID in `down`.
    drop(child);
    record.daemons.push(daemon.clone());
    save_record(layout, record)?;
    Ok(daemon)
}

fn wait_until(
    timeout: Duration,
    what: &str,
    mut ready: impl FnMut() -> Result<bool>,
) -> Result<()> {
    let started = Instant::now();
    loop {
        if ready()? {
            return Ok(());
        }
        if started.elapsed() >= timeout {
            return Err(Error::Timeout {
                command: format!("waiting for {what}"),
                timeout,
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether `pid` runs and is not a zombie.
fn process_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "PID (comm) STATE ...": the state follows the last ')'.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .is_some_and(|state| state != "Z" && state != "X")
}

fn process_is(daemon: &DaemonRecord) -> bool {
    process_alive(daemon.pid)
        && std::fs::read_to_string(format!("/proc/{}/comm", daemon.pid))
            .map(|comm| comm.trim() == daemon.comm)
            .unwrap_or(false)
}

fn ensure_alive(daemon: &DaemonRecord) -> Result<()> {
    if process_alive(daemon.pid) {
        Ok(())
    } else {
        Err(Error::DaemonNotRunning(format!(
            "{} (PID {}) exited during start-up; see its log in logs/",
            daemon.role, daemon.pid
        )))
    }
}

fn signal(pid: u32, signal: nix::sys::signal::Signal) {
    if let Ok(pid) = i32::try_from(pid) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal);
    }
}

fn wait_for_exit(pid: u32, timeout: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if !process_alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    !process_alive(pid)
}

fn stop_daemon(
    daemon: &DaemonRecord,
    first: nix::sys::signal::Signal,
    grace: Duration,
) -> Result<()> {
    if !process_is(daemon) {
        return Ok(());
    }
    signal(daemon.pid, first);
    if wait_for_exit(daemon.pid, grace) {
        return Ok(());
    }
    signal(daemon.pid, nix::sys::signal::Signal::SIGKILL);
    if wait_for_exit(daemon.pid, Duration::from_secs(5)) {
        Ok(())
    } else {
        Err(Error::InUse(format!(
            "{} (PID {}) survived SIGKILL",
            daemon.role, daemon.pid
        )))
    }
}

fn stop_tgtd(daemon: &DaemonRecord, control_port: Option<u16>) -> Result<()> {
    if process_is(daemon) {
        if let Some(port) = control_port {
            // tgtd ignores SIGTERM: ask it to exit, SIGKILL if it does not.
            if let Err(error) = Tgtadm::new(port, Duration::from_secs(5)).shutdown() {
                tracing::warn!(%error, "tgtadm shutdown failed; killing tgtd");
            }
            if !wait_for_exit(daemon.pid, Duration::from_secs(5)) {
                signal(daemon.pid, nix::sys::signal::Signal::SIGKILL);
                wait_for_exit(daemon.pid, Duration::from_secs(5));
            }
        } else {
            stop_daemon(
                daemon,
                nix::sys::signal::Signal::SIGKILL,
                Duration::from_secs(5),
            )?;
        }
    }
    if let Some(port) = control_port {
        for suffix in ["", ".lock"] {
            let _ = std::fs::remove_file(format!("/var/run/tgtd/socket.{port}{suffix}"));
        }
    }
    if process_alive(daemon.pid) && process_is(daemon) {
        return Err(Error::InUse(format!(
            "tgtd (PID {}) is still running",
            daemon.pid
        )));
    }
    Ok(())
}

/// Mount points (from /proc/self/mountinfo) at or under `dir`, deepest first.
fn mounts_under(dir: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut mounts: Vec<PathBuf> = text
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|field| PathBuf::from(unescape_mountinfo(field)))
        .filter(|mount| mount.starts_with(dir))
        .collect();
    mounts.sort_by_key(|mount| std::cmp::Reverse(mount.components().count()));
    mounts.dedup();
    mounts
}

fn unescape_mountinfo(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'\\')
            .then(|| field.get(index + 1..index + 4))
            .flatten()
            .and_then(|octal| u8::from_str_radix(octal, 8).ok());
        if let Some(value) = escaped {
            out.push(value);
            index += 4;
            continue;
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn unmount_everything_under(dir: &Path) -> Result<()> {
    // Stacked mounts need several rounds.
    for _ in 0..10 {
        let mounts = mounts_under(dir);
        if mounts.is_empty() {
            return Ok(());
        }
        for mount in mounts {
            let unmounted = tool("umount").arg(&mount).run().is_ok()
                || tool("umount").arg("-l").arg(&mount).run().is_ok();
            if !unmounted {
                tracing::warn!(mount = %mount.display(), "cannot unmount");
            }
        }
    }
    let left = mounts_under(dir);
    if left.is_empty() {
        Ok(())
    } else {
        Err(Error::InUse(format!("still mounted: {left:?}")))
    }
}

/// Detaches loop devices whose backing file is under `dir` (found through
/// sysfs, so unrecorded ones from a crashed `up` are found too).
fn detach_loops_under(dir: &Path, record: Option<&EnvRecord>) -> Result<()> {
    let mut devices: Vec<PathBuf> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/sys/block") {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with("loop") {
                continue;
            }
            let backing =
                std::fs::read_to_string(entry.path().join("loop/backing_file")).unwrap_or_default();
            let backing = backing.trim().trim_end_matches(" (deleted)");
            if !backing.is_empty() && Path::new(backing).starts_with(dir) {
                devices.push(PathBuf::from("/dev").join(&name));
            }
        }
    }
    if let Some(record) = record {
        for entry in &record.loops {
            let name = entry
                .device
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let backing = std::fs::read_to_string(format!("/sys/block/{name}/loop/backing_file"))
                .unwrap_or_default();
            let backing = backing.trim().trim_end_matches(" (deleted)");
            if Path::new(backing) == entry.image && !devices.contains(&entry.device) {
                devices.push(entry.device.clone());
            }
        }
    }
    let mut failed = Vec::new();
    for device in devices {
        if tool("losetup").arg("-d").arg(&device).run().is_err() {
            failed.push(device.display().to_string());
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::InUse(format!("cannot detach {}", failed.join(", "))))
    }
}

fn dbus_config(socket: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"#,
        socket.display()
    )
}

fn ganesha_config(
    ganesha_dir: &Path,
    include_file: &Path,
    nfs_port: u16,
    mount_port: u16,
) -> String {
    format!(
        "# nfs-ganesha of an lsm-linux-testenv array.\n\
         NFS_CORE_PARAM {{ Protocols = 3, 4; NFS_Port = {nfs_port}; MNT_Port = {mount_port}; Enable_NLM = false; Enable_RQUOTA = false; }}\n\
         NFSV4 {{ Graceless = true; RecoveryBackend = fs; RecoveryRoot = \"{}\"; }}\n\
         NFS_KRB5 {{ Active_krb5 = false; }}\n\
         %include \"{}\"\n",
        ganesha_dir.join("recov").display(),
        include_file.display()
    )
}

fn plugin_config(layout: &Layout, record: &EnvRecord, vg: &str, pid_file: &Path) -> String {
    let ganesha = layout.ganesha_dir();
    let mut text = String::from("# Written by lsm-linux-testenv: a throwaway array.\n");
    let _ = writeln!(text, "state_dir = \"{}\"", layout.path("state").display());
    let _ = writeln!(
        text,
        "\n[[pool]]\nname = \"{BTRFS_POOL_NAME}\"\nkind = \"btrfs\"\nmount_point = \"{}\"",
        layout.btrfs_mount().display()
    );
    let _ = writeln!(
        text,
        "\n[[pool]]\nname = \"{LVM_POOL_NAME}\"\nkind = \"lvm\"\nvg = \"{vg}\""
    );
    let _ = writeln!(
        text,
        "\n[lvm]\nsystem_dir = \"{}\"\ndisable_activation = true",
        layout.lvm_system_dir().display()
    );
    let _ = writeln!(
        text,
        "\n[iscsi]\nportals = [\"{}\"]\ntgtd_control_port = {}\ntarget_iqn_prefix = \"{TARGET_IQN_PREFIX}\"",
        record.iscsi_portal.as_deref().unwrap_or_default(),
        record.tgtd_control_port.unwrap_or_default()
    );
    let _ = writeln!(
        text,
        "\n[nfs]\nbackend = \"ganesha\"\ndbus_address = \"{}\"\nconfig_file = \"{}\"\nexports_include = \"{}\"\nexports_dir = \"{}\"\npid_file = \"{}\"\nexport_id_min = 100\nexport_id_max = 999\nmount_root = \"{}\"",
        record.dbus_address.as_deref().unwrap_or_default(),
        ganesha.join("ganesha.conf").display(),
        ganesha.join("exports.conf").display(),
        ganesha.join("exports.d").display(),
        pid_file.display(),
        layout.path("nfs").display()
    );
    text
}

/// Prints what `up` made as `KEY=value` lines, the URI line last.
pub fn print_summary(
    environment: &Environment,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let record = &environment.record;
    writeln!(out, "DIR={}", record.dir.display())?;
    if let Some(portal) = &record.iscsi_portal {
        writeln!(out, "ISCSI_PORTAL={portal}")?;
    }
    if let Some(port) = record.tgtd_control_port {
        writeln!(out, "TGTD_CONTROL_PORT={port}")?;
    }
    if let Some(address) = &record.dbus_address {
        writeln!(out, "DBUS_SYSTEM_BUS_ADDRESS={address}")?;
    }
    if let Some(port) = record.nfs_port {
        writeln!(out, "NFS_PORT={port}")?;
    }
    if let Some(vg) = &record.lvm_vg {
        writeln!(out, "LVM_VG={vg}")?;
    }
    writeln!(out, "URI={}", environment.uri)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_decoded() {
        assert_eq!(unescape_mountinfo("/tmp/a\\040b"), "/tmp/a b");
        assert_eq!(unescape_mountinfo("/plain"), "/plain");
        assert_eq!(unescape_mountinfo("/end\\"), "/end\\");
    }

    #[test]
    fn dir_must_be_safe_for_config_files() {
        assert!(absolute_dir(Path::new("/tmp/ok-dir_1")).is_ok());
        for bad in ["/tmp/a b", "/tmp/a\"b", "/tmp/a;b", "/", "/tmp/../etc"] {
            assert!(absolute_dir(Path::new(bad)).is_err(), "{bad}");
        }
        assert!(absolute_dir(Path::new("relative")).unwrap().is_absolute());
    }

    #[test]
    fn down_of_a_missing_dir_is_a_no_op() {
        down(Path::new("/tmp/lsm-testenv-does-not-exist-xyz")).unwrap();
    }

    #[test]
    fn tgtd_control_ports_are_all_ones_tgtd_accepts() {
        // High PIDs (pid_max is 4194304 on many hosts) once gave ports
        // above 32767, which tgtd refuses.
        for pid in [0, 1, 31_767, 31_768, 33_079, 4_194_303, u32::MAX] {
            let ports: Vec<u16> = tgtd_control_port_candidates(pid).collect();
            assert_eq!(ports.len(), 31_768);
            assert!(
                ports
                    .iter()
                    .all(|port| (TGTD_CONTROL_PORT_MIN..=TGTD_CONTROL_PORT_MAX).contains(port))
            );
            let mut distinct = ports.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), ports.len());
        }
        assert_ne!(
            tgtd_control_port_candidates(40_000).next(),
            tgtd_control_port_candidates(40_001).next()
        );
    }

    #[test]
    fn down_refuses_to_delete_a_foreign_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
        assert!(down(dir.path()).is_err());
        assert!(dir.path().join("precious.txt").exists());
    }

    #[test]
    fn down_removes_a_partial_environment() {
        let dir = tempfile::tempdir().unwrap();
        let env_dir = dir.path().join("env");
        create_dir(&env_dir.join("images")).unwrap();
        let layout = Layout {
            dir: env_dir.clone(),
        };
        let record = EnvRecord {
            dir: env_dir.clone(),
            daemons: vec![DaemonRecord {
                role: "ganesha".into(),
                pid: u32::MAX - 7,
                comm: "ganesha.nfsd".into(),
            }],
            ..EnvRecord::default()
        };
        save_record(&layout, &record).unwrap();
        down(&env_dir).unwrap();
        assert!(!env_dir.exists());
        down(&env_dir).unwrap();
    }

    #[test]
    fn plugin_config_written_by_testenv_is_valid() {
        let layout = Layout {
            dir: "/tmp/lsm-env".into(),
        };
        let record = EnvRecord {
            dir: "/tmp/lsm-env".into(),
            tgtd_control_port: Some(1234),
            iscsi_portal: Some("127.0.0.1:40000".into()),
            dbus_address: Some("unix:path=/tmp/lsm-env/dbus/system_bus_socket".into()),
            ..EnvRecord::default()
        };
        let text = plugin_config(
            &layout,
            &record,
            "lsmtest_1",
            Path::new("/tmp/lsm-env/ganesha/ganesha.pid"),
        );
        let config =
            crate::config::Config::parse(&text, Path::new("/tmp/lsm-env/linux.toml")).unwrap();
        assert_eq!(config.pools[0].name, BTRFS_POOL_NAME);
        assert_eq!(config.pools[1].name, LVM_POOL_NAME);
        assert_eq!(config.iscsi.unwrap().tgtd_control_port, 1234);
        assert_eq!(
            config.nfs.unwrap().mount_root,
            PathBuf::from("/tmp/lsm-env/nfs")
        );
    }
}
