//! The confirmation prompt of data-losing commands (`volume-delete`, `volume-resize`,
//! `volume-replicate-range`, `fs-delete`, `fs-resize`, `fs-snap-delete`, `fs-snap-restore`).
//!
//! On a terminal one key is read without Enter: `y`/`Y` goes on, anything else aborts
//! ("Operation aborted!", exit 0, as the reference). When stdin is not a terminal a line is
//! read: `y`/`Y` goes on; anything else, or end of input, aborts with exit 2 (the reference
//! crashes there with exit 2; `-f` skips the prompt).

use std::io::{BufRead as _, IsTerminal as _};

/// The answer to a confirmation prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Go on.
    Yes,
    /// The user said no on the terminal.
    No,
    /// No terminal and no `y` on stdin (a pipe, `/dev/null`, end of input).
    NoTerminal,
}

/// The warning printed before asking; `deleting` says data *will* (rather than *may*) be lost.
pub fn warning(deleting: bool) -> String {
    let verb = if deleting { "will" } else { "may" };
    format!(
        "Warning: You are about to do an operation that {verb} cause data to be lost!\n\
         Press [Y|y] to continue, any other key to abort\n"
    )
}

/// Reads the answer from stdin (the warning must already be shown).
pub fn read_answer() -> Answer {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return match read_key_raw() {
            Some(b'y' | b'Y') => Answer::Yes,
            Some(_) => Answer::No,
            None => Answer::NoTerminal,
        };
    }
    let mut line = String::new();
    match stdin.lock().read_line(&mut line) {
        Ok(_) if line.trim_start().starts_with(['y', 'Y']) => Answer::Yes,
        _ => Answer::NoTerminal,
    }
}

/// One key from the terminal on stdin, without waiting for Enter; `None` if the terminal
/// cannot be put in raw mode or gives no byte.
fn read_key_raw() -> Option<u8> {
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is a plain C struct (all-zero is valid); tcgetattr/tcsetattr/cfmakeraw
    // only read and write the structs passed; read() writes at most 1 byte into `key`. The
    // original terminal settings are restored before returning.
    unsafe {
        let mut original: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut original) != 0 {
            return None;
        }
        let mut raw = original;
        libc::cfmakeraw(&mut raw);
        if libc::tcsetattr(fd, libc::TCSANOW, &raw) != 0 {
            return None;
        }
        let mut key = [0u8; 1];
        let count = libc::read(fd, key.as_mut_ptr().cast(), 1);
        libc::tcsetattr(fd, libc::TCSADRAIN, &original);
        (count == 1).then_some(key[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_text_matches_the_reference() {
        assert_eq!(
            warning(true),
            "Warning: You are about to do an operation that will cause data to be lost!\n\
             Press [Y|y] to continue, any other key to abort\n"
        );
        assert!(warning(false).contains("that may cause"));
    }
}
