//! lsmd's test support: a [`Fixture`] (lsmd's directories plus an output
//! dir, script and echo plugins, confs), and the echo plugin's client.
//! What other crates' tests need too (the lsmd guard, waiting, `/proc`
//! facts, workspace binaries) lives in `lsm-test-support`.

#![allow(dead_code)] // Each test binary uses a different part of this module.

pub mod lsm;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::Deref;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use lsm_test_support::{LsmdDirs, RunningLsmd, TIMEOUT, set_mode};

/// Path of the lsmd binary under test.
pub const LSMD: &str = env!("CARGO_BIN_EXE_lsmd");

/// The uid/gid of `nobody`, used for unprivileged clients and plugins.
pub const NOBODY_UID: u32 = 65534;

/// lsmd's temporary plugin, socket and conf dirs (reached through
/// `Deref`: `fixture.plugin_dir`, `fixture.socket(name)`), and an output
/// dir where plugins write what they saw.
pub struct Fixture {
    dirs: LsmdDirs,
    /// Where plugins write what they saw (world-writable).
    pub out_dir: PathBuf,
}

impl Deref for Fixture {
    type Target = LsmdDirs;

    fn deref(&self) -> &LsmdDirs {
        &self.dirs
    }
}

impl Fixture {
    pub fn new() -> Self {
        let dirs = LsmdDirs::new("lsmd-test");
        let out_dir = dirs.root().join("out");
        fs::create_dir(&out_dir).unwrap();
        set_mode(&out_dir, 0o777);
        Self { dirs, out_dir }
    }

    /// Writes an executable bash script at `plugin_dir/relative_path`
    /// (bash, not sh: dash cannot redirect fds above 9, and the connection
    /// fd often is).
    pub fn add_script_plugin(&self, relative_path: &str, body: &str) -> PathBuf {
        let path = self.plugin_path(relative_path);
        fs::write(&path, format!("#!/bin/bash\n{body}")).unwrap();
        set_mode(&path, 0o755);
        path
    }

    /// The echo plugin: records `$0 $1` in `out/argv.<pid>`, sends a
    /// `pid=… uid=… fd=…` line on its socket, then echoes every byte back.
    pub fn add_echo_plugin(&self, relative_path: &str) -> PathBuf {
        let out = self.out_dir.display();
        self.add_script_plugin(
            relative_path,
            &format!(
                "printf '%s %s\\n' \"$0\" \"$1\" > \"{out}/argv.$$\"\n\
                 printf 'pid=%s uid=%s fd=%s\\n' \"$$\" \"$(id -u)\" \"$1\" >&\"$1\"\n\
                 exec cat <&\"$1\" >&\"$1\"\n"
            ),
        )
    }

    /// Writes `conf_dir/relative_path`.
    pub fn write_conf(&self, relative_path: &str, text: &str) {
        let path = self.conf_dir.join(relative_path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, text).unwrap();
    }

    /// `(file name, content)` of every `argv.<pid>` record, keyed by pid.
    pub fn argv_records(&self) -> HashMap<u32, String> {
        let mut records = HashMap::new();
        for entry in fs::read_dir(&self.out_dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("argv.") {
                let text = fs::read_to_string(entry.path()).unwrap_or_default();
                records.insert(pid.parse().unwrap(), text);
            }
        }
        records
    }

    /// The arguments lsmd is started with (foreground, verbose).
    pub fn lsmd_command(&self, extra_args: &[&str]) -> Command {
        let mut command = self.dirs.command(Path::new(LSMD));
        command
            .arg("-v")
            .args(extra_args)
            .env_remove("LSM_VALGRIND");
        command
    }

    /// Starts lsmd and waits for its `READY=1`.
    pub fn start(&self) -> RunningLsmd {
        self.start_with(&[])
    }

    /// Starts lsmd with extra arguments and waits for its `READY=1`.
    pub fn start_with(&self, extra_args: &[&str]) -> RunningLsmd {
        self.dirs.start(self.lsmd_command(extra_args))
    }

    /// Runs lsmd expecting it to stop on its own (a start-up failure).
    pub fn run_expecting_exit(&self, extra_args: &[&str]) -> Output {
        let mut child = self
            .lsmd_command(extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + TIMEOUT;
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("lsmd did not exit on its own");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
    }

    /// Names of the entries in the socket dir (sorted, lock file included).
    pub fn socket_dir_entries(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.socket_dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// The first line an echo plugin sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoHeader {
    pub pid: u32,
    pub uid: u32,
    pub fd: u32,
}

impl EchoHeader {
    pub fn parse(line: &str) -> Self {
        let mut fields = HashMap::new();
        for pair in line.split_whitespace() {
            let (key, value) = pair.split_once('=').unwrap();
            fields.insert(key, value.parse::<u32>().unwrap());
        }
        Self {
            pid: fields["pid"],
            uid: fields["uid"],
            fd: fields["fd"],
        }
    }
}

/// A client connection to an echo plugin.
pub struct EchoSession {
    reader: BufReader<UnixStream>,
    pub header: EchoHeader,
}

impl EchoSession {
    /// Connects to `socket_path` and reads the plugin's header line.
    pub fn connect(socket_path: &Path) -> Self {
        let stream = UnixStream::connect(socket_path)
            .unwrap_or_else(|error| panic!("connect {}: {error}", socket_path.display()));
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(TIMEOUT)).unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(
            line.ends_with('\n'),
            "incomplete header {line:?} from {}",
            socket_path.display()
        );
        Self {
            header: EchoHeader::parse(&line),
            reader,
        }
    }

    /// Sends `payload` and reads the same number of bytes back.
    pub fn echo(&mut self, payload: &[u8]) -> Vec<u8> {
        self.reader.get_mut().write_all(payload).unwrap();
        let mut reply = vec![0u8; payload.len()];
        self.reader.read_exact(&mut reply).unwrap();
        reply
    }
}
