//! Log set-up: stdout in the foreground (`-d`), syslog when daemonized.
//!
//! Without `-d` lsmd detaches and its stdio goes to `/dev/null`, so its log
//! goes to syslog (facility `daemon`, ident `lsmd`) like the reference's. `-v`
//! raises the level from info to debug.

use std::io::{self, IsTerminal, Write};

use nix::syslog::{Facility, LogFlags, Priority, Severity};
use tracing::Level;
use tracing_subscriber::fmt::MakeWriter;

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogDestination {
    /// Standard output (foreground, journald-friendly).
    Stdout,
    /// The system logger.
    Syslog,
}

/// Installs the global tracing subscriber. Calling it twice is harmless (the
/// second call keeps the first subscriber).
pub fn init_logging(destination: LogDestination, verbose: bool) {
    let level = if verbose { Level::DEBUG } else { Level::INFO };
    let result = match destination {
        LogDestination::Stdout => tracing_subscriber::fmt()
            .with_max_level(level)
            .with_target(false)
            .with_ansi(io::stdout().is_terminal())
            .with_writer(io::stdout)
            .try_init(),
        LogDestination::Syslog => {
            if let Err(error) =
                nix::syslog::openlog(Some(c"lsmd"), LogFlags::LOG_PID, Facility::LOG_DAEMON)
            {
                eprintln!("lsmd: cannot open syslog: {error}");
            }
            tracing_subscriber::fmt()
                .with_max_level(level)
                .with_target(false)
                .with_ansi(false)
                .without_time()
                .with_writer(SyslogWriterFactory)
                .try_init()
        }
    };
    if let Err(error) = result {
        eprintln!("lsmd: logging already initialised: {error}");
    }
}

/// Makes one [`SyslogLine`] per log event, with the event's severity.
#[derive(Debug, Clone, Copy)]
struct SyslogWriterFactory;

impl<'a> MakeWriter<'a> for SyslogWriterFactory {
    type Writer = SyslogLine;

    fn make_writer(&'a self) -> Self::Writer {
        SyslogLine::new(Severity::LOG_INFO)
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        let severity = match *meta.level() {
            Level::ERROR => Severity::LOG_ERR,
            Level::WARN => Severity::LOG_WARNING,
            Level::INFO => Severity::LOG_INFO,
            Level::DEBUG | Level::TRACE => Severity::LOG_DEBUG,
        };
        SyslogLine::new(severity)
    }
}

/// Collects one formatted event and hands it to `syslog()` when dropped.
struct SyslogLine {
    severity: Severity,
    text: Vec<u8>,
}

impl SyslogLine {
    fn new(severity: Severity) -> Self {
        Self {
            severity,
            text: Vec::new(),
        }
    }
}

impl Write for SyslogLine {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.text.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for SyslogLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.text);
        let message = text.trim_end().replace('\0', " ");
        if message.is_empty() {
            return;
        }
        let priority = Priority::new(self.severity, Facility::LOG_DAEMON);
        // Nowhere left to report a failing logger to.
        let _ = nix::syslog::syslog(priority, message.as_str());
    }
}
