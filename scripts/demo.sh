#!/usr/bin/env bash
# Placeholder until the integrations page lands: starts the local Okta emulator with a seeded demo org.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node tests/emulator/cli.mjs --seed demo "$@"
