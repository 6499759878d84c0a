/**
 * A group of system calls of a {@linkcode SeccompProfileData}: allowed, or
 * allowed only to a container holding `capability`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SECCOMP_PROFILE, type SeccompGroup } from "@weft/bundle";
 *
 * const mounts: SeccompGroup = DEFAULT_SECCOMP_PROFILE.allow.find((group) => group.name === "mounts and namespaces")!;
 * assert.equal(mounts.capability, "CAP_SYS_ADMIN");
 * ```
 */
export interface SeccompGroup {
  /** A short name, used in the README's table. */
  name: string;
  /** Why the group is allowed (or only with its capability), or why it is blocked. */
  why: string;
  /**
   * System call names; an architecture that lacks a name (e.g. `open` on
   * aarch64) leaves it out.
   */
  syscalls: readonly string[];
  /** Allowed only when the container's bounding set holds this capability. */
  capability?: string;
}

/**
 * A system call allowed only for some argument values, or turned into an
 * error of its own, unless the container holds `capability`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SECCOMP_PROFILE, type SeccompArgumentFilter } from "@weft/bundle";
 *
 * const clone3: SeccompArgumentFilter = DEFAULT_SECCOMP_PROFILE.filters.find((f) => f.syscall === "clone3")!;
 * assert.equal(clone3.errno, 38); // ENOSYS: libc falls back to clone, whose flags are checked
 * ```
 */
export interface SeccompArgumentFilter {
  /** The system call. */
  syscall: string;
  /** Why it is filtered. */
  why: string;
  /** With this capability the call is allowed whatever its arguments. */
  capability?: string;
  /** Allowed when argument `index` is one of `values`. */
  equals?: { index: number; values: readonly number[] };
  /** Allowed when argument `index` has none of the bits of `mask`. */
  maskClear?: { index: number; mask: number };
  /** Otherwise (or always, without `equals`/`maskClear`) fails with this errno. @default {the profile's} */
  errno?: number;
}

/**
 * A seccomp profile in this package's own format: an allowlist of groups,
 * argument filters, and the groups left blocked (documentation, checked by
 * the tests: none of their calls is allowed). {@linkcode defaultSeccomp}
 * turns it into an OCI `linux.seccomp` for one architecture.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SECCOMP_PROFILE, type SeccompProfileData } from "@weft/bundle";
 *
 * const profile: SeccompProfileData = DEFAULT_SECCOMP_PROFILE;
 * assert.equal(profile.defaultErrno, 1); // EPERM
 * ```
 */
export interface SeccompProfileData {
  /** The errno of every call the profile does not allow. */
  defaultErrno: number;
  /** Allowed groups (some only with a capability). */
  allow: readonly SeccompGroup[];
  /** Calls allowed only for some arguments. */
  filters: readonly SeccompArgumentFilter[];
  /** Groups no capability allows: only `seccomp: "unconfined"` or a user profile does. */
  block: readonly SeccompGroup[];
}

const EPERM = 1;
const ENOSYS = 38;

// Flags of clone(2) that create namespaces (linux/sched.h): CLONE_NEWNS,
// CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
// CLONE_NEWNET. CLONE_NEWTIME's bit is the exit signal's field in clone(2).
const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 |
  0x20000000 | 0x40000000;

// Address families (linux/socket.h): AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET.
const SOCKET_FAMILIES = [1, 2, 10, 16, 17];

// personality(2) values (linux/personality.h): PER_LINUX, PER_LINUX32,
// UNAME26, UNAME26 | PER_LINUX32, and 0xffffffff, which only reads it.
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

function list(text: string): readonly string[] {
  return text.trim().split(/\s+/);
}

/**
 * The default seccomp profile of generated containers, written for this
 * project (see the package README for the groups and why). Every call not
 * allowed fails with EPERM. Its effect matches the default profiles of
 * Docker and Podman, a little stricter: `ptrace`, `io_uring` and
 * `userfaultfd` are blocked, and sockets are limited to the families
 * containers use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SECCOMP_PROFILE } from "@weft/bundle";
 *
 * const blocked = DEFAULT_SECCOMP_PROFILE.block.flatMap((group) => group.syscalls);
 * assert.ok(blocked.includes("keyctl") && blocked.includes("io_uring_setup"));
 * ```
 */
