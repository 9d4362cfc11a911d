//! `completions bash|zsh|fish` and `man`: generated from the same clap definition that parses
//! the command line, so they never drift from it. `lsmcli man > lsmcli.1` writes the page
//! (the top-level page lists every command; `lsmcli <command> -h` has the details).

use clap_complete::Shell;

use crate::cli::ShellArg;
use crate::error::{CliError, Exit};
use crate::output::Output;

/// Writes the completion script for `shell`.
pub fn completions(shell: ShellArg, out: &mut Output) -> Result<Exit, CliError> {
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
    };
    let mut command = crate::cli::command();
    let mut script: Vec<u8> = Vec::new();
    clap_complete::generate(shell, &mut command, "lsmcli", &mut script);
    out.push_text(&String::from_utf8_lossy(&script));
    Ok(Exit::Done)
}

/// Writes the man page (roff).
pub fn man_page(out: &mut Output) -> Result<Exit, CliError> {
    let mut page: Vec<u8> = Vec::new();
    clap_mangen::Man::new(crate::cli::command())
        .render(&mut page)
        .map_err(|e| {
            CliError::Lsm(lsm_core::LsmError::lib_bug(format!(
                "cannot render the man page: {e}"
            )))
        })?;
    out.push_text(&String::from_utf8_lossy(&page));
    Ok(Exit::Done)
}
