//! `lsmcli`: see the library crate for everything it does.

/// A listing of 10,000 objects decodes and lays out some 100,000 strings in a fresh process,
/// where the cost is mostly first-touch page faults: mimalloc (with transparent huge pages)
/// takes `list --type volumes` of 10k from ~70 ms to ~50 ms on a 2-vCPU VM, for ~0.3 ms more
/// at start (`scripts/bench.sh --only listing`, the lsmcli row). Plugins keep glibc malloc: there the start-up cost
/// (about 1 ms) outweighs the gain.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // lsmcli does not panic on any input; should a bug make it, say so in one line (no
    // backtrace) and exit 2 as the reference does for an uncaught exception.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("LIB_BUG(1): lsmcli internal error: {info} ");
        std::process::exit(2);
    }));
    let code = lsmcli::run(std::env::args_os().collect());
    std::process::exit(code);
}
