//! The child client program, run as lsmd's tests run it: its result line
//! carries the client's error when there is no daemon to reach. (Also makes
//! `cargo test` build `lsm-test-child-client` for those tests.)

use lsm_core::ErrorNumber;
use lsm_test_support::{ChildClient, ChildClientOutcome};

#[test]
fn a_socket_dir_without_lsmd_is_daemon_not_running() {
    let empty = tempfile::tempdir().unwrap();
    let outcome = ChildClient::new("sim://").socket_dir(empty.path()).run();
    match outcome {
        ChildClientOutcome::Failed { code, message } => {
            assert_eq!(code, ErrorNumber::DAEMON_NOT_RUNNING, "{message}");
            assert!(
                message.contains(&empty.path().display().to_string()),
                "{message}"
            );
        }
        other => panic!("expected DAEMON_NOT_RUNNING, got {other:?}"),
    }
}
