#!/usr/bin/env bash
# The baseline of benches/lifecycle.ts: the five lifecycle commands a user
# would type, run by a plain shell. Prints the microseconds of each round.
# Usage: lifecycle.sh BINARY ROOT BUNDLE ID ROUNDS [GLOBAL_ARG...]
set -euo pipefail
binary=$1 root=$2 bundle=$3 id=$4 rounds=$5
shift 5
for ((i = 0; i < rounds; i++)); do
  start=$EPOCHREALTIME
  "$binary" --root "$root" "$@" create --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1
  "$binary" --root "$root" "$@" start "$id"
  "$binary" --root "$root" "$@" state "$id" >/dev/null
  "$binary" --root "$root" "$@" kill "$id" 9
  "$binary" --root "$root" "$@" delete --force "$id"
  end=$EPOCHREALTIME
  echo $(( ${end/./} - ${start/./} ))
done
