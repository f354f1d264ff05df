#!/usr/bin/env bash
# Fuzzes every parser of okta-connect with cargo-fuzz (libFuzzer) on stable Rust; see fuzz/README.md.
#
#   scripts/fuzz.sh [SECONDS]       replay the regressions and seeds, then fuzz each target for SECONDS (default 60)
#   scripts/fuzz.sh --regressions   only replay fuzz/regressions/<target>/* and the seed corpus, once each
#
# Targets run one after another on one core. New corpus entries go to fuzz/target/corpus/<target>/ (ignored
# by git, kept between runs); the committed seeds in fuzz/corpus/<target>/ are only read. A crash, a panic,
# a hang (one input over FUZZ_TIMEOUT s) or a blow-up (over FUZZ_RSS_MB) fails the run and prints the input's
# path under fuzz/artifacts/<target>/ with the command that replays it. Ends with "fuzz: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

TARGETS=(key_text config token_response api_response headers)
mode=fuzz seconds=60
case "${1:-}" in
  --regressions) mode=regressions ;;
  '') ;;
  *[!0-9]* | 0) echo "usage: scripts/fuzz.sh [SECONDS-PER-TARGET] | --regressions" >&2; exit 2 ;;
  *) seconds=$1 ;;
esac
timeout_s=${FUZZ_TIMEOUT:-25}
rss_mb=${FUZZ_RSS_MB:-2048}

log() { printf '[fuzz] %s\n' "$*" >&2; }

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  log "installing cargo-fuzz (about a minute)"
  cargo install cargo-fuzz --locked || exit 1
fi

# Stable Rust: `--sanitizer none` is what makes cargo-fuzz work without nightly (AddressSanitizer needs
# -Zsanitizer). Everything else it passes (sancov coverage passes, -Cdebug-assertions, --cfg fuzzing) is
# stable. Rust code is memory-safe here (the crate forbids unsafe), so ASan would add little; panics,
# overflows (debug assertions are on) and the harness's invariant checks are what the targets catch.
started=$SECONDS
if ! (cd fuzz && cargo fuzz build --sanitizer none); then
  log "cargo fuzz build failed"
  printf 'fuzz: 0 passed, %d failed\n' "${#TARGETS[@]}"
  exit 1
fi
log "built ${#TARGETS[@]} targets in $((SECONDS - started)) s"
triple=$(rustc -vV | sed -n 's/^host: //p')
bin_dir=fuzz/target/$triple/release

passed=0 failed=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

max_len() {
  case $1 in
    key_text | config) echo 8192 ;;
    *) echo 4096 ;;
  esac
}
dict() {
  case $1 in
    key_text | config) echo "fuzz/dict/$1.dict" ;;
    *) echo fuzz/dict/protocol.dict ;;
  esac
}
stat() { awk -v k="stat::$2:" '$1 == k { print $2 }' "$1" | tail -1; }

# replay TARGET: every regression input and every seed, once each (libFuzzer runs file arguments, no mutation).
replay() {
  local target=$1 inputs=()
  shopt -s nullglob
  inputs=(fuzz/regressions/"$target"/* fuzz/corpus/"$target"/*)
  shopt -u nullglob
  local out="$logs/$target.replay.log"
  if (( ${#inputs[@]} == 0 )); then
    return 0
  fi
  if "$bin_dir/$target" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" "${inputs[@]}" >"$out" 2>&1; then
    return 0
  fi
  local bad
  bad=$(sed -n 's/^Running: //p' "$out" | tail -1)
  printf 'fuzz %s: FAILED replaying %s\n' "$target" "${bad:-its inputs}"
  grep -A1 -E "panicked at" "$out" | head -2 | sed 's/^/    /'
  grep -E "ERROR: libFuzzer|ALARM" "$out" | head -2 | sed 's/^/    /'
  printf '    replay: %s %s\n' "$bin_dir/$target" "${bad:-fuzz/regressions/$target/}"
  return 1
}

# run TARGET: fuzz for $seconds; new inputs go to the scratch corpus, crashes to fuzz/artifacts/TARGET/.
run() {
  local target=$1 scratch=fuzz/target/corpus/$1 artifacts=fuzz/artifacts/$1/
  local out="$logs/$target.log"
  mkdir -p "$scratch" "$artifacts"
  local started=$SECONDS status
  nice -n 10 "$bin_dir/$target" "$scratch" "fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" -max_len="$(max_len "$target")" \
    -dict="$(dict "$target")" -artifact_prefix="$artifacts" -print_final_stats=1 >"$out" 2>&1
  status=$?
  local runs execs new
  runs=$(stat "$out" number_of_executed_units) execs=$(stat "$out" average_exec_per_sec) new=$(stat "$out" new_units_added)
  if (( status == 0 )); then
    printf 'fuzz %s: ok, %d s, %s runs, %s exec/s, %s new inputs\n' "$target" $((SECONDS - started)) "${runs:-?}" "${execs:-?}" "${new:-0}"
    return 0
  fi
  local artifact
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$out" | tail -1)
  printf 'fuzz %s: FAILED after %d s, %s runs (exit %d)\n' "$target" $((SECONDS - started)) "${runs:-?}" "$status"
  grep -A1 -E "panicked at" "$out" | head -2 | sed 's/^/    /'
  grep -E "ERROR: libFuzzer|ALARM" "$out" | head -2 | sed 's/^/    /'
  if [[ -n $artifact ]]; then
    printf '    input: %s\n    replay: %s %s\n' "$artifact" "$bin_dir/$target" "$artifact"
    printf '    keep it as a regression: cp %s fuzz/regressions/%s/<name>\n' "$artifact" "$target"
  else
    tail -20 "$out" | sed 's/^/    /'
  fi
  return 1
}

for target in "${TARGETS[@]}"; do
  if ! replay "$target"; then
    failed=$((failed + 1))
    continue
  fi
  if [[ $mode == regressions ]]; then
    count=$(find "fuzz/regressions/$target" "fuzz/corpus/$target" -type f 2>/dev/null | wc -l)
    printf 'fuzz %s: ok, %d inputs replayed\n' "$target" "$count"
    passed=$((passed + 1))
  elif run "$target"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
log "total $((SECONDS - started)) s"
printf 'fuzz: %d passed, %d failed\n' "$passed" "$failed"
(( failed == 0 ))
