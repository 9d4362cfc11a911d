//! `example_lsmplugin`: the `example://` plugin ([`lsm_examples::example_plugin`]) as an
//! executable. The SDK runner does the rest: the socket from `argv[1]`, the handshake,
//! parameter parsing and checks, search filtering, jobs, error mapping, panics.

fn main() {
    lsm_core::plugin::run_plugin(lsm_examples::example_plugin::ExampleArray::new())
}
