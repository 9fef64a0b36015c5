#!/usr/bin/env bash
# Runs every benchmark found as bench/<name>/run.ts, one process each, and prints their tables.
# Benchmarks only measure and print (with a baseline measured in the same run); they assert nothing.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
shopt -s nullglob
for bench in bench/*/run.ts; do
  echo "== ${bench%/run.ts}"
  if ! node --import tsx "$bench"; then
    echo "!! $bench failed"
    status=1
  fi
  echo
done
exit "$status"
