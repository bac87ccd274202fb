#!/usr/bin/env bash
# Builds the benchmark's scalar baseline: the same napi addon and kernels, with runtime SIMD
# dispatch off (cargo feature `scalar`) and LLVM's loop and SLP vectorisers disabled, into
# bench/.scalar/. Used only by bench/iou.mjs; never shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_TARGET_DIR=target/scalar \
RUSTFLAGS="-C llvm-args=-vectorize-loops=false -C llvm-args=-vectorize-slp=false" \
  npx napi build --platform --release --features scalar --output-dir bench/.scalar --no-js --dts .native.d.ts
rm -f bench/.scalar/.native.d.ts
