#!/bin/sh
# Not youki. Records its argv (one NUL-separated file per call, in
# $WEFT_FAKE_DIR) and replays canned output, so that unit tests can check
# the exact command lines weft sends and how it reads youki's answers.
#   WEFT_FAKE_STDOUT  file copied to stdout
#   WEFT_FAKE_LOG     file copied to the path given after --log
#   WEFT_FAKE_PID     pid written to the path given after --pid-file
#   WEFT_FAKE_EXIT    exit code (default 0)
set -eu
n=$(ls "$WEFT_FAKE_DIR" | wc -l)
printf '%s\0' "$0" "$@" > "$WEFT_FAKE_DIR/$(printf '%04d' "$n")"
log=
pidfile=
prev=
for arg in "$@"; do
  if [ "$prev" = --log ]; then log=$arg; fi
  if [ "$prev" = --pid-file ]; then pidfile=$arg; fi
  prev=$arg
done
if [ -n "${WEFT_FAKE_PID:-}" ] && [ -n "$pidfile" ]; then echo "$WEFT_FAKE_PID" > "$pidfile"; fi
if [ -n "${WEFT_FAKE_LOG:-}" ] && [ -n "$log" ]; then cat "$WEFT_FAKE_LOG" > "$log"; fi
if [ -n "${WEFT_FAKE_STDOUT:-}" ]; then cat "$WEFT_FAKE_STDOUT"; fi
exit "${WEFT_FAKE_EXIT:-0}"
