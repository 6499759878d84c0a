#!/usr/bin/env bash
# Start time of weft-init (`--help` loads every module and builds the pod
# schema) from the bundle and from the source, and the bundle's size: the
# figures of packages/init/README.md. Runs interleaved; medians.
# Usage: bash scripts/init_start_time.sh [runs]   (default 31)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-31}
deno task bundle >/dev/null 2>&1
targets=(dist/weft-init.js packages/init/main.ts)
declare -A times
for _ in $(seq "$runs"); do
  for target in "${targets[@]}"; do
    start=$(date +%s%N)
    deno run -A "$target" --help >/dev/null
    times[$target]+="$(( ($(date +%s%N) - start) / 1000000 )) "
  done
done
printf '| %-22s | %-10s | %-8s |\n' "weft-init --help" "median ms" "min ms"
for target in "${targets[@]}"; do
  sorted=$(tr ' ' '\n' <<<"${times[$target]}" | grep . | sort -n)
  printf '| %-22s | %-10s | %-8s |\n' "$target" \
    "$(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted")" "$(head -1 <<<"$sorted")"
done
echo "dist/weft-init.js: $(wc -c <dist/weft-init.js) bytes"
