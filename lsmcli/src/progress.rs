//! A progress bar on stderr while lsmcli waits for a job, shown only when stderr is a
//! terminal (scripts and pipes see nothing).

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressStyle};

/// The bar of one job wait (a no-op off a terminal).
#[derive(Debug)]
pub struct JobProgress {
    bar: Option<ProgressBar>,
}

impl JobProgress {
    /// Starts a bar labelled `operation`, if stderr is a terminal.
    pub fn start(operation: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return JobProgress { bar: None };
        }
        let bar = ProgressBar::new(100);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos:>3}% {elapsed}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(operation.to_string());
        JobProgress { bar: Some(bar) }
    }

    /// Shows `percent` done.
    pub fn update(&self, percent: u8) {
        if let Some(bar) = &self.bar {
            bar.set_position(u64::from(percent.min(100)));
        }
    }

    /// Removes the bar.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
