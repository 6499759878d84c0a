#!/bin/sh
# A fault-injecting stand-in for a runtime binary: real runtimes cannot hang,
# print garbage or be interrupted on demand. FAKE_MODE picks the fault;
# FAKE_RECORD, when set, receives the argv; FAKE_PIDS the pids it starts.
log=""
prev=""
for arg in "$@"; do
  [ "$prev" = "--log" ] && log="$arg"
  prev="$arg"
done
[ -n "${FAKE_RECORD:-}" ] && printf '%s\n' "$*" >> "$FAKE_RECORD"
case "${FAKE_MODE:-ok}" in
  ok) exit 0 ;;
  hang)
    # Ignores TERM, like a wedged runtime, and leaves a helper that does too.
    trap '' TERM
    sleep 1000 &
    [ -n "${FAKE_PIDS:-}" ] && echo "$$ $!" > "$FAKE_PIDS"
    wait
    ;;
  fail-json)
    printf '{"level":"info","msg":"starting"}\n{"level":"error","msg":"first problem"}\n{"msg":"container is on fire","level":"error","time":"now"}\n' >> "$log"
    echo "plain text that is not the message" >&2
    exit 1
    ;;
  fail-youki-json)
    printf '{"level":"ERROR","message":"container abc does not exist."}\n' >> "$log"
    exit 1
    ;;
  fail-message)
    # FAKE_MESSAGE as the runtime's own error, in its JSON log.
    printf '{"level":"error","msg":"%s"}\n' "$FAKE_MESSAGE" >> "$log"
    exit 1
    ;;
  fail-stderr)
    echo "cannot open directory '/run/x/abc': No such file or directory" >&2
    exit 3
    ;;
  garbage) echo "this is { not json" ;;
  state) printf '{\n  "ociVersion": "1.0.0",\n  "id": "abc",\n  "pid": 42,\n  "status": "running",\n  "bundle": "/b"\n}\n' ;;
esac
