#!/usr/bin/env bash
# First command on a fresh machine: installs pnpm (if missing), the dependencies and the Temporal
# CLI, builds every package and runs the demo.   bash scripts/bootstrap.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v pnpm >/dev/null 2>&1; then
  echo "bootstrap: installing pnpm@10"
  npm i -g pnpm@10
fi
pnpm install --frozen-lockfile
if command -v go >/dev/null 2>&1; then
  bash scripts/ensure-temporal.sh >/dev/null
else
  echo "bootstrap: Go not found, skipping the Temporal CLI (Temporal suites will skip locally)" >&2
fi
pnpm build
pnpm demo
