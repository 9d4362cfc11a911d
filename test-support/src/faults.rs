//! The fault matrix every vendor plugin is put through: a real plugin (spawned by an
//! embedded [`BlockingClient`]) against its real simulator ([`ArraySim`]), which injects,
//! once per row, a 500, a dropped connection, a reply slower than the call's timeout, a
//! body cut short, a body that is not JSON, or a failed job, on each request a listing or
//! a create sends. Each row checks that the call gives the LSM error the vendor documents
//! (or works, when the plugin rides the fault out) within the timeout, that nothing is left
//! half-created on the array, and that the next call on the same session works.
//!
//! A vendor test describes its plugin in a [`FaultMatrix`] and calls
//! [`run_fault_matrix`]; every row runs, and the test fails at the end naming each row that
//! went wrong.
//!
//! "Half-created" is judged on the array, through its own API ([`FaultMatrix::inventory`]:
//! the names of every object a volume create can make). After a failed create the
//! inventory is the one before, or the one before plus a *complete* volume: one the plugin
//! lists under its name and whose `volume_delete` brings the inventory back (the array
//! may have done the work before its answer was lost: `truncate`, `garbage`).

use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

use lsm_core::types::{Pool, Provisioning};
use lsm_core::{BlockingClient, Completion, ErrorNumber, LsmError};

use crate::arraysim::{ARRAYSIM_PASSWORD, ArraySim};

/// The session timeout of the rows that are not about slowness: each answer comes well
/// within it.
pub const FAULT_TIMEOUT: Duration = Duration::from_secs(8);
/// The session timeout of the rows that are: a slow reply, a 500 that never ends.
pub const SHORT_TIMEOUT: Duration = Duration::from_secs(2);
/// How much slower than [`SHORT_TIMEOUT`] a slow reply is.
const SLOWER_BY: Duration = Duration::from_millis(1500);
/// What an answer may take beyond its call's timeout (a machine shared with builds).
const MARGIN: Duration = Duration::from_secs(3);
/// The size of the volumes the matrix creates.
const VOLUME_BYTES: i64 = 64 << 20;

/// One fault the simulator injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayFault {
    /// One `500` (the vendor's error body for it), then answers again.
    Status500Once,
    /// `500` to every request until the row ends (run with [`SHORT_TIMEOUT`]).
    Status500Always,
    /// The connection closed without an answer.
    Reset,
    /// An answer slower than the call's timeout (run with [`SHORT_TIMEOUT`]).
    SlowReply,
    /// The real answer, its body cut short of the announced length.
    TruncatedBody,
    /// The real answer, its body replaced by bytes that are not JSON.
    InvalidJson,
    /// The job the request starts fails (only for requests that start one).
    FailedJob,
}

impl ArrayFault {
    /// Every fault, in the order the rows run.
    pub const ALL: [ArrayFault; 7] = [
        ArrayFault::Status500Once,
        ArrayFault::Status500Always,
        ArrayFault::Reset,
        ArrayFault::SlowReply,
        ArrayFault::TruncatedBody,
        ArrayFault::InvalidJson,
        ArrayFault::FailedJob,
    ];

    /// The `lsm-arraysim --fault` spec of this fault on `method path`.
    pub fn spec(self, method: &str, path: &str) -> String {
        let kind = match self {
            ArrayFault::Status500Once => "status=500:count=1".to_string(),
            ArrayFault::Status500Always => "status=500".to_string(),
            ArrayFault::Reset => "reset:count=1".to_string(),
            ArrayFault::SlowReply => format!(
                "latency={}:count=1",
                (SHORT_TIMEOUT + SLOWER_BY).as_millis()
            ),
            ArrayFault::TruncatedBody => "truncate:count=1".to_string(),
            ArrayFault::InvalidJson => "garbage:count=1".to_string(),
            ArrayFault::FailedJob => "job=failure:count=1".to_string(),
        };
        format!("{path}:{kind}:method={method}")
    }

    /// Whether the row runs with [`SHORT_TIMEOUT`].
    fn is_about_time(self) -> bool {
        matches!(self, ArrayFault::SlowReply | ArrayFault::Status500Always)
    }

    /// The error `lsm-rest` documents for this fault where no vendor rule applies
    /// (`lsm-rest/src/error.rs`): a reset or a body cut short is `NETWORK_ERROR`, no answer
    /// within the timeout `TIMEOUT`, a body that is not the expected JSON `PLUGIN_BUG`. A
    /// 500 and a failed job have no such default (the vendor's error body and job error
    /// decide), so they are `PLUGIN_BUG` here, as for a status or code LSM has no name for.
    pub fn documented_default(self) -> Expect {
        Expect::Fails(match self {
            ArrayFault::Reset | ArrayFault::TruncatedBody => ErrorNumber::NETWORK_ERROR,
            ArrayFault::SlowReply => ErrorNumber::TIMEOUT,
            ArrayFault::InvalidJson
            | ArrayFault::Status500Once
            | ArrayFault::Status500Always
            | ArrayFault::FailedJob => ErrorNumber::PLUGIN_BUG,
        })
    }
}

