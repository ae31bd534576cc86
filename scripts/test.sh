#!/usr/bin/env bash
# THE test command: `bash scripts/test.sh`. Sets the machine up, builds, type-checks, then runs
# every suite (unit, the simulator's Pester suite, grammar, the linter on the examples, Neovim, the extension
# in real VS Code), going on
# past a failing one so all of them run. Each suite prints `<name>: N passed, N failed`; the last
# line is the total, `N passed, N failed`, and the exit code is non-zero if anything failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TOTAL_PASSED=0
TOTAL_FAILED=0
SUMMARY=()
LOG_DIR="$ROOT/test-results/logs"

section() { printf '\n=== %s ===\n' "$*"; }

# count <suite> <passed> <failed> [quiet]: adds to the totals and prints the suite's line (unless
# the suite's own runner printed that very line: pass "quiet").
count() {
  TOTAL_PASSED=$((TOTAL_PASSED + $2))
  TOTAL_FAILED=$((TOTAL_FAILED + $3))
  SUMMARY+=("$1: $2 passed, $3 failed")
  [ "${4:-}" = quiet ] || printf '%s: %s passed, %s failed\n' "$1" "$2" "$3"
}

# run_logged <log name> <command...>: runs a command, showing and keeping its output; returns its status.
run_logged() {
  local name="$1"
  shift
  mkdir -p "$LOG_DIR"
  "$@" 2>&1 | tee "$LOG_DIR/$name.log"
  return "${PIPESTATUS[0]}"
}

# last_counts <suite> <log>: "P F" from the last `<suite>: P passed, F failed` line of a log.
last_counts() {
  grep -aE "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -n 1 | sed -E 's/^[^:]+: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/'
}

# run_suite <suite> <command...>: runs a suite whose runner prints `<suite>: P passed, F failed`,
# and counts it; a runner that prints no such line, or fails with no failed test, counts as failed.
run_suite() {
  local name="$1" status p f quiet=quiet
  shift
  run_logged "$name" "$@"
  status=$?
  read -r p f <<< "$(last_counts "$name" "$LOG_DIR/$name.log")"
  if [ -z "${p:-}" ]; then
    echo "$name: the runner printed no '$name: N passed, N failed' line (exit $status)"
    p=0; f=1; quiet=
  elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "$name: the runner exited with $status"
    f=1; quiet=
  fi
  count "$name" "$p" "$f" $quiet
}

# --- setup (also installs code-server and Chromium on a fresh machine) --------------------------
section "setup"
if ! bash scripts/setup.sh; then
  echo "setup failed: the machine is not ready to build or test."
  echo "0 passed, 1 failed"
  exit 1
fi
# Every suite finds the project's PowerShell the same way: EXR_PWSH, and .tools/pwsh first on PATH
# (the host runner looks for pwsh on PATH). dotnet stays on PATH: pwsh's launcher runs it.
export EXR_PWSH="$ROOT/.tools/pwsh/pwsh"
export PATH="$ROOT/.tools/pwsh:$PATH"
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off
# Results of an earlier run must not be read as this run's.
rm -rf "$ROOT/test-results"
mkdir -p "$LOG_DIR"

# --- build, type-check, compile the tests (each counts as one check) ----------------------------
section "build"
build_passed=0
build_failed=0
BUILD_OK=1
TESTS_COMPILED=1
if run_logged build npm run build; then build_passed=$((build_passed + 1)); else build_failed=$((build_failed + 1)); BUILD_OK=0; fi
if run_logged typecheck npm run typecheck; then build_passed=$((build_passed + 1)); else build_failed=$((build_failed + 1)); fi
# tsc still writes out/ when it reports type errors; the suites below run on what it wrote.
if run_logged compile-tests npm run compile-tests; then build_passed=$((build_passed + 1)); else build_failed=$((build_failed + 1)); fi
[ -d out ] || TESTS_COMPILED=0
count build "$build_passed" "$build_failed"

# --- unit tests (node --test over the compiled server tests) -------------------------------------
section "unit"
if [ ! -f scripts/run-unit-tests.mjs ]; then
  echo "unit: scripts/run-unit-tests.mjs is missing"
  count unit 0 1
elif [ "$TESTS_COMPILED" -eq 0 ]; then
  echo "unit: nothing compiled to out/"
  count unit 0 1
else
  run_suite unit node scripts/run-unit-tests.mjs
fi

# --- the Exchange simulator's Pester suite (real pwsh; a missing pwsh fails, never skips) --------
section "pester"
if [ ! -x "$EXR_PWSH" ]; then
  echo "pester: PowerShell is missing at $EXR_PWSH (scripts/setup.sh installs it)"
  count pester 0 1
else
  TERM=dumb NO_COLOR=1 run_suite pester "$EXR_PWSH" -NoProfile -NonInteractive -File test/sim/run-pester.ps1
fi

# --- rehearsals: every example against its simulator scenario, wrong remedies fail (real pwsh) ---
section "rehearse"
if [ "$BUILD_OK" -eq 0 ] || [ "$TESTS_COMPILED" -eq 0 ]; then
  echo "rehearse: skipped, the build failed"
  count rehearse 0 1
elif [ ! -x "$EXR_PWSH" ]; then
  echo "rehearse: PowerShell is missing at $EXR_PWSH (scripts/setup.sh installs it)"
  count rehearse 0 1
else
  run_suite rehearse node scripts/run-rehearse-tests.mjs
fi

# --- grammar tests (vscode-tmgrammar-test; one test per file) -----------------------------------
section "grammar"
grammar_files="$(find test/grammar -name '*.exrunbook' 2>/dev/null | wc -l)"
if [ "$grammar_files" -eq 0 ]; then
  echo "grammar: no test/grammar/**/*.exrunbook files"
  count grammar 0 1
else
  run_logged grammar npx --no-install vscode-tmgrammar-test "test/grammar/**/*.exrunbook"
  status=$?
  p="$(grep -ac 'run successfuly' "$LOG_DIR/grammar.log" || true)"
  f=$((grammar_files - p))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  count grammar "$p" "$f"
fi

# --- the linter on the examples (the CI use of the same engine; one test) ------------------------
section "lint"
if [ "$BUILD_OK" -eq 1 ] && run_logged lint node bin/exchange-runbook-lint.js examples; then
  count lint 1 0
else
  [ "$BUILD_OK" -eq 1 ] || echo "lint: skipped, the build failed"
  count lint 0 1
fi

# --- the server driven by real Neovim's LSP client, headless (Debian's neovim) -------------------
section "neovim"
if [ "$BUILD_OK" -eq 1 ]; then
  run_suite neovim node test/neovim/run-neovim.mjs
else
  echo "neovim: skipped, the build failed"
  count neovim 0 1
fi

# --- the .vsix (vsce package, and what it carries) ------------------------------------------------
section "package"
if [ "$BUILD_OK" -eq 1 ]; then
  run_suite package node scripts/check-package.mjs
else
  echo "package: skipped, the build failed"
  count package 0 1
fi

# --- the extension in real VS Code (code-server + Chromium) --------------------------------------
section "host"
if [ "$BUILD_OK" -eq 1 ] && [ "$TESTS_COMPILED" -eq 1 ]; then
  run_suite host npm run --silent test:host
else
  echo "host: skipped, the build failed"
  count host 0 1
fi

# --- summary ------------------------------------------------------------------------------------
section "summary"
for line in "${SUMMARY[@]}"; do echo "  $line"; done
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
