//! `ontap_lsmplugin`: the `ontap://` plugin ([`plugin_netapp::plugin::OntapPlugin`]).

fn main() {
    lsm_core::plugin::run_plugin(plugin_netapp::plugin::OntapPlugin)
}
