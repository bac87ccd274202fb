#!/usr/bin/env bash
# Builds artifacts/soft_sampling.wasm (wasm32-unknown-unknown, SIMD128, no WASI, no imports).
# Recipe: docs/toolchain-wasm32.md — Debian's rustc-web (with its std source) and -Zbuild-std,
# because rustup cannot download the wasm32 target here. Installs the Debian packages if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -x /usr/bin/rustc ] && /usr/bin/rustc --version 2>/dev/null | grep -q . || need+=(rustc-web cargo-web)
[ -d /usr/lib/rustlib/src/rust/library ] || need+=(rust-web-src)
command -v rust-lld >/dev/null 2>&1 || [ -x /usr/bin/rust-lld ] || need+=(lld-22)
if [ ${#need[@]} -gt 0 ]; then
  echo "build-wasm: installing ${need[*]} from Debian" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq rustc-web cargo-web rust-web-src lld-22 >/dev/null
fi
RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTFLAGS="-C target-feature=+simd128" \
  CARGO_TARGET_DIR=target/wasm \
  /usr/bin/cargo build --release --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_abort --config 'profile.release.panic="abort"' \
  -p soft-sampling-wasm
mkdir -p artifacts
cp target/wasm/wasm32-unknown-unknown/release/soft_sampling_wasm.wasm artifacts/soft_sampling.wasm
echo "build-wasm: artifacts/soft_sampling.wasm ($(wc -c < artifacts/soft_sampling.wasm) bytes)" >&2
