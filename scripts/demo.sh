#!/usr/bin/env bash
# The main job (the README's first command).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
exec scripts/in_cgroup2_ns.sh deno run -A examples/lifecycle.ts
