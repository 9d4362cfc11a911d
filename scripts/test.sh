#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need
# (Debian packages when run as root, the Rust toolchain's components), builds
# every binary once, checks formatting and lints, then runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    mapfile -t packages < <(cat scripts/apt-packages.txt plugin-linux/PACKAGES 2>/dev/null \
        | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
    missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "== installing: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
else
    echo "== not root (or no apt-get): skipping package installation" >&2
fi

rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo build (every binary and test target, once)"
cargo build --workspace --all-targets
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
# Cargo.lock against the RustSec advisories, offline (the committed snapshot: CI reaches
# package registries only).
./scripts/audit.sh
# The vendors' own Python clients (netapp-ontap, storops) for the SDK stages of the
# tests: a pinned venv, made once and reused while scripts/sdk-requirements.txt is unchanged.
echo "== vendor SDK venv (scripts/sdk-venv.sh)"
LSM_SDK_PYTHON=$(./scripts/sdk-venv.sh)
export LSM_SDK_PYTHON
echo "== cargo test"
test_log=$(mktemp)
trap 'rm -f "$test_log"' EXIT
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "$test_log"
test_status=${PIPESTATUS[0]}
set -e
# One closing line for the whole workspace (cargo prints one per test binary).
totals=$(grep -E '^test result: ' "$test_log" \
    | sed -nE 's/.* ([0-9]+) passed; ([0-9]+) failed; ([0-9]+) ignored.*/\1 \2 \3/p' \
    | awk '{p += $1; f += $2; s += $3} END {printf "%d passed, %d failed, %d skipped", p, f, s}')
if [ "$test_status" -ne 0 ]; then
    echo "cargo test: $totals"
    exit "$test_status"
fi

# Fuzzing (fuzz/, a workspace of its own): every target for FUZZ_SECONDS from its
# committed seeds; a crash fails the run. Longer runs by hand: scripts/fuzz.sh.
echo "== fuzz (scripts/fuzz.sh, ${FUZZ_SECONDS:-12} s per target)"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# Without a sanitizer, at opt-level 1: the build is the larger part of this step's time.
FUZZ_SECONDS=${FUZZ_SECONDS:-12} FUZZ_SANITIZER=${FUZZ_SANITIZER:-none} \
    FUZZ_PROFILE=${FUZZ_PROFILE:-dev} ./scripts/fuzz.sh

# The Debian package, installed, used through the installed lsmd and purged
# (scripts/ci-package-check.sh; it makes its own release build).
if [ "$(id -u)" = 0 ] && command -v dpkg >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
    echo "== package check (release build, .deb, dpkg -i, lsmd + lsmcli, dpkg --purge)"
    ./scripts/ci-package-check.sh
else
    echo "== not root (or no dpkg): skipping the package check" >&2
fi

echo "cargo test: $totals"
