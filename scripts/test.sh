#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine and runs every test.
# .ci/run calls exactly this script. Safe to run again: installs are skipped when present.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-venv python3-dev)
# Debian splits venv/ensurepip into python3-venv: install it when `python3 -m venv` cannot work.
if command -v python3 >/dev/null 2>&1 && ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    need_apt+=(python3-venv)
fi
# FreeSWITCH-ESL-Python (libesl) is compiled by pip: a C++ compiler and the Python headers.
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' >/dev/null 2>&1; then
    need_apt+=(python3-dev)
fi
# SIP end-to-end tests and benchmarks drive SIPp (Debian package sip-tester).
command -v sipp >/dev/null 2>&1 || need_apt+=(sip-tester)
if [ "${#need_apt[@]}" -gt 0 ]; then
    log "installing apt packages: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is required (install Rust with rustup: https://rustup.rs)" >&2
    exit 1
fi

# Python venv for the third-party protocol clients used by the end-to-end suites (AMI/ESL/SIP issues
# add their clients to scripts/requirements.txt).
if [ -s scripts/requirements.txt ]; then
    log "python venv with the third-party clients"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt
fi

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "cargo test (unit, transcript and end-to-end tests)"
cargo test --workspace --all-targets --locked

if [ -x .venv/bin/python ] && [ -d tests/e2e ]; then
    log "end-to-end suites with third-party clients"
    cargo build --locked -p switchyard
    .venv/bin/python -m pytest -q tests/e2e
fi
