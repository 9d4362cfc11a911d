//! `local-disk-*` and `local-led-slot-*`: this host's disks, with no plugin or daemon
//! involved (see [`crate::local_disks`] for what is read).

use lsm_core::{ErrorNumber, LsmError};

use crate::cli::Command;
use crate::error::{CliError, Exit};
use crate::local_disks::local_disk_list;
use crate::output::Output;

/// Runs one local command.
pub fn run(command: &Command, out: &mut Output) -> Result<Exit, CliError> {
    use Command as C;
    match command {
        C::LocalDiskList => {
            out.show_all(&local_disk_list())?;
            Ok(Exit::Done)
        }
        C::LocalDiskIdentLedOn { path }
        | C::LocalDiskIdentLedOff { path }
        | C::LocalDiskFaultLedOn { path }
        | C::LocalDiskFaultLedOff { path } => Err(led_not_supported(path).into()),
        C::LocalLedSlotList => {
            // No enclosure LED slots are known without ledmon: nothing to list.
            out.show_all::<crate::local_disks::LocalDiskInfo>(&[])?;
            Ok(Exit::Done)
        }
        C::LocalLedSlotSet { slot, .. } => Err(LsmError::new(
            ErrorNumber::NO_SUPPORT,
            format!("LED slot {slot}: enclosure LED control is not supported"),
        )
        .into()),
        _ => Err(CliError::Lsm(LsmError::lib_bug("not a local disk command"))),
    }
}

/// A missing disk is `NOT_FOUND_DISK`; an existing one `NO_SUPPORT` (no LED control).
fn led_not_supported(path: &str) -> LsmError {
    if std::path::Path::new(path).exists() {
        LsmError::new(
            ErrorNumber::NO_SUPPORT,
            format!("LED control of {path} is not supported"),
        )
    } else {
        LsmError::new(
            ErrorNumber::NOT_FOUND_DISK,
            format!("Disk {path} not found"),
        )
    }
}
