#!/usr/bin/env bash
# Builds the wasm backend with wasm-pack (--target web): artifacts/soft_sampling.wasm (SIMD128,
# #[wasm_bindgen] exports) and its generated JS glue, which the TS sources import from
# ts/backends/wasm/gen/ (bundled into dist/ by tsup). Recipe: Debian's rustc-web (with its std
# source) and -Zbuild-std, because rustup cannot download the wasm32 target here; wasm-pack in
# --mode no-install (no rustup check, no downloads) runs the wasm-bindgen CLI found on PATH, which
# must be exactly the version of the wasm-bindgen crate (crates/wasm/Cargo.toml). Installs the
# Debian packages and the two CLIs (cargo install, ~15 min on 2 cores, once per machine) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
WASM_PACK_VERSION=0.15.1
WASM_BINDGEN_VERSION=0.2.130 # = the wasm-bindgen crate's version in Cargo.lock
need=()
[ -x /usr/bin/rustc ] && /usr/bin/rustc --version 2>/dev/null | grep -q . || need+=(rustc-web cargo-web)
[ -d /usr/lib/rustlib/src/rust/library ] || need+=(rust-web-src)
command -v rust-lld >/dev/null 2>&1 || [ -x /usr/bin/rust-lld ] || need+=(lld-22)
if [ ${#need[@]} -gt 0 ]; then
  echo "build-wasm: installing ${need[*]} from Debian" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
export PATH="$HOME/.cargo/bin:$PATH"
if ! wasm-pack --version 2>/dev/null | grep -qF " $WASM_PACK_VERSION"; then
  echo "build-wasm: cargo install wasm-pack $WASM_PACK_VERSION" >&2
  cargo install --locked --version "$WASM_PACK_VERSION" wasm-pack \
    || cargo install --version "$WASM_PACK_VERSION" wasm-pack
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qF " $WASM_BINDGEN_VERSION"; then
  echo "build-wasm: cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION" >&2
  # --locked first; its lock file can name a dependency version the registry index does not
  # (yet, or any more) list — then resolve the newest compatible versions instead
  cargo install --locked --version "$WASM_BINDGEN_VERSION" wasm-bindgen-cli \
    || cargo install --version "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
fi
pkg=target/wasm-pkg
rm -rf "$pkg"
# -C panic=immediate-abort (unstable, hence -Zunstable-options under RUSTC_BOOTSTRAP): a panic traps
# at once, without building its message — the message was never shown (a trap becomes E_PANIC on the
# JS side), and the panic machinery (hook, message formatting, 12 KB of location and message
# strings) was ~10 KiB of the gzipped module (146.4 -> 136.4 KiB), at unchanged kernel speed. core::fmt's
# float printing is not in the module either: the core writes a float in an error message as its bits
# (soft_sampling_core::error::num) and the JS side prints it. opt-level "s"/"z", whole or
# split per package, would take it to 87-106 KiB but makes IoU 5x and focal/GHM 2x slower (the
# LTO pipeline runs at the final crate's level), so the release profile stays at opt-level 3.
RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO=/usr/bin/cargo RUSTFLAGS="-C target-feature=+simd128 -Zunstable-options -C panic=immediate-abort" \
  CARGO_TARGET_DIR="$PWD/target/wasm" \
  wasm-pack --quiet build crates/wasm --release --target web --mode no-install --no-pack \
  --out-dir "$PWD/$pkg" --out-name soft_sampling \
  -- -Zbuild-std=std,panic_abort --config 'profile.release.panic="abort"'
mkdir -p artifacts ts/backends/wasm/gen
# wasm-pack's wasm-opt step is off (it would download binaryen). Debian's wasm-opt (binaryen 108)
# breaks wasm-bindgen's externref table (instantiation fails in Table.set), so it is not used; the
# debug name section (function names, ~30 KB) is dropped here instead.
node -e '
const fs = require("fs");
const [src, dst] = process.argv.slice(1);
const b = fs.readFileSync(src);
const parts = [b.subarray(0, 8)];
let i = 8;
const leb = () => { let r = 0, s = 0, x; do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; };
while (i < b.length) {
  const start = i, id = b[i++], len = leb(), body = i;
  let name = "";
  if (id === 0) { const n = leb(); name = b.subarray(i, i + n).toString(); }
  i = body + len;
  if (!(id === 0 && name === "name")) parts.push(b.subarray(start, i));
}
fs.writeFileSync(dst, Buffer.concat(parts));
' "$pkg/soft_sampling_bg.wasm" artifacts/soft_sampling.wasm
# The glue keeps one instance and refuses a second initSync; initWasm (a new module) and the
# recovery after a trap need a fresh instance, so drop that guard (the module state is reset by
# the glue's own __wbg_finalize_init).
node -e '
const fs = require("fs");
const [src, dst] = process.argv.slice(1);
let js = fs.readFileSync(src, "utf8");
const guard = /^(\s*)if \(wasm !== undefined\) return wasm;\n/m;
const i = js.indexOf("function initSync(");
if (i < 0 || !guard.test(js.slice(i))) throw new Error("build-wasm: initSync guard not found in the generated glue");
js = js.slice(0, i) + js.slice(i).replace(guard, "$1// (soft-sampling: re-instantiation allowed, scripts/build-wasm.sh)\n");
fs.writeFileSync(dst, "// GENERATED by wasm-bindgen (scripts/build-wasm.sh) — do not edit.\n" + js);
' "$pkg/soft_sampling.js" ts/backends/wasm/gen/soft_sampling.js
cp "$pkg/soft_sampling.d.ts" ts/backends/wasm/gen/soft_sampling.d.ts
# The lean module of `soft-sampling/lite`: the full module without the exports of the declared
# kernels outside the lite set (every kernel: ts/kernels/modern.ts, generated from
# crates/decl/kernels.rs; the lite set: ts/lite-kernels.ts) and without the code only they reached,
# by tools/wasm-lite (walrus, the wasm IR crate wasm-bindgen is built on; a host tool with its own
# Cargo.lock, built once into target/wasm-lite). Every other export stays, so the glue generated
# above drives both modules: no second cargo build, no second glue.
read -r lite_keep lite_drop < <(node -e '
const fs = require("fs");
const lite = /lite-kernels:begin([\s\S]*?)lite-kernels:end/.exec(fs.readFileSync("ts/lite-kernels.ts", "utf8"));
if (!lite) throw new Error("build-wasm: no lite-kernels markers in ts/lite-kernels.ts");
const keep = [...lite[1].matchAll(/'"'"'([a-z0-9_]+)'"'"'/g)].map((x) => x[1]);
const all = [...fs.readFileSync("ts/kernels/modern.ts", "utf8").matchAll(/^\s*wasm: '"'"'([a-z0-9_]+)'"'"',$/gm)].map((x) => x[1]);
const unknown = keep.filter((k) => !all.includes(k));
if (unknown.length) throw new Error("build-wasm: ts/lite-kernels.ts names kernels that are not declared: " + unknown.join(", "));
console.log(keep.join(",") + " " + all.filter((k) => !keep.includes(k)).join(","));
')
cargo build --quiet --release --locked --manifest-path tools/wasm-lite/Cargo.toml --target-dir "$PWD/target/wasm-lite"
target/wasm-lite/release/wasm-lite artifacts/soft_sampling.wasm artifacts/soft_sampling_lite.wasm "$lite_keep" "$lite_drop"
echo "build-wasm: artifacts/soft_sampling.wasm ($(wc -c < artifacts/soft_sampling.wasm) bytes), artifacts/soft_sampling_lite.wasm ($(wc -c < artifacts/soft_sampling_lite.wasm) bytes), ts/backends/wasm/gen/soft_sampling.js" >&2
