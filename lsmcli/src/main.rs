//! `lsmcli`: see the library crate for everything it does.

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
