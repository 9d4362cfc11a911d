//! Tests that need root (loop devices, mounts, daemons, other uids) fail
//! loudly without it instead of passing having tested nothing. CI runs as
//! root.

/// Whether this process runs as root (effective uid 0).
pub fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}

/// Fails `test` unless it runs as root, saying what it needs root for.
#[track_caller]
pub fn require_root(test: &str, needs: &str) {
    assert!(
        is_root(),
        "{test} needs root ({needs}); run it as root, as CI does"
    );
}
