#!/usr/bin/env bash
# Regenerates proto/src/generated from proto/protos (installs protoc if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v protoc >/dev/null; then
  apt-get install -y -qq protobuf-compiler >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null && apt-get install -y -qq protobuf-compiler >/dev/null
  }
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tarn/target}"
cargo run --quiet --locked --bin tarn-proto-gen -- "$PWD/proto"
