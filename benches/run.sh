#!/usr/bin/env bash
# Side-by-side benchmark: tarn in process, tarn over Flight SQL (ADBC), DuckDB and
# datafusion-python on the same demo lake, plus the cold-start and Flight throughput cases.
#
#   benches/run.sh --scale small|medium [--runs N] [--engines tarn,tarn-flight,duckdb,datafusion]
#                  [--cases suite,cold-start,flight-throughput] [--queries NAME,...] [--tarn PATH]
#
# Installs (idempotently) the Python packages of benches/requirements.lock into .venv and strace;
# builds tarn in release unless --tarn names a binary; writes the lakes under benches/lakes/ once;
# writes benches/results/<scale>.md and .json. `--help` lists every option.
set -euo pipefail

# No `cd`: relative paths in the arguments stay relative to the caller's directory.
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="$repo/.venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tarn/target}"

lock="$repo/benches/requirements.lock"
stamp="$venv/.tarn-bench-lock-$(sha256sum "$lock" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian splits venv out of python3.
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$lock"
  rm -f "$venv"/.tarn-bench-lock-* && touch "$stamp"
fi
# The cold-start case counts files and bytes read with strace.
command -v strace >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq strace >/dev/null; }

args=("$@")
case " $* " in
  *" --tarn "* | *" --tarn="* | *" --help "* | *" -h "*) ;;
  *)
    (cd "$repo" && cargo build --release --locked --workspace --bins)
    args+=(--tarn "$CARGO_TARGET_DIR/release/tarn")
    ;;
esac
PYTHONPATH="$repo/benches${PYTHONPATH:+:$PYTHONPATH}" exec "$venv/bin/python" -m side_by_side "${args[@]}"
