#!/usr/bin/env bash
# The one benchmark command: builds the release binaries lsm-bench starts (lsmd, lsmcli,
# the plugins, lsm-arraysim), then runs lsm-bench, which prints one Markdown table of
# figures, each next to a baseline measured in the same run (progress on stderr).
#
#   scripts/bench.sh                    # everything (about 10 minutes on 2 cores, after the build)
#   scripts/bench.sh --only lsmd --only vendors
#   scripts/bench.sh --quick            # every section at small sizes
#
# Options: see `target/release/lsm-bench --help` and bench/src/main.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p lsm-bench -p lsmd -p lsmcli -p plugin-sim -p plugin-netapp \
    -p plugin-nexenta -p plugin-emc -p lsm-arraysim
exec "${CARGO_TARGET_DIR:-target}/release/lsm-bench" "$@"
