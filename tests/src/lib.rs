//! `lsm-tests`: the LSM conformance suite. A library of checks that drive any
//! plugin URI through lsm-core's public client, each gated on the
//! capabilities it needs, as the reference's `plugin_test.py` does, plus the
//! `lsm-plugin-check` binary that runs them (the kit a plugin author runs).
//!
//! # Layout
//! - [`harness`]: [`Check`], the runner ([`run_suite`], [`run_checks`]),
//!   outcomes and the [`Report`].
//! - [`ctx`]: [`Ctx`], what a check body works with (its own client, the
//!   system, capabilities, unique names, notes).
//! - [`expect`]: [`CheckError`], `ensure!` / `fail!` / `skip!`, [`During`],
//!   [`expect_error`].
//! - [`fixtures`]: pool choice and object helpers that record cleanup.
//! - `cleanup`: the undo list run after every check, newest first.
//! - The checks, by concept: [`session`] (plugin info, timeouts, systems,
//!   client-side connect errors), [`jobs`] (the async job flow),
//!   [`listings`] (every listing and each search key), [`san`] (volumes,
//!   replication), [`access`] (access groups, masking, CHAP), [`hardware`]
//!   (RAID, cache, LEDs, pool members), [`nas`] (file systems, snapshots,
//!   clones, exports) and [`errors`] (every error case of the contract).

#[macro_use]
pub mod expect;

pub mod access;
mod cleanup;
pub mod ctx;
pub mod errors;
pub mod fixtures;
pub mod hardware;
pub mod harness;
pub mod jobs;
pub mod listings;
pub mod nas;
pub mod san;
pub mod session;

pub use ctx::{Ctx, Session};
pub use expect::{CheckError, CheckResult, During, expect_error, expect_refusal};
pub use harness::{
    CLAIMS_CHECK, Check, CheckOutcome, DESCRIPTIVE_CAPABILITIES, Outcome, Report, SuiteOptions,
    run_checks, run_suite,
};

/// Every check of the suite, in the order they run.
pub fn all_checks() -> Vec<&'static Check> {
    [
        session::CHECKS,
        listings::CHECKS,
        jobs::CHECKS,
        san::CHECKS,
        access::CHECKS,
        hardware::CHECKS,
        nas::CHECKS,
        errors::CHECKS,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The check with this name.
pub fn find_check(name: &str) -> Option<&'static Check> {
    all_checks().into_iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_snake_case_and_many() {
        let checks = all_checks();
        assert!(checks.len() >= 50, "only {} checks", checks.len());
        let mut seen = HashSet::new();
        for check in &checks {
            assert!(seen.insert(check.name), "duplicate check {}", check.name);
            assert!(
                check
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{} is not snake_case",
                check.name
            );
            assert!(!check.summary.is_empty(), "{} has no summary", check.name);
        }
        assert!(find_check("plugin_info").is_some());
        assert!(find_check("no_such_check").is_none());
    }
}
