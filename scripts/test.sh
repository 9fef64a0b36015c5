#!/usr/bin/env bash
# Runs every test tier and ends with one line `N passed, N failed` summing them all.
# Tiers: static (build, typecheck, lint), unit (pure, no I/O), integration (real control plane,
# real JupyterHub), browser (real Chromium against the real hub). TEST_TIERS selects a subset.
# The integration and browser tiers never pass by skipping: if the testbed cannot be built or
# started, that counts as a failure with the reason printed.
set -uo pipefail
cd "$(dirname "$0")/.."
TIERS="${TEST_TIERS:-static unit integration browser}"
LOGDIR="test-artifacts/logs"
mkdir -p "$LOGDIR"
passed=0
failed=0
failures=()

count() { # name, exit code
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); fi
}

node_tier() { # tier directory
  local tier=$1 files log
  mapfile -t files < <(find "test/$tier" -name '*.test.ts' | sort)
  if [ "${#files[@]}" -eq 0 ]; then echo "== tier $tier: no test files"; return 0; fi
  log="$LOGDIR/$tier.log"
  echo "== tier $tier: ${#files[@]} files"
  node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" 2>&1 | tee "$log"
  local p f
  p=$(grep -aE '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
  f=$(grep -aE '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
  if [ -z "$p" ]; then failed=$((failed + 1)); failures+=("$tier: runner printed no summary"); return; fi
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$f" -gt 0 ] && failures+=("$tier: $f failed (see $log)")
  return 0
}

infra_up() {
  if [ -n "${INFRA_UP:-}" ]; then return 0; fi
  # The hub's managed service runs bin/spawn-doctor.js, which prefers dist/: build it fresh
  # (unless the static tier just did).
  if [ -z "${BUILT:-}" ]; then npm run --silent build || { echo "!! the build failed"; return 1; }; fi
  echo "== bringing up the testbed (build cached under ${SPAWN_DOCTOR_CACHE:-$HOME/.cache/spawn-doctor})"
  if ! make --no-print-directory testbed-up; then
    echo "!! the testbed could not be built or started; see .testbed/logs. Integration tiers count as failed."
    return 1
  fi
  if ! make --no-print-directory venv; then
    echo "!! the Python environment for JupyterHub could not be installed."
    return 1
  fi
  INFRA_UP=1
}

for tier in $TIERS; do
  case "$tier" in
    static)
      echo "== tier static"
      npm run --silent build; rc=$?; count build $rc; [ "$rc" -eq 0 ] && BUILT=1
      npm run --silent typecheck; count typecheck $?
      npx biome check . ; count lint $?
      ;;
    unit) node_tier unit ;;
    integration|browser)
      if infra_up; then
        export KUBECONFIG="$PWD/.testbed/kubeconfig"
        node_tier "$tier"
      else
        count "$tier: infrastructure" 1
      fi
      ;;
    *) echo "unknown tier $tier"; count "tier $tier" 1 ;;
  esac
done

if [ -n "${INFRA_UP:-}" ] && [ -z "${KEEP_TESTBED:-}" ]; then make --no-print-directory testbed-down || true; fi

if [ "${#failures[@]}" -gt 0 ]; then printf 'failed: %s\n' "${failures[@]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