export const DEFAULT_SECCOMP_PROFILE: SeccompProfileData = {
  defaultErrno: EPERM,
  allow: [
    {
      name: "process",
      why: "Running, waiting for and ending processes and threads; limits, own credentials " +
        "and sandboxing (seccomp, landlock) of the calling process.",
      syscalls: list(`
        execve execveat exit exit_group fork vfork wait4 waitid getpid getppid gettid getpgid
        getpgrp getsid setpgid setsid set_tid_address set_robust_list get_robust_list rseq
        restart_syscall arch_prctl prctl capget capset getcpu pidfd_open pidfd_send_signal kill
        tkill tgkill uname sysinfo getrusage times getrlimit setrlimit prlimit64 seccomp
        landlock_create_ruleset landlock_add_rule landlock_restrict_self lsm_get_self_attr
        lsm_list_modules uretprobe getrandom`),
    },
    {
      name: "identity",
      why: "User and group ids: the kernel lets only CAP_SETUID/CAP_SETGID change them.",
      syscalls: list(`
        getuid geteuid getgid getegid getresuid getresgid getgroups setuid setgid setreuid
        setregid setresuid setresgid setgroups setfsuid setfsgid`),
    },
    {
      name: "memory",
      why: "Mapping and locking the process's own memory (locking is bounded by RLIMIT_MEMLOCK).",
      syscalls: list(`
        brk mmap munmap mremap mprotect madvise msync mincore mlock mlock2 munlock mlockall
        munlockall membarrier memfd_create pkey_alloc pkey_free pkey_mprotect map_shadow_stack
        mseal remap_file_pages get_mempolicy`),
    },
    {
      name: "files",
      why: "Files, directories, pipes and extended attributes, all below the container's root.",
      syscalls: list(`
        read write readv writev pread64 pwrite64 preadv pwritev preadv2 pwritev2 open openat
        openat2 creat close close_range dup dup2 dup3 lseek fcntl ioctl flock fsync fdatasync
        sync syncfs sync_file_range fallocate ftruncate truncate readahead fadvise64 sendfile
        splice tee vmsplice copy_file_range cachestat stat lstat fstat newfstatat statx statfs
        fstatfs access faccessat faccessat2 getdents getdents64 getcwd chdir fchdir mkdir
        mkdirat rmdir unlink unlinkat rename renameat renameat2 link linkat symlink symlinkat
        readlink readlinkat chmod fchmod fchmodat fchmodat2 chown fchown lchown fchownat umask
        utime utimes utimensat futimesat mknod mknodat pipe pipe2 getxattr lgetxattr fgetxattr
        setxattr lsetxattr fsetxattr listxattr llistxattr flistxattr removexattr lremovexattr
        fremovexattr getxattrat setxattrat listxattrat removexattrat file_getattr file_setattr`),
    },
    {
      name: "events",
      why: "Waiting on descriptors, futexes, timers and file events; Linux AIO.",
      syscalls: list(`
        select pselect6 poll ppoll epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait
        epoll_pwait2 eventfd eventfd2 signalfd signalfd4 timerfd_create timerfd_settime
        timerfd_gettime inotify_init inotify_init1 inotify_add_watch inotify_rm_watch futex
        futex_waitv futex_wake futex_wait futex_requeue io_setup io_destroy io_submit io_cancel
        io_getevents io_pgetevents`),
    },
    {
      name: "signals and time",
      why: "Signals, reading clocks, sleeping and interval timers (setting clocks is blocked).",
      syscalls: list(`
        rt_sigaction rt_sigprocmask rt_sigreturn rt_sigsuspend rt_sigpending rt_sigtimedwait
        rt_sigqueueinfo rt_tgsigqueueinfo sigaltstack pause alarm clock_gettime clock_getres
        clock_nanosleep nanosleep gettimeofday time getitimer setitimer timer_create
        timer_settime timer_gettime timer_getoverrun timer_delete`),
    },
    {
      name: "scheduling",
      why: "Priorities and CPU affinity; the kernel lets only CAP_SYS_NICE raise a priority.",
      syscalls: list(`
        sched_yield sched_getaffinity sched_setaffinity sched_getparam sched_setparam
        sched_getscheduler sched_setscheduler sched_get_priority_max sched_get_priority_min
        sched_rr_get_interval sched_getattr sched_setattr getpriority setpriority ioprio_get
        ioprio_set`),
    },
    {
      name: "network",
      why: "Sockets once open (socket and socketpair are filtered by family), in the " +
        "container's own network namespace.",
      syscalls: list(`
        bind connect listen accept accept4 getsockname getpeername sendto recvfrom sendmsg
        recvmsg sendmmsg recvmmsg shutdown setsockopt getsockopt`),
    },
    {
      name: "ipc and host name",
      why: "System V IPC, POSIX message queues and the host name: each container has its own " +
        "IPC and UTS namespaces.",
      syscalls: list(`
        shmget shmat shmdt shmctl semget semop semtimedop semctl msgget msgsnd msgrcv msgctl
        mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr sethostname
        setdomainname`),
    },
    {
      name: "chroot",
      why: "Changing the root below the container's root, with the default CAP_SYS_CHROOT.",
      syscalls: ["chroot"],
      capability: "CAP_SYS_CHROOT",
    },
    {
      name: "mounts and namespaces",
      why: "Mounting, pivoting the root, quotas, swap, fanotify and entering or creating " +
        "namespaces reach the host's filesystems and the kernel's namespace code.",
      syscalls: list(`
        mount umount2 pivot_root unshare setns fsopen fsconfig fsmount fspick move_mount
        open_tree open_tree_attr mount_setattr statmount listmount quotactl quotactl_fd swapon
        swapoff fanotify_init fanotify_mark`),
      capability: "CAP_SYS_ADMIN",
    },
    {
      name: "BPF and perf",
      why: "Loading BPF programs and perf events reach the kernel's verifier and tracing code.",
      syscalls: list("bpf perf_event_open"),
      capability: "CAP_SYS_ADMIN",
    },
    {
      name: "tracing",
      why: "Reading and writing other processes (ptrace, process_vm_*, pidfd_getfd) and " +
        "userfaultfd, a common kernel exploit aid.",
      syscalls: list(`
        ptrace process_vm_readv process_vm_writev kcmp pidfd_getfd process_madvise
        process_mrelease userfaultfd`),
      capability: "CAP_SYS_PTRACE",
    },
    {
      name: "file handles",
      why: "Opening files by handle bypasses the mount's root (the 'shocker' escape).",
      syscalls: ["name_to_handle_at", "open_by_handle_at"],
      capability: "CAP_DAC_READ_SEARCH",
    },
    {
      name: "clocks",
      why: "The clocks are the host's: setting them changes the host's time.",
      syscalls: list("settimeofday clock_settime adjtimex clock_adjtime"),
      capability: "CAP_SYS_TIME",
    },
    {
      name: "NUMA policy",
      why: "Memory placement across NUMA nodes affects the host's other workloads.",
      syscalls: list("mbind set_mempolicy set_mempolicy_home_node migrate_pages move_pages"),
      capability: "CAP_SYS_NICE",
    },
    {
      name: "kernel modules",
      why: "Loading code into the host's kernel.",
      syscalls: list("init_module finit_module delete_module"),
      capability: "CAP_SYS_MODULE",
    },
    {
      name: "reboot",
      why: "Rebooting, or loading a new kernel to boot.",
      syscalls: list("reboot kexec_load kexec_file_load"),
      capability: "CAP_SYS_BOOT",
    },
    {
      name: "host log",
      why: "The kernel's log buffer is the host's.",
      syscalls: ["syslog"],
      capability: "CAP_SYSLOG",
    },
    {
      name: "accounting",
      why: "Process accounting is the host's.",
      syscalls: ["acct"],
      capability: "CAP_SYS_PACCT",
    },
    {
      name: "raw I/O",
      why: "I/O port access reaches the hardware.",
      syscalls: list("iopl ioperm"),
      capability: "CAP_SYS_RAWIO",
    },
    {
      name: "terminal hangup",
      why: "Hanging up the terminal reaches the session that holds it.",
      syscalls: ["vhangup"],
      capability: "CAP_SYS_TTY_CONFIG",
    },
  ],
  filters: [
    {
      syscall: "clone",
      why: "Creating threads and processes, but no namespaces: a new user namespace gives the " +
        "kernel's namespaced-capability code to an unprivileged process.",
      capability: "CAP_SYS_ADMIN",
      maskClear: { index: 0, mask: CLONE_NAMESPACE_FLAGS },
    },
    {
      syscall: "clone3",
      why: "Its flags are in memory, which seccomp cannot read: ENOSYS makes libc fall back to " +
        "clone, whose flags are checked.",
      capability: "CAP_SYS_ADMIN",
      errno: ENOSYS,
    },
    {
      syscall: "personality",
      why: "Only the Linux personas: others switch on READ_IMPLIES_EXEC or turn off address " +
        "space randomization.",
      equals: { index: 0, values: PERSONALITIES },
    },
    {
      syscall: "socket",
      why: "Unix, IPv4, IPv6, netlink and packet sockets; rarely used families (vsock, which " +
        "reaches a VM's host, AF_ALG, AF_KEY, TIPC, RDS, Bluetooth...) are where socket " +
        "exploits came from.",
      equals: { index: 0, values: SOCKET_FAMILIES },
    },
    {
      syscall: "socketpair",
      why: "Unix socket pairs only.",
      equals: { index: 0, values: [1] },
    },
  ],
  block: [
    {
      name: "keyring",
      why: "The kernel keyring is not namespaced: keys would be shared with the host.",
      syscalls: list("add_key request_key keyctl"),
    },
    {
      name: "io_uring",
      why: "Its operations run without passing through seccomp, and it has had many exploits.",
      syscalls: list("io_uring_setup io_uring_enter io_uring_register"),
    },
    {
      name: "obsolete and legacy",
      why: "Old interfaces no current program needs (16-bit segments, a.out libraries, " +
        "NFS server control, 32-bit TLS on x86_64, the ustat and sysfs calls).",
      syscalls: list(`
        modify_ldt uselib ustat sysfs _sysctl nfsservctl lookup_dcookie get_thread_area
        set_thread_area create_module get_kernel_syms query_module afs_syscall tuxcall
        security vserver getpmsg putpmsg epoll_ctl_old epoll_wait_old`),
    },
    {
      name: "other",
      why: "Secret memory areas and changing one's own LSM attributes: no container needs them.",
      syscalls: list("memfd_secret lsm_set_self_attr"),
    },
  ],
};
