# Sourced by the scripts: makes `deno` (pinned) and the system packages the
# tests and the demo need available, installing whatever is missing.
set -euo pipefail
WEFT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DENO_VERSION=2.9.6

ensure_deno() {
  if command -v deno >/dev/null 2>&1 && deno --version | grep -q "^deno $DENO_VERSION "; then
    return
  fi
  local local_bin="$WEFT_ROOT/.tools/node_modules/.bin"
  if [ ! -x "$local_bin/deno" ]; then
    echo "Installing deno $DENO_VERSION from npm into .tools/" >&2
    npm install --prefix "$WEFT_ROOT/.tools" --no-audit --no-fund --loglevel=error "deno@$DENO_VERSION" >&2
  fi
  export PATH="$local_bin:$PATH"
}

# ensure_packages CMD:PACKAGE... installs the Debian package of each missing
# command (or file, when CMD is an absolute path).
ensure_packages() {
  local missing=() pair need
  for pair in "$@"; do
    need=${pair%%:*}
    if [[ $need == /* ]]; then
      [ -e "$need" ] || missing+=("${pair#*:}")
    else
      command -v "$need" >/dev/null 2>&1 || missing+=("${pair#*:}")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "Installing ${missing[*]} with apt-get" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_deno
# qemu, cpio and mke2fs: weft-vm and the micro-VM tests (tests/vm_boot_test.ts,
# tests/weft_vm_test.ts); the kernel is fetched on first use into .tools/vm/
# with apt-get download, not installed. xz, zstd and gzip decompress kernel
# modules shipped compressed (packages/vm/kernel_modules_test.ts uses all three).
ensure_packages crun:crun runc:runc busybox:busybox-static unshare:util-linux \
  qemu-system-x86_64:qemu-system-x86 cpio:cpio xz:xz-utils zstd:zstd gzip:gzip \
  mke2fs:e2fsprogs
# gcc and the static libc: tests/bundle_security_test.ts builds its seccomp probe.
ensure_packages gcc:gcc /usr/include/stdio.h:libc6-dev
export NO_COLOR=1
cd "$WEFT_ROOT"
