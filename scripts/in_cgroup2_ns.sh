#!/usr/bin/env bash
# Runs a command in a private mount namespace where /sys/fs/cgroup is a pure
# cgroup2 hierarchy. Why: on hosts that mount cgroup v1 and v2 side by side
# (like these test machines), crun refuses every container ("cgroups in hybrid
# mode not supported"); a micro-VM, where the init mounts cgroup2 itself, has
# no such problem. runc works in both. The namespace is private, so the host's
# mounts are untouched and the mount disappears with the command.
set -euo pipefail
if [ "${WEFT_CGROUP2_NS:-}" != 1 ]; then
  export WEFT_CGROUP2_NS=1
  exec unshare --mount --propagation private -- "$0" "$@"
fi
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
  mount -t cgroup2 none /sys/fs/cgroup
fi
exec "$@"
