//! The runner: what a [`Check`] is, how the suite sets up a [`Session`],
//! gates each check on its capabilities, runs it on its own client, cleans up
//! after it, and collects a [`Report`].

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use lsm_core::{BlockingClientBuilder, Capability};

use crate::ctx::{Ctx, Session};
use crate::expect::{CheckError, CheckResult};

/// One conformance check.
#[derive(Clone, Copy)]
pub struct Check {
    /// Unique snake_case name (what `--skip` takes).
    pub name: &'static str,
    /// One line: what it verifies.
    pub summary: &'static str,
    /// Capabilities that must all be supported, or the check is skipped.
    pub requires: &'static [Capability],
    /// The check itself.
    pub body: fn(&mut Ctx) -> CheckResult,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("name", &self.name)
            .field("requires", &self.requires)
            .finish()
    }
}

/// How one check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

/// The outcome of one check, with its timing and notes.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub name: &'static str,
    pub outcome: Outcome,
    pub elapsed: Duration,
    /// Observations the check recorded (shown with `--verbose`).
    pub notes: Vec<String>,
    /// The supported capabilities the check relied on (its `requires` and those it
    /// branched on); empty unless it passed.
    pub exercised: Vec<Capability>,
}

impl CheckOutcome {
    /// The one-line form: `PASS name`, `FAIL name: why`, `SKIP name: why`.
    pub fn line(&self) -> String {
        let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        match &self.outcome {
            Outcome::Passed => format!("PASS {}", self.name),
            Outcome::Failed(why) => format!("FAIL {}: {}", self.name, one_line(why)),
            Outcome::Skipped(why) => format!("SKIP {}: {}", self.name, one_line(why)),
        }
    }
}

/// The result of a suite run.
#[derive(Debug, Clone)]
pub struct Report {
    pub uri: String,
    pub outcomes: Vec<CheckOutcome>,
    pub elapsed: Duration,
    /// The capabilities the plugin claims for the system under test (empty when the
    /// suite could not start).
    pub claimed: Vec<Capability>,
}

impl Report {
    fn count(&self, pick: fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|o| pick(&o.outcome)).count()
    }

    pub fn passed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Passed))
    }

    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }

    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped(_)))
    }

    /// `N passed, N failed, N skipped`.
    pub fn summary_line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )
    }

    /// The outcome of the check with this name.
    pub fn get(&self, name: &str) -> Option<&CheckOutcome> {
        self.outcomes.iter().find(|o| o.name == name)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &CheckOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Failed(_)))
    }

    /// The names of the skipped checks, sorted: what a plugin's test pins, so that a
    /// capability dropped (a skip appears) or gained (one disappears) shows.
    pub fn skipped_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self
            .outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Skipped(_)))
            .map(|o| o.name)
            .collect();
        names.sort_unstable();
        names
    }

    /// Fails (panics, for a test) unless no check failed and exactly `expected_skips` were
    /// skipped: a plugin's test pins its outcome with it, so a skip that appears (a
    /// capability dropped or a check that stopped running) or disappears fails the test.
    /// Prints every outcome line first.
    pub fn assert_pinned(&self, expected_skips: &[&str]) {
        for outcome in &self.outcomes {
            eprintln!("{}", outcome.line());
        }
        eprintln!("{}", self.summary_line());
        let failures: Vec<String> = self.failures().map(|o| o.line()).collect();
        assert!(
            failures.is_empty(),
            "failed checks against {}:\n{}",
            self.uri,
            failures.join("\n")
        );
        let skipped = self.skipped_names();
        let mut expected = expected_skips.to_vec();
        expected.sort_unstable();
        let new: Vec<String> = self
            .outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Skipped(_)) && !expected.contains(&o.name))
            .map(|o| o.line())
            .collect();
        let ran: Vec<&&str> = expected.iter().filter(|n| !skipped.contains(n)).collect();
        assert!(
            new.is_empty() && ran.is_empty(),
            "the skipped checks against {} changed:\n  skipped now, not pinned: {new:?}\n  \
             pinned as skipped, not skipped now: {ran:?}\n(pin: {skipped:?})",
            self.uri
        );
    }

    /// Capabilities the plugin claims that no passed check relied on, leaving out
    /// [`DESCRIPTIVE_CAPABILITIES`] and those `not_judged`.
    pub fn unexercised_claims(&self, not_judged: &[Capability]) -> Vec<Capability> {
        self.claimed
            .iter()
            .copied()
            .filter(|cap| !DESCRIPTIVE_CAPABILITIES.contains(cap) && !not_judged.contains(cap))
            .filter(|cap| {
                !self
                    .outcomes
                    .iter()
                    .any(|o| o.outcome == Outcome::Passed && o.exercised.contains(cap))
            })
            .collect()
    }
}

