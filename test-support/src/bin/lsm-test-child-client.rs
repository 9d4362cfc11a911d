//! `lsm-test-child-client URI`: an LSM client in its own process for lsmd's
//! tests (see `lsm_test_support::child_client`). Connects by
//! `BlockingClient::connect`'s rule, lists systems and prints one result
//! line.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match (args.next(), args.next()) {
        (Some(uri), None) => {
            lsm_test_support::child_client::report(&uri);
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: lsm-test-child-client URI");
            ExitCode::from(2)
        }
    }
}
