//! `local-disk-*` and `local-led-slot-*`: this host's disks, with no plugin or daemon
//! involved (see [`crate::local_disks`] and [`lsm_core::local_disk`]).

use lsm_core::local_disk::LocalDisks;

use crate::error::{CliError, Exit};
use crate::local_disks::{led_slot_list, led_slot_set, local_disk_list, parse_led_state};
use crate::output::Output;

/// `local-disk-list`.
pub fn disk_list(out: &mut Output) -> Result<Exit, CliError> {
    out.show_all(&local_disk_list()?)?;
    Ok(Exit::Done)
}

/// `local-disk-{ident,fault}-led-{on,off} --path`: `switch` is the [`LocalDisks`] method
/// that turns that LED on or off.
pub fn disk_led(
    path: &str,
    switch: fn(&LocalDisks, &str) -> lsm_core::Result<()>,
) -> Result<Exit, CliError> {
    switch(&LocalDisks::default(), path)?;
    Ok(Exit::Done)
}

/// `local-led-slot-list`.
pub fn slot_list(out: &mut Output) -> Result<Exit, CliError> {
    out.show_all(&led_slot_list()?)?;
    Ok(Exit::Done)
}

/// `local-led-slot-set --slot --state`.
pub fn slot_set(slot: &str, state: &str) -> Result<Exit, CliError> {
    led_slot_set(slot, parse_led_state(state)?)?;
    Ok(Exit::Done)
}
