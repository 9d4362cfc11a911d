//! `local-disk-*` and `local-led-slot-*`: this host's disks, with no plugin or daemon
//! involved (see [`crate::local_disks`] and [`lsm_core::local_disk`]).

use lsm_core::LsmError;
use lsm_core::local_disk::LocalDisks;

use crate::cli::Command;
use crate::error::{CliError, Exit};
use crate::local_disks::{led_slot_list, led_slot_set, local_disk_list, parse_led_state};
use crate::output::Output;

/// Runs one local command.
pub fn run(command: &Command, out: &mut Output) -> Result<Exit, CliError> {
    use Command as C;
    let disks = LocalDisks::default();
    match command {
        C::LocalDiskList => out.show_all(&local_disk_list()?)?,
        C::LocalDiskIdentLedOn { path } => disks.ident_led_on(path)?,
        C::LocalDiskIdentLedOff { path } => disks.ident_led_off(path)?,
        C::LocalDiskFaultLedOn { path } => disks.fault_led_on(path)?,
        C::LocalDiskFaultLedOff { path } => disks.fault_led_off(path)?,
        C::LocalLedSlotList => out.show_all(&led_slot_list()?)?,
        C::LocalLedSlotSet { slot, state } => led_slot_set(slot, parse_led_state(state)?)?,
        _ => return Err(CliError::Lsm(LsmError::lib_bug("not a local disk command"))),
    }
    Ok(Exit::Done)
}
