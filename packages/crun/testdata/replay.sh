#!/bin/sh
# Replays what the real binary printed for one call (files recorded from it
# beside this script), so that parsing is pinned for versions not installed
# here. REPLAY_ARGV receives the argv; REPLAY_LOG is copied to the --log file.
log=""
prev=""
for arg in "$@"; do
  [ "$prev" = "--log" ] && log="$arg"
  prev="$arg"
done
[ -n "${REPLAY_ARGV:-}" ] && printf '%s\n' "$*" > "$REPLAY_ARGV"
[ -n "${REPLAY_STDOUT:-}" ] && cat "$REPLAY_STDOUT"
[ -n "${REPLAY_STDERR:-}" ] && cat "$REPLAY_STDERR" >&2
[ -n "${REPLAY_LOG:-}" ] && [ -n "$log" ] && cat "$REPLAY_LOG" > "$log"
exit "${REPLAY_CODE:-0}"
