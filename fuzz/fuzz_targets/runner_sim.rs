//! The plugin runner serving the `sim://` plugin: after a valid `plugin_register` on a
//! fresh state file, any sequence of frames (a session written as text, see
//! `lsm_fuzz::session`; registrations are taken out, so every input stays on its own
//! state file). No handler may panic, every reply must be well formed, and an input ends
//! within `MAX_REQUESTS` requests.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsm_fuzz::session::{frames_of, register_frame, serve_and_check, without_registrations};
use lsm_fuzz::sim::FreshState;
use plugin_sim::SimPlugin;

fuzz_target!(|data: &[u8]| {
    let state = FreshState::new();
    let mut stream = register_frame(&state.uri(), None, 30_000);
    stream.extend(without_registrations(&frames_of(data)));
    serve_and_check(SimPlugin, stream);
});
