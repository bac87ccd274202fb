#!/usr/bin/env bash
# Installs what the runtime tests (test/runtimes) need, the way a fresh machine gets it:
# Debian's chromium (apt-get; no browser download), and from npm, into test/runtimes/node_modules
# (not the library's dependencies): wrangler + miniflare (workerd), deno, bun, playwright-core,
# esbuild, webpack 5 + webpack-cli, vite. Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! [ -x /usr/bin/chromium ]; then
  echo "install-runtimes: installing chromium from Debian" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if ! [ -x test/runtimes/node_modules/.bin/wrangler ] || ! [ test/runtimes/node_modules/.package-lock.json -nt test/runtimes/package-lock.json ]; then
  echo "install-runtimes: npm ci in test/runtimes" >&2
  npm ci --prefix test/runtimes --no-audit --no-fund --loglevel=error
fi
# the binaries ship in platform packages (optional dependencies); fail early if one is missing
for t in wrangler deno bun vite webpack esbuild; do
  test/runtimes/node_modules/.bin/$t --version >/dev/null 2>&1 || { echo "install-runtimes: $t does not run" >&2; exit 1; }
done
echo "install-runtimes: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), deno $(test/runtimes/node_modules/.bin/deno --version | head -1 | awk '{print $2}'), bun $(test/runtimes/node_modules/.bin/bun --version)" >&2
