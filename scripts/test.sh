#!/usr/bin/env bash
# Runs every test suite, keeps going after a failure, and ends with one summary line over all suites:
# "N passed, N failed". Exits non-zero when any suite failed (or ran no test).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

total_pass=0 total_fail=0 broken=()

# count_rust FILE: sums cargo/wasm-bindgen-test "test result:" lines.
count_rust() {
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { print p + 0, f + 0 }' "$1"
}
# count_node FILE: node --test's TAP summary.
count_node() {
  awk '/^# pass / { p += $3 } /^# fail / { f += $3 } END { print p + 0, f + 0 }' "$1"
}

# count_fuzz FILE: scripts/fuzz.sh's closing "fuzz: N passed, N failed" (one per target).
count_fuzz() {
  awk '/^fuzz: [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 } END { print p + 0, f + 0 }' "$1"
}
# count_deny FILE: "bans ok, licenses ok, sources ok" (a FAILED check is a failure).
count_deny() {
  grep -oE '\b[a-z]+ (ok|FAILED)' "$1" | awk '$2 == "ok" { p++ } $2 == "FAILED" { f++ } END { print p + 0, f + 0 }'
}

suite() {
  local name=$1 counter=$2; shift 2
  local log="$out/$name.log"
  printf '\n=== %s: %s\n' "$name" "$*"
  local started=$SECONDS
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  read -r pass fail < <("$counter" "$log")
  printf '=== %s: %d passed, %d failed (exit %d, %d s)\n' "$name" "$pass" "$fail" "$status" $((SECONDS - started))
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
  if (( status != 0 || pass == 0 )); then broken+=("$name"); fi
}

suite rust-native count_rust cargo test --quiet
suite cargo-deny count_deny cargo deny --log-level error check licenses bans sources
# The advisory database lives on GitHub, which these machines cannot reach: checked only where one is present.
if compgen -G "$HOME/.cargo/advisory-dbs/*/crates" >/dev/null; then
  suite cargo-deny-advisories count_deny cargo deny --offline --log-level error check advisories
else
  printf '\n=== cargo-deny-advisories: skipped (no RustSec advisory database on this machine)\n'
fi
suite wasm-node count_rust wasm-pack test --node --test wasm
suite wasm-chromium count_rust wasm-pack test --headless --chrome --features browser-tests --test wasm
suite js count_node node --test --test-reporter=tap tests/js/ tests/emulator/ tests/www/ tests/worker/ tests/hardening/
# The package size against its ceiling (bench/lib/size.mjs); `make bench` compares it with the 90 KB budget.
suite size-budget count_node node --test --test-reporter=tap bench/size-budget.mjs
suite fuzz-smoke count_fuzz bash scripts/fuzz.sh "${FUZZ_SMOKE_SECONDS:-10}"

printf '\n'
if (( ${#broken[@]} )); then
  printf 'failing suites: %s\n' "${broken[*]}"
  # A suite that crashed without reporting counts as one failure, so the summary can never read as green.
  (( total_fail == 0 )) && total_fail=${#broken[@]}
fi
printf '%d passed, %d failed\n' "$total_pass" "$total_fail"
(( ${#broken[@]} == 0 ))