/// The name of the outcome [`run_checks`] adds after a run of the whole suite (every
/// check of [`crate::all_checks`], no `only`): every
/// capability the plugin claims must have been relied on by a check that passed, so a
/// plugin cannot claim what its calls refuse (the check that exercises it fails) or what
/// the suite never saw working.
pub const CLAIMS_CHECK: &str = "claimed_capabilities_exercised";

/// Capabilities that describe a behaviour rather than name a call, which no check can
/// exercise on its own: they are never held against a plugin by [`CLAIMS_CHECK`].
pub const DESCRIPTIVE_CAPABILITIES: &[Capability] = &[
    // A promise that searches are answered by the array, not a call.
    Capability::POOLS_QUICK_SEARCH,
    Capability::VOLUMES_QUICK_SEARCH,
    Capability::DISKS_QUICK_SEARCH,
    Capability::ACCESS_GROUPS_QUICK_SEARCH,
    Capability::FS_QUICK_SEARCH,
    Capability::NFS_EXPORTS_QUICK_SEARCH,
    Capability::TARGET_PORTS_QUICK_SEARCH,
    // The umbrella of the typed replications, each exercised on its own.
    Capability::VOLUME_REPLICATE,
    // Side effects of cache updates, described, not called.
    Capability::VOLUME_PHYSICAL_DISK_CACHE_UPDATE_SYSTEM_LEVEL,
    Capability::VOLUME_READ_CACHE_POLICY_UPDATE_IMPACT_WRITE,
    Capability::VOLUME_WRITE_CACHE_POLICY_UPDATE_IMPACT_READ,
    Capability::VOLUME_WRITE_CACHE_POLICY_UPDATE_WB_IMPACT_OTHER,
];

/// What to run, against what.
#[derive(Debug, Clone)]
pub struct SuiteOptions {
    /// How every client of the suite is opened: the URI under test, its password, the
    /// timeout (30 s by default, like the reference's), and how the plugin is reached.
    pub client: BlockingClientBuilder,
    /// Checks reported as skipped without running.
    pub skip: Vec<String>,
    /// When not empty, only these checks run.
    pub only: Vec<String>,
}

impl SuiteOptions {
    /// Every check, each on a client opened by `client`.
    pub fn new(client: BlockingClientBuilder) -> Self {
        SuiteOptions {
            client,
            skip: Vec::new(),
            only: Vec::new(),
        }
    }

    /// Names in `skip` or `only` that are not checks of `checks`.
    pub fn unknown_names(&self, checks: &[&Check]) -> Vec<String> {
        self.skip
            .iter()
            .chain(&self.only)
            .filter(|name| name.as_str() != CLAIMS_CHECK)
            .filter(|name| !checks.iter().any(|c| c.name == name.as_str()))
            .cloned()
            .collect()
    }
}

/// Runs every check, each on a client opened by `client`; checks named in `skip` are
/// reported as skipped.
pub fn run_suite(client: BlockingClientBuilder, skip: &[String]) -> Report {
    let options = SuiteOptions {
        skip: skip.to_vec(),
        ..SuiteOptions::new(client)
    };
    run_checks(&options, &crate::all_checks(), &mut |_| {})
}

/// Runs `checks` as `options` say, handing each outcome to `on_outcome` as
/// soon as it is known.
pub fn run_checks(
    options: &SuiteOptions,
    checks: &[&Check],
    on_outcome: &mut dyn FnMut(&CheckOutcome),
) -> Report {
    let started = Instant::now();
    let session = open_session(options);
    let mut outcomes = Vec::new();
    for check in checks {
        if !options.only.is_empty() && !options.only.iter().any(|n| n == check.name) {
            continue;
        }
        let check_started = Instant::now();
        let (outcome, notes, exercised) = match &session {
            Err(why) => (
                Outcome::Failed(format!("suite setup failed: {why}")),
                Vec::new(),
                Vec::new(),
            ),
            Ok(session) => run_one(session, options, check),
        };
        let result = CheckOutcome {
            name: check.name,
            outcome,
            elapsed: check_started.elapsed(),
            notes,
            exercised,
        };
        on_outcome(&result);
        outcomes.push(result);
    }
    let mut report = Report {
        uri: options.client.uri().to_string(),
        outcomes,
        elapsed: started.elapsed(),
        claimed: match &session {
            Ok(session) => session.caps.supported_list(),
            Err(_) => Vec::new(),
        },
    };
    // Only a run of the whole suite can tell what no check relied on.
    let whole_suite = crate::all_checks()
        .iter()
        .all(|check| checks.iter().any(|c| c.name == check.name));
    if session.is_ok() && options.only.is_empty() && whole_suite {
        let claims = claims_outcome(&report, options, checks);
        on_outcome(&claims);
        report.outcomes.push(claims);
        report.elapsed = started.elapsed();
    }
    report
}

