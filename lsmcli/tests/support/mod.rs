//! Running the real `lsmcli` binary against the workspace's `sim_lsmplugin` in embedded
//! mode: a private state file and `$HOME` per test, instant jobs (`LSM_SIM_TIME=0`), no
//! `LSMCLI_URI`/`LSMCLI_PASSWORD`/`LSM_UDS_PATH` from the caller's environment.
//!
//! Also: the reference outputs (`../../shared/lsmcli-reference`) and the masks for the values
//! the README says vary between runs.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use lsm_test_support::{bin_dir, workspace_binary};

/// The binary under test.
pub const LSMCLI: &str = env!("CARGO_BIN_EXE_lsmcli");

/// Fails loudly when the simulator plugin has not been built.
pub fn require_sim() {
    workspace_binary("sim_lsmplugin", "plugin-sim");
}

/// The reference outputs directory; fails loudly when the shared specs are missing.
pub fn reference_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/lsmcli-reference/outputs");
    assert!(
        dir.is_dir(),
        "reference outputs not found at {} (the shared/ specs must sit beside the repository)",
        dir.display()
    );
    dir
}

/// One reference capture: stdout, stderr (empty when not kept) and exit code.
#[derive(Debug, Clone)]
pub struct Reference {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Reads `<name>.out/.err/.rc`.
pub fn reference(name: &str) -> Reference {
    let dir = reference_dir();
    let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}")));
    let stdout = read("out").unwrap_or_else(|e| panic!("reference {name}.out: {e}"));
    let stderr = read("err").unwrap_or_default();
    let code = read("rc")
        .unwrap_or_else(|e| panic!("reference {name}.rc: {e}"))
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("reference {name}.rc: {e}"));
    Reference {
        stdout,
        stderr,
        code,
    }
}

/// What one lsmcli run gave.
#[derive(Debug, Clone)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    fn from_output(output: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    }

    /// Asserts exit 0 and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts this exit code.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts no panic or backtrace text anywhere.
    #[track_caller]
    pub fn no_crash_text(&self) -> &Self {
        for text in [&self.stdout, &self.stderr] {
            assert!(
                !text.contains("panicked")
                    && !text.contains("RUST_BACKTRACE")
                    && !text.contains("Traceback"),
                "crash text in output:\n{text}"
            );
        }
        self
    }

    /// The stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// A private simulator: its state file, `$HOME`, and the URI naming them.
pub struct Sim {
    pub dir: tempfile::TempDir,
    pub uri: String,
}

impl Sim {
    /// A fresh simulator state (created by the first call).
    pub fn new() -> Sim {
        require_sim();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let uri = format!("sim://?statefile={}", dir.path().join("state.db").display());
        Sim { dir, uri }
    }

    /// The `$HOME` of the runs.
    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// A base command: the binary with the test environment (no URI given).
    pub fn command(&self) -> Command {
        let mut command = Command::new(LSMCLI);
        command
            .env("HOME", self.home())
            .env("LSM_SIM_TIME", "0")
            .env("LSM_PLUGIN_PATH", bin_dir())
            .env_remove("LSMCLI_URI")
            .env_remove("LSMCLI_PASSWORD")
            .env_remove("LSM_UDS_PATH")
            .env_remove("LSMCLI_DEBUG_FD")
            .stdin(Stdio::null());
        command
    }

    /// Runs `lsmcli -u <uri> <args>`.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = self.command();
        command.arg("-u").arg(&self.uri).args(args);
        Run::from_output(
            command
                .output()
                .unwrap_or_else(|e| panic!("cannot run {LSMCLI}: {e}")),
        )
    }

    /// Runs `lsmcli <args>` with no `-u` (environment as [`Sim::command`]).
    pub fn run_bare<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = self.command();
        command.args(args);
        Run::from_output(
            command
                .output()
                .unwrap_or_else(|e| panic!("cannot run {LSMCLI}: {e}")),
        )
    }

    /// Runs `lsmcli <args>` with extra environment variables.
    pub fn run_env<I, S>(&self, env: &[(&str, &str)], args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = self.command();
        for (key, value) in env {
            command.env(key, value);
        }
        command.arg("-u").arg(&self.uri).args(args);
        Run::from_output(
            command
                .output()
                .unwrap_or_else(|e| panic!("cannot run {LSMCLI}: {e}")),
        )
    }

    /// The id (first `-t,` column) of the one object a create command printed.
    #[track_caller]
    pub fn create_id(&self, args: &[&str]) -> String {
        let mut full = vec!["-t,"];
        full.extend_from_slice(args);
        let run = self.run(&full);
        let stdout = run.ok();
        stdout
            .split(',')
            .next()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| panic!("no id in {stdout:?}"))
            .to_string()
    }

    /// The reference's population sequence (README (a)); returns the runs in order.
    pub fn populate(&self) -> Vec<(&'static str, Run)> {
        POPULATION
            .iter()
            .map(|(name, args)| (*name, self.run(args.iter())))
            .collect()
    }
}

