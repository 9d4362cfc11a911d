//! How a command ends: [`Exit`] for the successful outcomes (0, or 7 for a job still running)
//! and [`CliError`] for the failures, each with the exit code and stderr text of the
//! reference lsmcli (protocol doc §9).

use lsm_core::{ErrorNumber, LsmError};

/// Exit code of an argument, usage or lookup error.
pub const EXIT_USAGE: i32 = 2;
/// Exit code of an `LsmError`.
pub const EXIT_LSM_ERROR: i32 = 4;
/// Exit code of a job left running (`-b`, `job-status`).
pub const EXIT_JOB_RUNNING: i32 = 7;
/// Exit code when `--fork_plugin` cannot start the plugin.
pub const EXIT_PLUGIN_START: i32 = 8;
/// Exit code of `PERMISSION_DENIED`.
pub const EXIT_PERMISSION_DENIED: i32 = 13;
/// Exit code of Ctrl-C, a missing command line, or stdout going away.
pub const EXIT_INTERRUPTED: i32 = 1;

/// A command that did its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Exit 0.
    Done,
    /// Exit 7: a job is still running (its id or percentage was printed).
    JobRunning,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            Exit::Done => 0,
            Exit::JobRunning => EXIT_JOB_RUNNING,
        }
    }
}

/// A command that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// The command line did not parse: the full text (usage, then `lsmcli: error: ...`).
    Usage(String),
    /// An argument the command refused, an unknown id, a failed job, an aborted
    /// confirmation: printed as `lsmcli: error: <message>`.
    Argument(String),
    /// An error from the library or the plugin: printed as `NAME(code): message`.
    Lsm(LsmError),
    /// `--fork_plugin` could not start its plugin.
    PluginStart(String),
    /// Ctrl-C.
    Interrupted,
    /// Several arrays failed (`list` with several `--uri`): each error with its URI. The exit
    /// code is the first one's.
    PerUri(Vec<(String, CliError)>),
}

impl CliError {
    /// `lsmcli: error: <message>`.
    pub fn argument(message: impl Into<String>) -> Self {
        CliError::Argument(message.into())
    }

    /// "<what> with ID <id> not found!" (exit 2), as the reference's lookups say it.
    pub fn not_found(what: &str, id: &str) -> Self {
        CliError::Argument(format!("{what} with ID {id} not found!"))
    }

    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) | CliError::Argument(_) => EXIT_USAGE,
            CliError::Lsm(error) if error.code == ErrorNumber::PERMISSION_DENIED => {
                EXIT_PERMISSION_DENIED
            }
            CliError::Lsm(_) => EXIT_LSM_ERROR,
            CliError::PluginStart(_) => EXIT_PLUGIN_START,
            CliError::Interrupted => EXIT_INTERRUPTED,
            CliError::PerUri(failures) => failures
                .first()
                .map_or(EXIT_USAGE, |(_, error)| error.exit_code()),
        }
    }

    /// What goes to stderr, newline included (empty for Ctrl-C).
    pub fn stderr_text(&self) -> String {
        match self {
            CliError::Usage(text) => text.clone(),
            CliError::Argument(message) => format!("lsmcli: error: {message}\n"),
            CliError::Lsm(error) => format!("{}\n", lsm_error_line(error)),
            CliError::PluginStart(message) => format!("{message}\n"),
            CliError::Interrupted => String::new(),
            CliError::PerUri(failures) => failures
                .iter()
                .map(|(uri, error)| format!("{uri}: {}", error.stderr_text()))
                .collect(),
        }
    }
}

impl From<LsmError> for CliError {
    fn from(error: LsmError) -> Self {
        CliError::Lsm(error)
    }
}

/// An `LsmError` the way the reference prints it: `NAME(code): message ` (trailing space) or
/// `NAME(code): message Data: data`.
pub fn lsm_error_line(error: &LsmError) -> String {
    let name = match error.code.name() {
        Some(name) => format!("{name}({})", error.code.0),
        None => format!("UNKNOWN_ERROR_NUMBER({})", error.code.0),
    };
    match error.data() {
        Some(data) => format!("{name}: {} Data: {data}", error.message),
        None => format!("{name}: {} ", error.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_reference() {
        assert_eq!(CliError::argument("x").exit_code(), 2);
        assert_eq!(CliError::Usage("x".into()).exit_code(), 2);
        let conflict = LsmError::new(ErrorNumber::NAME_CONFLICT, "taken");
        assert_eq!(CliError::from(conflict).exit_code(), 4);
        let denied = LsmError::new(ErrorNumber::PERMISSION_DENIED, "no");
        assert_eq!(CliError::from(denied).exit_code(), 13);
        assert_eq!(CliError::Interrupted.exit_code(), 1);
        assert_eq!(Exit::JobRunning.code(), 7);
    }

    #[test]
    fn messages_follow_the_reference() {
        assert_eq!(
            CliError::not_found("Volume", "VOL_ID_99999").stderr_text(),
            "lsmcli: error: Volume with ID VOL_ID_99999 not found!\n"
        );
        let conflict = LsmError::new(
            ErrorNumber::NAME_CONFLICT,
            "Name 'gv1' is already in use by other volume",
        );
        assert_eq!(
            CliError::from(conflict).stderr_text(),
            "NAME_CONFLICT(50): Name 'gv1' is already in use by other volume \n"
        );
        let with_data = LsmError::new(ErrorNumber::PLUGIN_BUG, "boom").with_data("trace");
        assert_eq!(
            lsm_error_line(&with_data),
            "PLUGIN_BUG(2): boom Data: trace"
        );
        let unknown = LsmError::new(ErrorNumber(-32601), "no attribute");
        assert_eq!(
            lsm_error_line(&unknown),
            "UNKNOWN_ERROR_NUMBER(-32601): no attribute "
        );
    }
}
