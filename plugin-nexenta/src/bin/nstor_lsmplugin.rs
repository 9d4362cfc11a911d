//! `nstor_lsmplugin`: the `nstor://` plugin ([`plugin_nexenta::plugin::NstorPlugin`]).

fn main() {
    lsm_core::plugin::run_plugin(plugin_nexenta::plugin::NstorPlugin)
}
