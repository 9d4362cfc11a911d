//! `lsm-bench --quick` (this profile's binaries: `cargo build --workspace`) runs every
//! section and prints one table in which every figure is a measured number next to its
//! baseline. The figures themselves are not judged: only that each was measured.

use std::process::Command;

/// The table's rows: `(section, figure, value, baseline, baseline value, ratio)`.
fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| section"))
        .map(|line| {
            line.trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_string())
                .collect()
        })
        .collect()
}

/// The number a cell starts with (`12.3 µs`, `4.56x`, `789 /s`).
fn number(cell: &str) -> Option<f64> {
    cell.split([' ', 'x'])
        .next()
        .and_then(|number| number.parse().ok())
}

#[test]
fn the_quick_run_measures_every_section_against_its_baseline() {
    let output = Command::new(env!("CARGO_BIN_EXE_lsm-bench"))
        .arg("--quick")
        .env_remove("LSM_UDS_PATH")
        .env_remove("LSMCLI_URI")
        .output()
        .expect("run lsm-bench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "lsm-bench --quick: {}\n{stdout}\n{stderr}",
        output.status
    );
    let rows = rows(&stdout);
    for section in ["round trip", "connect", "cli", "listing", "lsmd", "vendors"] {
        assert!(
            rows.iter().any(|row| row[0] == section),
            "no {section} row in\n{stdout}"
        );
    }
    for row in &rows {
        assert_eq!(row.len(), 7, "{row:?}");
        let value = number(&row[2]);
        assert!(value.is_some_and(|v| v > 0.0), "{row:?}: no measured value");
        if row[3] != "-" {
            assert!(
                number(&row[4]).is_some_and(|v| v > 0.0),
                "{row:?}: no measured baseline"
            );
            assert!(number(&row[5]).is_some(), "{row:?}: no ratio");
        }
    }
    // Every comparison the issue names is there.
    for figure in [
        "`systems` via Client, embedded",
        "`systems` via Client, through lsmd",
        "cold `lsmcli list --type systems`",
        "`volumes()` of 1000 sim volumes",
        "growth of the time",
        "peak RSS of the plugin",
        "peak RSS of the client",
        "8 clients through lsmd: calls/s",
        "`ontap://` `volumes()`",
        "`nstor://` `volumes()`",
        "`emc://` `volumes()`",
        "8 clients of `nstor://` through lsmd: calls/s",
    ] {
        assert!(
            rows.iter().any(|row| row[1].contains(figure)),
            "no row for {figure} in\n{stdout}"
        );
    }
}

#[test]
fn a_wrong_argument_is_refused_with_the_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_lsm-bench"))
        .args(["--only", "everything"])
        .output()
        .expect("run lsm-bench");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("one of round-trip, connect"), "{stderr}");
    assert!(output.stdout.is_empty());
}
