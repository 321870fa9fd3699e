#!/usr/bin/env bash
# Smoke-runs every fuzz target in fuzz/ for a few thousand inputs; skips (exit 0) without cargo-fuzz.
#
# A crash makes this exit non-zero and leaves the input under fuzz/artifacts/<target>/. RUSTC_BOOTSTRAP=1
# lets the stable toolchain accept the -Z flags cargo-fuzz passes (harmless on nightly). The first run
# builds the targets (about 90 s on two cores); later runs take seconds. FUZZ_SMOKE_RUNS overrides 2000.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

runs="${FUZZ_SMOKE_RUNS:-2000}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: skipped, cargo-fuzz is not installed (cargo install cargo-fuzz)"
    exit 0
fi

export RUSTC_BOOTSTRAP=1
cargo fuzz build
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in $(cargo fuzz list); do
    if ! cargo fuzz run "$target" -- -runs="$runs" >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "fuzz-smoke: $target FAILED (input saved under fuzz/artifacts/$target/)"
        exit 1
    fi
    echo "fuzz-smoke: $target ok: $(grep -E '^Done' "$log")"
done
echo "fuzz-smoke: all targets passed"
