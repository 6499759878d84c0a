#!/usr/bin/env bash
# The main job (the README's first command): weft-init runs as PID 1 of a new
# PID namespace and supervises the example pod (examples/pod/pod.json) on the
# first runtime installed (crun, else runc). The web container serves three
# "requests" and exits; the pod then ends: the ticker gets TERM first, the
# database it depends on once the ticker has stopped (reverse dependency
# order), and the init exits with web's exit code.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
deno run -A examples/pod/build_bundles.ts
set +e
scripts/in_cgroup2_ns.sh unshare --pid --fork --kill-child --mount-proc \
  deno run -A packages/init/main.ts --config examples/pod/pod.json
code=$?
set -e
echo "weft-init exited with code $code; the status file says:"
deno eval 'const s = JSON.parse(Deno.readTextFileSync("/tmp/weft-demo-status.json"));
console.log(`pod: ${s.pod.state}, exit code ${s.pod.exitCode}, runtime ${s.pod.runtime}`);
for (const [id, c] of Object.entries(s.containers)) {
  console.log(`  ${id}: ${c.state}, last status ${c.lastStatus}, restarts ${c.restartCount}`);
}'
exit "$code"