/// README (a): the population, each with the name of its capture.
pub const POPULATION: &[(&str, &[&str])] = &[
    (
        "volume-create-default",
        &[
            "volume-create",
            "--name",
            "gv1",
            "--size",
            "1GiB",
            "--pool",
            "POOL_ID_00004",
        ],
    ),
    (
        "volume-replicate-default",
        &[
            "volume-replicate",
            "--vol",
            "VOL_ID_00001",
            "--name",
            "gv1-clone",
            "--rep-type",
            "CLONE",
        ],
    ),
    (
        "access-group-create-default",
        &[
            "access-group-create",
            "--name",
            "ag1",
            "--init",
            "iqn.1994-05.com.example:01.host1",
            "--sys",
            "sim-01",
        ],
    ),
    (
        "volume-mask-default",
        &[
            "volume-mask",
            "--vol",
            "VOL_ID_00001",
            "--ag",
            "AG_ID_00001",
        ],
    ),
    (
        "fs-create-default",
        &[
            "fs-create",
            "--name",
            "fs1",
            "--size",
            "1GiB",
            "--pool",
            "POOL_ID_00004",
        ],
    ),
    (
        "fs-snap-create-default",
        &["fs-snap-create", "--name", "snap1", "--fs", "FS_ID_00001"],
    ),
    (
        "fs-export-default",
        &[
            "fs-export",
            "--fs",
            "FS_ID_00001",
            "--rw-host",
            "192.168.0.1",
            "--root-host",
            "192.168.0.1",
        ],
    ),
];

/// Replaces the values the README lists as varying between runs with same-width markers:
/// SCSI VPD 0x83 ids (16 hex digits starting with 5), random export paths, snapshot time
/// stamps.
pub fn mask_varying(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut index = 0;
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while index < chars.len() {
        let boundary_before = index == 0 || !is_word(chars[index - 1]);
        // A vpd83: exactly 16 hex digits, the first one '5'.
        if boundary_before
            && chars[index] == '5'
            && index + 16 <= chars.len()
            && chars[index..index + 16]
                .iter()
                .all(|c| c.is_ascii_hexdigit())
            && chars.get(index + 16).is_none_or(|c| !is_word(*c))
        {
            out.push_str("VPD83_MASKED____");
            index += 16;
            continue;
        }
        // A time stamp: dddd-dd-dd dd:dd:dd.
        if index + 19 <= chars.len() {
            let window: String = chars[index..index + 19].iter().collect();
            let shape_ok = window.char_indices().all(|(i, c)| match i {
                4 | 7 => c == '-',
                10 => c == ' ',
                13 | 16 => c == ':',
                _ => c.is_ascii_digit(),
            });
            if shape_ok {
                out.push_str("TIMESTAMP_MASKED___");
                index += 19;
                continue;
            }
        }
        // A random export path: /nfs_exp_ + 8 hex digits.
        let prefix: Vec<char> = "/nfs_exp_".chars().collect();
        if chars[index..].starts_with(&prefix)
            && index + prefix.len() + 8 <= chars.len()
            && chars[index + prefix.len()..index + prefix.len() + 8]
                .iter()
                .all(|c| c.is_ascii_hexdigit())
        {
            out.push_str("/nfs_exp_XXXXXXXX");
            index += prefix.len() + 8;
            continue;
        }
        out.push(chars[index]);
        index += 1;
    }
    out
}

/// Asserts that `actual` equals the reference capture `name` byte for byte, once the varying
/// values are masked on both sides; and the same exit code.
#[track_caller]
pub fn assert_matches_reference(name: &str, actual: &Run) {
    let expected = reference(name);
    assert_eq!(
        actual.code, expected.code,
        "{name}: exit code\nstdout:\n{}\nstderr:\n{}",
        actual.stdout, actual.stderr
    );
    let want = mask_varying(&expected.stdout);
    let got = mask_varying(&actual.stdout);
    if want != got {
        panic!(
            "{name}: stdout differs from the reference\n--- reference\n{want}\n--- lsmcli\n{got}\n--- stderr\n{}",
            actual.stderr
        );
    }
}

/// Splits a column/script/terse output into trimmed cells per line (dash lines become
/// `<dashes>`), for outputs whose widths legitimately differ from the reference (a value of
/// our simulator that differs in length).
pub fn cells(text: &str, separator: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            if !line.is_empty() && line.chars().all(|c| c == '-') {
                vec!["<dashes>".to_string()]
            } else {
                line.split(separator)
                    .map(|cell| cell.trim().to_string())
                    .collect()
            }
        })
        .collect()
}
