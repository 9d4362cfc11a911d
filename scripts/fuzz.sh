#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (cargo-fuzz, libFuzzer): every target, or the ones
# named, for FUZZ_SECONDS each, each from a scratch copy of its committed seed corpus
# (fuzz/corpus/<target>, never grown here). Prints the executions of each target and
# fails when any target crashes, leaks past the memory limit or hangs; the input that did
# it is kept in fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh                          # every target, 60 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh runner_sim rest_ontap
#
# Settings (environment): FUZZ_SECONDS (60), FUZZ_RSS_MB (2048: -rss_limit_mb),
# FUZZ_TIMEOUT (10: -timeout, seconds one input may take), FUZZ_SANITIZER (address; `none`
# builds faster and runs faster, finding panics and hangs but not memory errors),
# FUZZ_PROFILE (release: fuzz/Cargo.toml's release profile; `dev` is its opt-level 1
# profile, built in about two thirds of the time, for CI; both with debug assertions and
# overflow checks, which are what find integer overflows),
# FUZZ_KEEP_CORPUS=DIR (keep the grown corpora there, to pick new seeds from by hand).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
rss_mb=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}
sanitizer=${FUZZ_SANITIZER:-address}
profile=${FUZZ_PROFILE:-release}
# Debug assertions and overflow checks stay on in both profiles: in cargo-fuzz,
# `-O/--release` means optimized *without* them, so the release profile is cargo fuzz's
# default (optimized, with them; binaries in target/<host>/release), and
# `--debug-assertions` says so explicitly.
case "$profile" in
    release) build_flags=(--debug-assertions) profile_dir=release ;;
    dev) build_flags=(--dev --debug-assertions) profile_dir=debug ;;
    *) echo "fuzz.sh: FUZZ_PROFILE is release or dev, not $profile" >&2; exit 2 ;;
esac
# cargo-fuzz's sanitizer flags are nightly-only; the stable toolchain takes them with this.
export RUSTC_BOOTSTRAP=1

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
    exit 2
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

echo "== cargo fuzz build (sanitizer: $sanitizer, profile: $profile)"
build_started=$(date +%s)
if [ "$#" -eq 0 ]; then
    cargo fuzz build "${build_flags[@]}" --sanitizer "$sanitizer"
else
    for target in "${targets[@]}"; do
        cargo fuzz build "${build_flags[@]}" --sanitizer "$sanitizer" "$target"
    done
fi
echo "built in $(( $(date +%s) - build_started )) s"

host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="${CARGO_TARGET_DIR:-fuzz/target}/$host/$profile_dir"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
results=()
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    if [ -d "fuzz/corpus/$target" ]; then
        cp -R "fuzz/corpus/$target/." "$corpus/"
    fi
    # Edge values of the integer types go into every target's mutations; a target's own
    # dictionary replaces them.
    dict=fuzz/dictionaries/$target.dict
    [ -f "$dict" ] || dict=fuzz/dictionaries/json.dict
    log="$scratch/$target.log"
    echo "== $target: ${seconds} s from $(find "$corpus" -type f | wc -l) seeds"
    set +e
    "$bin_dir/$target" "$corpus" \
        -max_total_time="$seconds" -print_final_stats=1 -dict="$dict" \
        -rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb" -timeout="$timeout" \
        -artifact_prefix="fuzz/artifacts/$target/" >"$log" 2>&1
    status=$?
    set -e
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        echo "!! $target failed (exit $status); the end of its log:"
        tail -40 "$log"
        ls -1 "fuzz/artifacts/$target/" | sed 's/^/   artifact: /'
    fi
    if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
        mkdir -p "$FUZZ_KEEP_CORPUS/$target"
        cp -R "$corpus/." "$FUZZ_KEEP_CORPUS/$target/"
    fi
    results+=("$(printf '%-18s %12s executions %8s/s  %s' "$target" "${executions:-?}" \
        "${rate:-?}" "$([ "$status" -eq 0 ] && echo ok || echo FAILED)")")
done

echo "== fuzzing: ${seconds} s per target"
printf '%s\n' "${results[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
    exit 1
fi
