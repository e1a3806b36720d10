#!/usr/bin/env bash
# Runs every test of tarn, installing what they need first (idempotently):
#   * Python packages for the client and S3 suites, pinned in tests/requirements.lock, into .venv;
#   * formatting, lints, unit and integration tests, the sqllogictest files, and the docs.
# Builds reuse a persistent target directory ($CARGO_TARGET_DIR, default ~/.cache/tarn/target).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tarn/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - started ))"; }

step "python packages (.venv)"
lock=tests/requirements.lock
stamp=.venv/.tarn-lock-$(sha256sum "$lock" | cut -c1-16)
if [ ! -f "$stamp" ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    # Debian splits venv out of python3.
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv .venv
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps -r "$lock"
  rm -f .venv/.tarn-lock-* && touch "$stamp"
fi
export TARN_MOTO_SERVER="$PWD/.venv/bin/moto_server"
# TLS tests make their certificates with the openssl command.
command -v openssl >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq openssl >/dev/null; }

step "generated protobuf code is current"
bash proto/regen.sh
git diff --exit-code -- proto/src/generated

step "cargo fmt"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, integration, sqllogictest)"
cargo test --workspace --locked

step "Flight SQL clients (ADBC, flightsql-dbapi + SQLAlchemy, pyarrow; JDBC if FLIGHT_SQL_JDBC_JAR is set)"
TARN_BIN="$CARGO_TARGET_DIR/debug/tarn" .venv/bin/python -m pytest -q -p no:cacheprovider tests/python

step "cargo doc"
RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --locked --quiet

step "done"
