//! How a check says what it expects: [`CheckError`], the `ensure!` / `fail!` /
//! `skip!` macros, [`During`] to give a failed call its context, and
//! [`expect_error`] for calls that must fail with a given code.

use std::fmt::Debug;

use lsm_core::{ErrorNumber, LsmError};

/// Why a check did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// The plugin did something the contract does not allow.
    Failed(String),
    /// The check cannot run here (no suitable pool, no free disk, ...).
    Skipped(String),
}

/// What a check body returns.
pub type CheckResult<T = ()> = Result<T, CheckError>;

impl From<LsmError> for CheckError {
    fn from(err: LsmError) -> Self {
        CheckError::Failed(err.to_string())
    }
}

/// Fail the check with a formatted message.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)+) => {
        return Err($crate::CheckError::Failed(format!($($arg)+)))
    };
}

/// Skip the check with a formatted reason.
#[macro_export]
macro_rules! skip {
    ($($arg:tt)+) => {
        return Err($crate::CheckError::Skipped(format!($($arg)+)))
    };
}

/// Fail the check with a formatted message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            $crate::fail!($($arg)+);
        }
    };
}

/// Gives a failed plugin call its context: `volume_create: NAME(code): message`.
pub trait During<T> {
    /// Map an `LsmError` to a failure naming `what` was being done.
    fn during(self, what: &str) -> CheckResult<T>;
}

impl<T> During<T> for lsm_core::Result<T> {
    fn during(self, what: &str) -> CheckResult<T> {
        self.map_err(|err| CheckError::Failed(format!("{what}: {err}")))
    }
}

/// Codes that mean the plugin or the transport broke, never an acceptable
/// refusal.
pub fn is_breakage(code: ErrorNumber) -> bool {
    [
        ErrorNumber::LIB_BUG,
        ErrorNumber::PLUGIN_BUG,
        ErrorNumber::TIMEOUT,
        ErrorNumber::TRANSPORT_COMMUNICATION,
        ErrorNumber::TRANSPORT_SERIALIZATION,
        ErrorNumber::TRANSPORT_INVALID_ARG,
    ]
    .contains(&code)
}

/// Passes when `result` is the error `code`; fails naming `what` otherwise.
pub fn expect_error<T: Debug>(
    result: lsm_core::Result<T>,
    code: ErrorNumber,
    what: &str,
) -> CheckResult {
    match result {
        Err(err) if err.code == code => Ok(()),
        Err(err) => Err(CheckError::Failed(format!(
            "{what}: expected {}, got {err}",
            code_name(code)
        ))),
        Ok(value) => Err(CheckError::Failed(format!(
            "{what}: expected {}, but it succeeded with {value:?}",
            code_name(code)
        ))),
    }
}

/// Passes when `result` is a refusal (any error that is not a crash or a
/// transport failure) and returns its code; fails otherwise.
pub fn expect_refusal<T: Debug>(
    result: lsm_core::Result<T>,
    what: &str,
) -> CheckResult<ErrorNumber> {
    match result {
        Err(err) if !is_breakage(err.code) => Ok(err.code),
        Err(err) => Err(CheckError::Failed(format!(
            "{what}: expected a refusal, got a breakage: {err}"
        ))),
        Ok(value) => Err(CheckError::Failed(format!(
            "{what}: expected an error, but it succeeded with {value:?}"
        ))),
    }
}

/// Passes on success or on `NO_STATE_CHANGE` (the call had nothing to do).
pub fn ok_or_no_state_change<T>(result: lsm_core::Result<T>, what: &str) -> CheckResult {
    match result {
        Ok(_) => Ok(()),
        Err(err) if err.code == ErrorNumber::NO_STATE_CHANGE => Ok(()),
        Err(err) => Err(CheckError::Failed(format!(
            "{what}: expected success or NO_STATE_CHANGE, got {err}"
        ))),
    }
}

/// `NAME(code)` of an error number.
pub fn code_name(code: ErrorNumber) -> String {
    match code.name() {
        Some(name) => format!("{name}({})", code.0),
        None => format!("ERROR({})", code.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: ErrorNumber) -> lsm_core::Result<u8> {
        Err(LsmError::new(code, "boom"))
    }

    #[test]
    fn expect_error_accepts_only_the_code() {
        assert_eq!(
            expect_error(
                err(ErrorNumber::NAME_CONFLICT),
                ErrorNumber::NAME_CONFLICT,
                "x"
            ),
            Ok(())
        );
        let wrong = expect_error(
            err(ErrorNumber::NO_SUPPORT),
            ErrorNumber::NAME_CONFLICT,
            "dup",
        );
        assert_eq!(
            wrong,
            Err(CheckError::Failed(
                "dup: expected NAME_CONFLICT(50), got NO_SUPPORT(153): boom".into()
            ))
        );
        let ok = expect_error(Ok::<u8, LsmError>(7), ErrorNumber::NAME_CONFLICT, "dup");
        assert_eq!(
            ok,
            Err(CheckError::Failed(
                "dup: expected NAME_CONFLICT(50), but it succeeded with 7".into()
            ))
        );
    }

    #[test]
    fn refusal_excludes_breakage() {
        assert_eq!(
            expect_refusal(err(ErrorNumber::INVALID_ARGUMENT), "r"),
            Ok(ErrorNumber::INVALID_ARGUMENT)
        );
        assert!(expect_refusal(err(ErrorNumber::PLUGIN_BUG), "r").is_err());
        assert!(expect_refusal(Ok::<u8, LsmError>(1), "r").is_err());
    }

    #[test]
    fn no_state_change_is_tolerated() {
        assert!(ok_or_no_state_change(err(ErrorNumber::NO_STATE_CHANGE), "m").is_ok());
        assert!(ok_or_no_state_change(Ok::<u8, LsmError>(1), "m").is_ok());
        assert!(ok_or_no_state_change(err(ErrorNumber::IS_MASKED), "m").is_err());
    }

    #[test]
    fn macros_return_the_right_variant() {
        fn guarded(value: u8) -> CheckResult {
            ensure!(value < 10, "value {value} too big");
            if value == 5 {
                skip!("five is skipped");
            }
            Ok(())
        }
        assert_eq!(guarded(1), Ok(()));
        assert_eq!(
            guarded(12),
            Err(CheckError::Failed("value 12 too big".into()))
        );
        assert_eq!(
            guarded(5),
            Err(CheckError::Skipped("five is skipped".into()))
        );
    }
}
