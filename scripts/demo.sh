#!/usr/bin/env bash
# `make demo`: the integrations page against the local Okta emulator, in one Node process
# (www/server/demo-server.mjs): a seeded emulator org, the page, and the Okta relay the page needs.
# Prints the page URL and what to paste; the private key goes to test-output/ (mode 0600), never to the
# terminal. Ctrl-C stops everything. Ports: --port / --okta-port (or DEMO_PORT / DEMO_OKTA_PORT);
# without them 8787 / 8788, or free ports when those are taken.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "demo: Node.js 20 or newer is needed (https://nodejs.org)" >&2
  exit 1
fi
if (( $(node -p 'process.versions.node.split(".")[0]') < 20 )); then
  echo "demo: Node.js 20 or newer is needed (found $(node --version))" >&2
  exit 1
fi
# `make demo` has already run setup and build; when run directly, do them now.
# DEMO_NO_BUILD=1 (the tests) fails instead of building.
if [[ ! -f pkg/okta_connect_bg.wasm || ! -e node_modules/okta-connect || ! -d node_modules/jose ]]; then
  if [[ "${DEMO_NO_BUILD:-0}" == 1 ]]; then
    echo "demo: pkg/ or node_modules/ is missing; run make build" >&2
    exit 1
  fi
  echo "demo: pkg/ or node_modules/ is missing; running make build first" >&2
  make build
fi

# exec: the Node process receives Ctrl-C (SIGINT) itself and closes the page server and the emulator.
exec node www/server/demo-server.mjs "$@"
