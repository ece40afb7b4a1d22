#!/usr/bin/env bash
# Sets up a bulkhead checkout: system tools for building guest programs (clang + lld), the npm
# dependencies, and the TypeScript build (dist/). Idempotent: installs only what is missing and
# says what it does. Needs Node 20+; on Debian/Ubuntu as root it installs clang and lld with apt-get.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*"; }

# --- Node ----------------------------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "node and npm are required (Node 20 or later): install them first, e.g. from https://nodejs.org" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "Node 20 or later is required, found $(node --version)" >&2
  exit 1
fi
say "node $(node --version) found"

# --- system tools: clang + lld (guest programs), llvm-objdump (tests), a C++ toolchain -----------
# (npm builds better-sqlite3 from source when it cannot fetch a prebuilt binary), the libraries
# canvas builds against (report charts), chromium (the report's browser test)
missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
command -v ld.lld >/dev/null 2>&1 || missing+=(lld)
command -v llvm-objdump >/dev/null 2>&1 || missing+=(llvm)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
# canvas (report charts) builds from source against cairo, pango, jpeg, gif and rsvg
for lib in cairo:libcairo2-dev pangocairo:libpango1.0-dev libjpeg:libjpeg-dev librsvg-2.0:librsvg2-dev; do
  pc=${lib%%:*} pkg=${lib#*:}
  pkg-config --exists "$pc" 2>/dev/null || dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
dpkg -s libgif-dev >/dev/null 2>&1 || [ -f /usr/include/gif_lib.h ] || missing+=(libgif-dev)
# Debian's chromium: the browser test of the HTML report
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  say "clang, ld.lld, llvm-objdump, a C++ toolchain, the canvas libraries and chromium found"
elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing ${missing[*]} with apt-get"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  say "warning: ${missing[*]} missing; install them, e.g.:" >&2
  say "    sudo apt-get install -y ${missing[*]}" >&2
  say "continuing: the prebuilt images still run; tests that compile guest programs need clang," >&2
  say "reports need the canvas libraries, the browser test needs /usr/bin/chromium" >&2
fi

# --- npm dependencies and build ------------------------------------------------------------------
if [ -f package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci
else
  say "installing npm dependencies (npm install; no package-lock.json)"
  npm install
fi

say "building (npm run build)"
npm run build

say "done: try 'npm run demo' (the smoke campaign and its report in report/) or 'node dist/bin/bulkhead.js --help'"
