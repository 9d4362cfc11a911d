//! The workspace's binaries, found from the running test or bench: cargo
//! puts test and bench executables in `target/<profile>/deps/` and the
//! workspace's binaries in `target/<profile>/`, so the latter is the parent
//! of the executable's directory (or the directory itself, for a program
//! that is one of those binaries).

use std::path::PathBuf;

/// `target/<profile>`: where cargo put the workspace's binaries for the
/// profile this executable was built with.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe()
        .unwrap_or_else(|error| panic!("cannot find this executable's path: {error}"));
    let dir = exe
        .parent()
        .unwrap_or_else(|| panic!("{} is not in a directory", exe.display()));
    let dir = if dir.file_name().is_some_and(|name| name == "deps") {
        dir.parent()
            .unwrap_or_else(|| panic!("{} has no parent directory", dir.display()))
    } else {
        dir
    };
    dir.to_path_buf()
}

/// The binary `name` of the workspace's package `package`; fails the test
/// with the build command to run when it has not been built (cargo builds
/// only the binaries of the package under test).
pub fn workspace_binary(name: &str, package: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} not found: build it first with the same profile (`cargo build -p {package}`, or \
         `cargo build --workspace`)",
        path.display()
    );
    path
}
