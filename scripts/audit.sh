#!/usr/bin/env bash
# Audits Cargo.lock against the RustSec advisory database with cargo-audit, offline:
# the database is the snapshot committed in audit/advisory-db (see its SNAPSHOT for the
# date, scripts/refresh-advisory-db.sh to renew it). CI reaches package registries only,
# not GitHub, where the database lives, so it cannot be fetched at run time. Any
# advisory found, warnings (unmaintained, yanked) included, fails the run, unless it is
# accepted below with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-audit >/dev/null 2>&1; then
    echo "== installing cargo-audit"
    cargo install cargo-audit --locked --quiet
fi
echo "== cargo audit (advisory database of $(sed -n 's/^date: //p' audit/advisory-db/SNAPSHOT))"
# Accepted advisories, each with its reason (none at present):
#   --ignore RUSTSEC-YYYY-NNNN   # why it does not apply, and until when
accepted=()
cargo audit --db audit/advisory-db --no-fetch --deny warnings "${accepted[@]}"
