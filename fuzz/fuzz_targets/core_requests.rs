//! `lsm-core`'s plugin side: the runner's request decoding (envelopes, every method's
//! params, the argument checks) with a plugin that supports nothing, so that each input
//! costs parsing only. The input is a session written as text (see `lsm_fuzz::session`);
//! it may register as often as it likes, with any URI.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsm_core::plugin::{Call, Management, Nas, Plugin, PluginInfo, Registration, San};
use lsm_core::types::System;
use lsm_core::{Capabilities, Result};
use lsm_fuzz::session::{frames_of, serve_and_check};

/// Registers, has one system that can do everything, and implements nothing else. It is
/// its own session.
struct Nothing;

impl Plugin for Nothing {
    type Session = Nothing;
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "fuzz".into(),
            version: "0".into(),
        }
    }
    fn register(&self, _: &Call, _: &Registration) -> Result<Nothing> {
        Ok(Nothing)
    }
}

impl Management for Nothing {
    fn capabilities(&mut self, _: &Call, _: &System) -> Result<Capabilities> {
        Ok(Capabilities::all_supported())
    }
    fn systems(&mut self, _: &Call) -> Result<Vec<System>> {
        Ok(vec![System {
            id: "sys".into(),
            name: "fuzz".into(),
            ..Default::default()
        }])
    }
}

impl San for Nothing {}
impl Nas for Nothing {}

fuzz_target!(|data: &[u8]| {
    serve_and_check(Nothing, frames_of(data));
});
