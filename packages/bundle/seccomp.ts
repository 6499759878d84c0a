import { AARCH64_SYSCALLS, X86_64_SYSCALLS } from "./_syscall_tables.ts";
import type { OciSeccomp, OciSeccompSyscall } from "./oci_config.ts";
import { DEFAULT_SECCOMP_PROFILE, type SeccompProfileData } from "./seccomp_profile.ts";

/**
 * The architectures {@linkcode defaultSeccomp} writes a profile for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SeccompArch } from "@weft/bundle";
 *
 * const arch: SeccompArch = Deno.build.arch;
 * assert.ok(arch === "x86_64" || arch === "aarch64");
 * ```
 */
export type SeccompArch = "x86_64" | "aarch64";

/**
 * Options of {@linkcode defaultSeccomp}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultSeccomp, type DefaultSeccompOptions } from "@weft/bundle";
 *
 * const options: DefaultSeccompOptions = { arch: "x86_64", capabilities: ["CAP_SYS_ADMIN"] };
 * const names = defaultSeccomp(options).syscalls!.flatMap((rule) => rule.names);
 * assert.ok(names.includes("mount"));
 * ```
 */
export interface DefaultSeccompOptions {
  /** The architecture whose system call table applies. @default {Deno.build.arch} */
  arch?: SeccompArch;
  /**
   * The container's bounding capabilities: groups and filters that name a
   * capability are lifted when it is here.
   * @default {[] (none of the capability-gated groups)}
   */
  capabilities?: readonly string[];
  /** The profile to convert. @default {DEFAULT_SECCOMP_PROFILE} */
  profile?: SeccompProfileData;
}

const TABLES: Record<SeccompArch, { arch: string; names: ReadonlySet<string> }> = {
  "x86_64": { arch: "SCMP_ARCH_X86_64", names: new Set(X86_64_SYSCALLS) },
  aarch64: { arch: "SCMP_ARCH_AARCH64", names: new Set(AARCH64_SYSCALLS) },
};

/**
 * Converts a seccomp profile of this package's format (by default
 * {@linkcode DEFAULT_SECCOMP_PROFILE}) into the OCI `linux.seccomp` of one
 * architecture: every call not allowed fails with the profile's errno; names
 * the architecture lacks are left out; only the native ABI is accepted
 * (32-bit compat calls fail). Each filtered value gets a rule of its own, so
 * that runtimes read the values as alternatives.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultSeccomp } from "@weft/bundle";
 *
 * const seccomp = defaultSeccomp({ arch: "x86_64" });
 * assert.equal(seccomp.defaultAction, "SCMP_ACT_ERRNO");
 * assert.equal(seccomp.defaultErrnoRet, 1); // EPERM
 * const allowed = seccomp.syscalls!.filter((rule) => !rule.args).flatMap((rule) => rule.names);
 * assert.ok(allowed.includes("read") && !allowed.includes("keyctl"));
 * ```
 */
export function defaultSeccomp(options: DefaultSeccompOptions = {}): OciSeccomp {
  const profile = options.profile ?? DEFAULT_SECCOMP_PROFILE;
  const table = TABLES[options.arch ?? Deno.build.arch as SeccompArch];
  if (table === undefined) {
    throw new RangeError(`No seccomp profile for architecture "${options.arch}"`);
  }
  const held = new Set(options.capabilities ?? []);
  const granted = (capability?: string) => capability === undefined || held.has(capability);
  const allowed = new Set(
    profile.allow.filter((group) => granted(group.capability)).flatMap((group) => group.syscalls),
  );
  const rules: OciSeccompSyscall[] = [];
  for (const filter of profile.filters) {
    if (!table.names.has(filter.syscall)) continue;
    if (filter.capability !== undefined && held.has(filter.capability)) {
      allowed.add(filter.syscall);
      continue;
    }
    const names = [filter.syscall];
    if (filter.equals !== undefined) {
      const { index, values } = filter.equals;
      for (const value of values) {
        rules.push({
          names,
          action: "SCMP_ACT_ALLOW",
          args: [{ index, value, op: "SCMP_CMP_EQ" }],
        });
      }
    }
    if (filter.maskClear !== undefined) {
      const { index, mask } = filter.maskClear;
      rules.push({
        names,
        action: "SCMP_ACT_ALLOW",
        args: [{ index, value: mask, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }],
      });
    }
    if (filter.errno !== undefined && filter.errno !== profile.defaultErrno) {
      rules.push({ names, action: "SCMP_ACT_ERRNO", errnoRet: filter.errno });
    }
  }
  const names = [...allowed].filter((name) => table.names.has(name)).sort();
  return {
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: profile.defaultErrno,
    architectures: [table.arch],
    syscalls: [{ names, action: "SCMP_ACT_ALLOW" }, ...rules],
  };
}
