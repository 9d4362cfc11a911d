#!/usr/bin/env bash
# Replaces the committed RustSec advisory database (audit/advisory-db) by a newer one.
#
#   scripts/refresh-advisory-db.sh [PATH_OR_URL]
#
# PATH_OR_URL is a git clone of the advisory database (default: its GitHub repository,
# https://github.com/rustsec/advisory-db). CI cannot reach GitHub, only package registries,
# and no registry carries the database, so the database is committed and CI audits against
# it offline (scripts/audit.sh); run this where GitHub is reachable, or on a clone brought
# over by hand, then commit audit/advisory-db with the date in its SNAPSHOT.
set -euo pipefail
cd "$(dirname "$0")/.."
source=${1:-https://github.com/rustsec/advisory-db}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet --depth 1 "$source" "$work/clone"
commit=$(git -C "$work/clone" log -1 --format=%H)
date=$(git -C "$work/clone" log -1 --format=%cI)
rm -rf audit/advisory-db
mkdir -p audit/advisory-db
git -C "$work/clone" archive HEAD crates rust LICENSE.txt README.md support.toml \
    | tar -x -C audit/advisory-db
cat > audit/advisory-db/SNAPSHOT <<SNAPSHOT
source: $source
commit: $commit
date: $date
content: crates/ rust/ LICENSE.txt README.md support.toml of that commit (CC0-1.0)
SNAPSHOT
echo "audit/advisory-db is now $commit ($date)"
