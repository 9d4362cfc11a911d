//! `linux_lsmplugin`: the `linux://` LSM plugin, started by lsmd or an LSM
//! client as `linux_lsmplugin <socket fd>`. Everything is in
//! `plugin_linux::plugin`.

fn main() {
    lsm_core::plugin::run_plugin(plugin_linux::plugin::LinuxPlugin)
}
