#!/usr/bin/env bash
# Installs what the build and the tests need, skipping whatever is already present.
# Idempotent: safe to run before every `make` target. Only package registries are reached.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
export PATH="$HOME/.cargo/bin:$PATH"

want_bindgen=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock 2>/dev/null || true)

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v wasm-pack >/dev/null 2>&1; then
  log "installing wasm-pack (a few minutes)"
  cargo install wasm-pack --locked
fi

if [[ -n "$want_bindgen" ]] && [[ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want_bindgen" ]]; then
  log "installing wasm-bindgen-cli $want_bindgen (a few minutes)"
  # Not --locked: the CLI's own lockfile pins crates that no longer build on this toolchain.
  cargo install wasm-bindgen-cli --version "$want_bindgen" --force
fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  log "installing cargo-fuzz (about a minute)"
  cargo install cargo-fuzz --locked
fi

if ! command -v cargo-deny >/dev/null 2>&1; then
  log "installing cargo-deny (a few minutes)"
  cargo install cargo-deny --locked
fi

if [[ "${SETUP_BROWSER:-1}" == 1 ]] && ! [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  log "installing Debian chromium + chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [[ -f package-lock.json ]]; then
  if ! [[ -d node_modules ]] || ! [[ node_modules/.package-lock.json -nt package-lock.json ]]; then
    log "installing npm dev dependencies"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
