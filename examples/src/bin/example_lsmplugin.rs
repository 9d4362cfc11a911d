//! `example_lsmplugin`: the `example://` plugin ([`lsm_examples::example_plugin`]) as an
//! executable, started by lsmd or an LSM client as `example_lsmplugin <socket fd>`. The SDK
//! runner does the rest: the socket from `argv[1]`, the handshake, the session, parameter
//! parsing and checks, search filtering, jobs, error mapping, panics. A plugin's `main` is
//! this one line; name the executable `<scheme>_lsmplugin`.

fn main() {
    lsm_core::plugin::run_plugin(lsm_examples::example_plugin::ExamplePlugin)
}
