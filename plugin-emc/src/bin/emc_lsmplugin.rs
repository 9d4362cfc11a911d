//! `emc_lsmplugin`: the `emc://` plugin ([`plugin_emc::plugin::EmcPlugin`]).

fn main() {
    lsm_core::plugin::run_plugin(plugin_emc::plugin::EmcPlugin)
}