/// What the plugin is expected to answer with a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The call works (the plugin retried, or did not need the mangled part).
    Works,
    /// The call fails with this code.
    Fails(ErrorNumber),
}

/// The call a row faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `volumes()`, with the fault on this `GET` path.
    Volumes(&'static str),
    /// `volume_create()`, with the fault on this `POST` path (one step of the create).
    VolumeCreate(&'static str),
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Call::Volumes(path) => write!(f, "volumes() [GET {path}]"),
            Call::VolumeCreate(path) => write!(f, "volume_create() [POST {path}]"),
        }
    }
}

/// One step of a volume create: the path of the `POST` it sends, and whether the array
/// answers it with a job (only those rows have a [`ArrayFault::FailedJob`]).
#[derive(Debug, Clone, Copy)]
pub struct CreateStep {
    /// The request path (a glob of `lsm-arraysim --fault`).
    pub path: &'static str,
    /// The array runs it as a job.
    pub starts_job: bool,
}

/// A vendor plugin and its simulator, as the matrix needs them.
pub struct FaultMatrix<'a> {
    /// The simulator (started by the test, with the vendor's options).
    pub sim: &'a ArraySim,
    /// The URI the plugin is given (usually `sim.uri()`).
    pub uri: String,
    /// The name of the LSM pool volumes are created in.
    pub pool: &'a str,
    /// The paths `volumes()` sends a `GET` to, each faulted in turn.
    pub listing_paths: &'a [&'static str],
    /// The `POST`s `volume_create()` sends, in order, each faulted in turn.
    pub create_steps: &'a [CreateStep],
    /// What the plugin answers to `fault` on `call`, as its documentation says.
    pub expect: &'a dyn Fn(Call, ArrayFault) -> Expect,
    /// The names of every array object a volume create can make, read through the array's
    /// own API (not through the plugin).
    pub inventory: &'a dyn Fn(&ArraySim) -> BTreeSet<String>,
}

