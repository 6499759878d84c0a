// The enums of runtime-spec v1.2.1 (schema/defs-linux.json).
export const SECCOMP_ACTIONS: readonly string[] = [
  "SCMP_ACT_KILL",
  "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD",
  "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE",
  "SCMP_ACT_ALLOW",
  "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY",
];
export const SECCOMP_ARCHES: readonly string[] = [
  "X86",
  "X86_64",
  "X32",
  "ARM",
  "AARCH64",
  "LOONGARCH64",
  "M68K",
  "MIPS",
  "MIPS64",
  "MIPS64N32",
  "MIPSEL",
  "MIPSEL64",
  "MIPSEL64N32",
  "PPC",
  "PPC64",
  "PPC64LE",
  "S390",
  "S390X",
  "PARISC",
  "PARISC64",
  "RISCV64",
].map((arch) => `SCMP_ARCH_${arch}`);
export const SECCOMP_FLAGS: readonly string[] = ["TSYNC", "LOG", "SPEC_ALLOW", "WAIT_KILLABLE_RECV"]
  .map((flag) => `SECCOMP_FILTER_FLAG_${flag}`);
export const SECCOMP_OPS: readonly string[] = ["NE", "LT", "LE", "EQ", "GE", "GT", "MASKED_EQ"].map(
  (op) => `SCMP_CMP_${op}`,
);
