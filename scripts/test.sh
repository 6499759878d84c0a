#!/usr/bin/env bash
# Runs every test (the README's test command; CI runs exactly this).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
deno task test "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
set -e
# deno's summary is "ok | 12 passed (3 steps) | 0 failed (5s)"; CI reads the plain form.
summary=$(grep -aE '^(ok|FAILED) \| [0-9]+ passed' "$log" | tail -n 1 || true)
passed=$(sed -nE 's/.*\| ([0-9]+) passed.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*\| ([0-9]+) failed.*/\1/p' <<<"$summary")
ignored=$(sed -nE 's/.*\| ([0-9]+) ignored.*/\1/p' <<<"$summary")
echo "${passed:-0} passed, ${failed:-0} failed, ${ignored:-0} skipped"
exit "$code"