/// Runs every row of `matrix` on one session; fails the test naming every row that went
/// wrong.
pub fn run_fault_matrix(matrix: &FaultMatrix<'_>) {
    let mut client = BlockingClient::connect(&matrix.uri, Some(ARRAYSIM_PASSWORD), FAULT_TIMEOUT)
        .unwrap_or_else(|error| panic!("connect to {}: {error}", matrix.uri));
    let pool = client
        .pools(None)
        .unwrap_or_else(|error| panic!("pools: {error}"))
        .into_iter()
        .find(|pool| pool.name == matrix.pool)
        .unwrap_or_else(|| panic!("no pool {} on {}", matrix.pool, matrix.uri));
    let baseline = volume_names(&mut client).unwrap_or_else(|error| panic!("volumes: {error}"));

    let mut rows = Vec::new();
    for path in matrix.listing_paths {
        for fault in ArrayFault::ALL {
            if fault != ArrayFault::FailedJob {
                rows.push((Call::Volumes(path), fault));
            }
        }
    }
    for step in matrix.create_steps {
        for fault in ArrayFault::ALL {
            if fault != ArrayFault::Status500Always
                && (fault != ArrayFault::FailedJob || step.starts_job)
            {
                rows.push((Call::VolumeCreate(step.path), fault));
            }
        }
    }

    let mut failures = Vec::new();
    for (index, (call, fault)) in rows.iter().enumerate() {
        let name = format!("fault_matrix_{index}");
        let row = Row {
            matrix,
            pool: &pool,
            baseline: &baseline,
            call: *call,
            fault: *fault,
            expected: (matrix.expect)(*call, *fault),
            name: &name,
        };
        let outcome = row.run(&mut client);
        eprintln!(
            "fault matrix: {call} with {fault:?}: {}",
            match &outcome {
                Ok(()) => "as expected".to_string(),
                Err(problem) => format!("WRONG: {problem}"),
            }
        );
        if let Err(problem) = outcome {
            failures.push(format!("{call} with {fault:?}: {problem}"));
        }
    }
    let _ = client.close();
    assert!(
        failures.is_empty(),
        "{} of {} fault rows went wrong:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// One row: a fault on one call.
struct Row<'a> {
    matrix: &'a FaultMatrix<'a>,
    pool: &'a Pool,
    baseline: &'a [String],
    call: Call,
    fault: ArrayFault,
    expected: Expect,
    /// The name of the volume a create row makes.
    name: &'a str,
}

impl Row<'_> {
    fn run(&self, client: &mut BlockingClient) -> Result<(), String> {
        let sim = self.matrix.sim;
        let before = (self.matrix.inventory)(sim);
        let timeout = if self.fault.is_about_time() {
            SHORT_TIMEOUT
        } else {
            FAULT_TIMEOUT
        };
        client
            .time_out_set(timeout)
            .map_err(|error| format!("time_out_set before the row: {error}"))?;
        let (method, path) = match self.call {
            Call::Volumes(path) => ("GET", path),
            Call::VolumeCreate(path) => ("POST", path),
        };
        sim.add_fault(&self.fault.spec(method, path));
        let started = Instant::now();
        let outcome = match self.call {
            Call::Volumes(_) => client.volumes(None).map(|_| ()),
            Call::VolumeCreate(_) => create_volume(client, self.pool, self.name),
        };
        let took = started.elapsed();
        sim.clear_faults();
        client
            .time_out_set(FAULT_TIMEOUT)
            .map_err(|error| format!("time_out_set after the row: {error}"))?;

        let mut problems = Vec::new();
        match (&outcome, self.expected) {
            (Ok(()), Expect::Works) => {}
            (Err(error), Expect::Fails(code)) if error.code == code => {}
            (Err(error), expected) => problems.push(format!(
                "expected {expected:?}, got {:?}: {error}",
                error.code
            )),
            (Ok(()), expected) => problems.push(format!("expected {expected:?}, the call worked")),
        }
        if took > timeout + MARGIN {
            problems.push(format!(
                "the answer took {took:?} for a {timeout:?} timeout"
            ));
        }
        if let Err(error) = &outcome
            && error.message.starts_with("plugin did not answer")
        {
            problems.push(format!(
                "the client gave up on the plugin, not the plugin on the array: {error}"
            ));
        }
        if self.fault == ArrayFault::SlowReply {
            // A request the plugin gave up on must not make its object afterwards.
            std::thread::sleep(
                (SHORT_TIMEOUT + SLOWER_BY + Duration::from_millis(500)).saturating_sub(took),
            );
        }
        let created = matches!(self.call, Call::VolumeCreate(_)) && outcome.is_ok();
        if let Err(problem) = self.nothing_half_created(client, &before, created) {
            problems.push(problem);
        }
        match volume_names(client) {
            Ok(names) if names == self.baseline => {}
            Ok(names) => problems.push(format!(
                "the next volumes() lists {names:?}, not {:?}",
                self.baseline
            )),
            Err(error) => problems.push(format!("the next volumes() failed: {error}")),
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// The array holds what it held before the row, or that and a complete volume named
    /// after the row, which is then deleted through the plugin.
    fn nothing_half_created(
        &self,
        client: &mut BlockingClient,
        before: &BTreeSet<String>,
        created: bool,
    ) -> Result<(), String> {
        let sim = self.matrix.sim;
        let after = (self.matrix.inventory)(sim);
        if after == *before && !created {
            return Ok(());
        }
        let made: Vec<&String> = after.difference(before).collect();
        let lost: Vec<&String> = before.difference(&after).collect();
        if !lost.is_empty() {
            return Err(format!("the array lost {lost:?}"));
        }
        let volume = client
            .volumes(None)
            .map_err(|error| format!("volumes() after the row: {error}"))?
            .into_iter()
            .find(|volume| volume.name == self.name);
        let Some(volume) = volume else {
            return Err(format!(
                "half-created: the array gained {made:?} but the plugin lists no volume {}",
                self.name
            ));
        };
        let deleted = client
            .volume_delete(&volume)
            .and_then(|completion| client.wait_done(completion));
        if let Err(error) = deleted {
            return Err(format!(
                "the volume {} cannot be deleted: {error}",
                self.name
            ));
        }
        let cleaned = (self.matrix.inventory)(sim);
        if cleaned != *before {
            let left: Vec<&String> = cleaned.difference(before).collect();
            return Err(format!(
                "half-created: deleting volume {} left {left:?} on the array",
                self.name
            ));
        }
        Ok(())
    }
}

/// `volume_create`, followed to its end when it is a job.
fn create_volume(client: &mut BlockingClient, pool: &Pool, name: &str) -> Result<(), LsmError> {
    let completion = client.volume_create(pool, name, VOLUME_BYTES, Provisioning::THIN)?;
    match completion {
        Completion::Done(_) => Ok(()),
        job => client.wait_done(job).map(|_| ()),
    }
}

/// The names of the volumes the plugin lists, sorted.
fn volume_names(client: &mut BlockingClient) -> Result<Vec<String>, LsmError> {
    let mut names: Vec<String> = client
        .volumes(None)?
        .into_iter()
        .map(|volume| volume.name)
        .collect();
    names.sort();
    Ok(names)
}