/// The [`CLAIMS_CHECK`] outcome of a whole run. Capabilities required by a check the
/// caller skipped by request are not judged.
fn claims_outcome(report: &Report, options: &SuiteOptions, checks: &[&Check]) -> CheckOutcome {
    let outcome = if options.skip.iter().any(|n| n == CLAIMS_CHECK) {
        Outcome::Skipped("skipped by request".into())
    } else {
        let not_judged: Vec<Capability> = checks
            .iter()
            .filter(|c| options.skip.iter().any(|n| n == c.name))
            .flat_map(|c| c.requires.iter().copied())
            .collect();
        let unexercised = report.unexercised_claims(&not_judged);
        if unexercised.is_empty() {
            Outcome::Passed
        } else {
            let names: Vec<String> = unexercised.iter().map(|c| format!("{c:?}")).collect();
            Outcome::Failed(format!(
                "the plugin claims {} but no check that relies on {} passed: a failed \
                 check above shows the call refused, or the suite has no check for it",
                names.join(", "),
                if names.len() == 1 { "it" } else { "them" }
            ))
        }
    };
    CheckOutcome {
        name: CLAIMS_CHECK,
        outcome,
        elapsed: Duration::ZERO,
        notes: Vec::new(),
        exercised: Vec::new(),
    }
}

/// Connects once to learn the systems and the capabilities of the first one.
fn open_session(options: &SuiteOptions) -> Result<Session, String> {
    let run_tag = format!("{:06x}", rand::random::<u32>() & 0x00ff_ffff);
    let uri = options.client.uri();
    let mut client = options
        .client
        .clone()
        .connect()
        .map_err(|e| format!("cannot connect to {uri}: {e}"))?;
    let timeout = client.timeout();
    let systems = client.systems().map_err(|e| format!("systems: {e}"))?;
    let Some(system) = systems.first().cloned() else {
        return Err("the plugin lists no system".to_string());
    };
    let caps = client
        .capabilities(&system)
        .map_err(|e| format!("capabilities of {}: {e}", system.id))?;
    client
        .close()
        .map_err(|e| format!("plugin_unregister: {e}"))?;
    Ok(Session {
        client: options.client.clone(),
        uri: uri.to_string(),
        timeout,
        systems,
        system,
        caps,
        run_tag,
    })
}

