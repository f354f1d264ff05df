#!/usr/bin/env bash
# `make bench`: the benchmark suite side by side with panva's jose (bench/README.md). Prints the summary table
# and writes bench-output/ (results.md, results.json, chart-<runtime>.png). Needs pkg/ built (make build).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node bench/run.mjs "$@"
