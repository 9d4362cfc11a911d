//! `sim_lsmplugin`: started by lsmd or an LSM client as `sim_lsmplugin <fd>`.

fn main() {
    lsm_core::plugin::run_plugin(plugin_sim::SimPlugin)
}