fn run_one(
    session: &Session,
    options: &SuiteOptions,
    check: &Check,
) -> (Outcome, Vec<String>, Vec<Capability>) {
    if options.skip.iter().any(|n| n == check.name) {
        return (
            Outcome::Skipped("skipped by request".into()),
            Vec::new(),
            Vec::new(),
        );
    }
    let missing: Vec<String> = check
        .requires
        .iter()
        .filter(|cap| !session.caps.supported(**cap))
        .map(|cap| format!("{cap:?}"))
        .collect();
    if !missing.is_empty() {
        return (
            Outcome::Skipped(format!("unsupported capability {}", missing.join(", "))),
            Vec::new(),
            Vec::new(),
        );
    }
    let client = match session.connect() {
        Ok(client) => client,
        Err(e) => {
            return (
                Outcome::Failed(format!("connect: {e}")),
                Vec::new(),
                Vec::new(),
            );
        }
    };
    let mut ctx = Ctx::new(session, check.name, client);
    let body = catch_unwind(AssertUnwindSafe(|| (check.body)(&mut ctx)));
    let body = body.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(CheckError::Failed(format!("the check panicked: {what}")))
    });
    let cleanup = ctx.cleanup();
    let notes = ctx.take_notes();
    let mut exercised = ctx.take_exercised();
    // The session ends with plugin_unregister; a broken session (after a
    // failure) may not manage it, which the outcome already tells.
    let _ = ctx.client.close();
    let outcome = match (body, cleanup) {
        (Ok(()), Ok(())) => Outcome::Passed,
        (Ok(()), Err(left)) | (Err(CheckError::Skipped(_)), Err(left)) => {
            Outcome::Failed(format!("cleanup failed: {left}"))
        }
        (Err(CheckError::Skipped(why)), Ok(())) => Outcome::Skipped(why),
        (Err(CheckError::Failed(why)), Ok(())) => Outcome::Failed(why),
        (Err(CheckError::Failed(why)), Err(left)) => {
            Outcome::Failed(format!("{why}; cleanup also failed: {left}"))
        }
    };
    if outcome == Outcome::Passed {
        exercised.extend_from_slice(check.requires);
        exercised.sort();
        exercised.dedup();
    } else {
        exercised.clear();
    }
    (outcome, notes, exercised)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(name: &'static str, outcome: Outcome) -> CheckOutcome {
        CheckOutcome {
            name,
            outcome,
            elapsed: Duration::ZERO,
            notes: Vec::new(),
            exercised: Vec::new(),
        }
    }

    #[test]
    fn report_counts_and_summary() {
        let report = Report {
            uri: "sim://".into(),
            outcomes: vec![
                outcome("a", Outcome::Passed),
                outcome("b", Outcome::Failed("x".into())),
                outcome("c", Outcome::Skipped("y".into())),
                outcome("d", Outcome::Passed),
            ],
            elapsed: Duration::ZERO,
            claimed: Vec::new(),
        };
        assert_eq!(report.summary_line(), "2 passed, 1 failed, 1 skipped");
        assert_eq!(report.failures().map(|o| o.name).collect::<Vec<_>>(), ["b"]);
        assert_eq!(
            report.get("c").map(|o| &o.outcome),
            Some(&Outcome::Skipped("y".into()))
        );
        assert_eq!(report.skipped_names(), ["c"]);
    }

    #[test]
    fn a_claim_counts_only_when_a_passed_check_relied_on_it() {
        let relied = |name, result, caps: &[Capability]| CheckOutcome {
            exercised: caps.to_vec(),
            ..outcome(name, result)
        };
        let report = Report {
            uri: "sim://".into(),
            outcomes: vec![
                relied("ok", Outcome::Passed, &[Capability::VOLUMES]),
                // A failed check vouches for nothing, even if it got far.
                relied("bad", Outcome::Failed("x".into()), &[]),
            ],
            elapsed: Duration::ZERO,
            claimed: vec![
                Capability::VOLUMES,
                Capability::EXPORT_CUSTOM_PATH,
                Capability::VOLUMES_QUICK_SEARCH,
                Capability::FS,
            ],
        };
        assert_eq!(
            report.unexercised_claims(&[]),
            [Capability::EXPORT_CUSTOM_PATH, Capability::FS]
        );
        assert_eq!(
            report.unexercised_claims(&[Capability::FS]),
            [Capability::EXPORT_CUSTOM_PATH]
        );
    }

    #[test]
    fn lines_are_single_lines() {
        let failed = outcome("vol", Outcome::Failed("first\nsecond  third".into()));
        assert_eq!(failed.line(), "FAIL vol: first second third");
        assert_eq!(outcome("p", Outcome::Passed).line(), "PASS p");
        assert_eq!(
            outcome("s", Outcome::Skipped("why".into())).line(),
            "SKIP s: why"
        );
    }

    #[test]
    fn setup_failure_fails_every_selected_check() {
        static A: Check = Check {
            name: "a",
            summary: "",
            requires: &[],
            body: |_| Ok(()),
        };
        static B: Check = Check {
            name: "b",
            summary: "",
            requires: &[],
            body: |_| Ok(()),
        };
        let mut options = SuiteOptions::new(lsm_core::BlockingClient::builder("no scheme here"));
        options.only = vec!["b".into()];
        let mut seen = Vec::new();
        let report = run_checks(&options, &[&A, &B], &mut |o| seen.push(o.name));
        assert_eq!(seen, ["b"]);
        assert_eq!(report.failed(), 1);
        match &report.outcomes[0].outcome {
            Outcome::Failed(why) => assert!(why.starts_with("suite setup failed"), "{why}"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_names_are_reported() {
        static A: Check = Check {
            name: "a",
            summary: "",
            requires: &[],
            body: |_| Ok(()),
        };
        let mut options = SuiteOptions::new(lsm_core::BlockingClient::builder("sim://"));
        options.skip = vec!["a".into(), "nope".into()];
        options.only = vec!["also_nope".into()];
        assert_eq!(options.unknown_names(&[&A]), ["nope", "also_nope"]);
    }
}
