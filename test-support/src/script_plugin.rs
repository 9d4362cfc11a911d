//! Misbehaving plugins as bash scripts: each answers `plugin_register` and `time_out_set`
//! with `null`, reads the next request (the call under test), then does what its body
//! says (dies, hangs, writes garbage or a hostile frame on `"$fd"`). Bash, not sh: dash
//! cannot redirect fds above 9, and the connection fd often is.

use std::path::{Path, PathBuf};

/// The script's start: answers two requests, then reads the third.
pub const ANSWERS_TWO_THEN: &str = r#"fd="$1"
reply='{"id": 100, "result": null}'
for answered in 1 2; do
    read -r -N 10 length <&"$fd" || exit 0
    read -r -N "$((10#$length))" request <&"$fd"
    printf '%010d%s' "${#reply}" "$reply" >&"$fd"
done
read -r -N 10 length <&"$fd" || exit 0
read -r -N "$((10#$length))" request <&"$fd"
"#;

/// Writes `dir/<name>_lsmplugin`: [`ANSWERS_TWO_THEN`] followed by `then`; executable.
pub fn write(dir: &Path, name: &str, then: &str) -> PathBuf {
    let path = dir.join(format!("{name}_lsmplugin"));
    std::fs::write(&path, format!("#!/bin/bash\n{ANSWERS_TWO_THEN}{then}"))
        .unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
    crate::set_mode(&path, 0o755);
    path
}
