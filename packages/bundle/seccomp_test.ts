import assert from "node:assert/strict";
import { AARCH64_SYSCALLS, KNOWN_SYSCALLS, X86_64_SYSCALLS } from "./_syscall_tables.ts";
import { configSchemaErrors } from "./_oci_schema_test_utils.ts";
import {
  ContainerSpecError,
  DEFAULT_CAPABILITIES,
  DEFAULT_SECCOMP_PROFILE,
  defaultSeccomp,
  type OciSeccomp,
  parseSeccompProfile,
  readSeccompProfile,
} from "./mod.ts";

const profile = DEFAULT_SECCOMP_PROFILE;

function allowedNames(seccomp: OciSeccomp): string[] {
  return seccomp.syscalls!.filter((rule) => rule.action === "SCMP_ACT_ALLOW" && !rule.args)
    .flatMap((rule) => rule.names);
}

Deno.test("every name of the default profile is a system call of x86_64 or aarch64", () => {
  const both = new Set([...X86_64_SYSCALLS, ...AARCH64_SYSCALLS]);
  const names = [
    ...profile.allow.flatMap((group) => group.syscalls),
    ...profile.block.flatMap((group) => group.syscalls),
    ...profile.filters.map((filter) => filter.syscall),
  ];
  assert.deepEqual(names.filter((name) => !both.has(name)), []);
  assert.equal(new Set(names).size, names.length, "a name appears in two places");
});

Deno.test("the default profile accounts for every system call of both architectures", () => {
  const listed = new Set([
    ...profile.allow.flatMap((group) => group.syscalls),
    ...profile.block.flatMap((group) => group.syscalls),
    ...profile.filters.map((filter) => filter.syscall),
  ]);
  // Anything new in the kernel tables must be decided on, not left out by accident.
  const undecided = [...new Set([...X86_64_SYSCALLS, ...AARCH64_SYSCALLS])]
    .filter((name) => !listed.has(name));
  assert.deepEqual(undecided, []);
});

for (const arch of ["x86_64", "aarch64"] as const) {
  Deno.test(`the ${arch} filter allows ordinary calls and blocks the blocked groups`, async () => {
    const seccomp = defaultSeccomp({ arch, capabilities: DEFAULT_CAPABILITIES });
    const table = new Set(arch === "x86_64" ? X86_64_SYSCALLS : AARCH64_SYSCALLS);
    const allowed = allowedNames(seccomp);
    assert.deepEqual(allowed.filter((name) => !table.has(name)), []);
    for (const name of ["read", "openat", "execve", "futex", "rt_sigreturn", "exit_group"]) {
      assert.ok(allowed.includes(name), name);
    }
    assert.equal(allowed.includes("open"), arch === "x86_64");
    assert.equal(allowed.includes("chroot"), true); // CAP_SYS_CHROOT is a default capability.
    const gated = profile.allow.filter((group) =>
      group.capability !== undefined && !DEFAULT_CAPABILITIES.includes(group.capability)
    );
    for (const name of [...profile.block, ...gated].flatMap((group) => group.syscalls)) {
      assert.ok(!seccomp.syscalls!.some((rule) => rule.names.includes(name)), name);
    }
    assert.deepEqual(seccomp.architectures, [
      arch === "x86_64" ? "SCMP_ARCH_X86_64" : "SCMP_ARCH_AARCH64",
    ]);
    assert.equal(seccomp.defaultErrnoRet, 1);
    const config = {
      ociVersion: "1.0.2",
      root: { path: "/srv/rootfs" },
      linux: { seccomp },
    };
    assert.deepEqual(await configSchemaErrors(config), []);
  });
}

Deno.test("clone is allowed without namespace flags, clone3 fails with ENOSYS", () => {
  const rules = defaultSeccomp({ arch: "x86_64" }).syscalls!;
  const clone = rules.filter((rule) => rule.names.includes("clone"));
  assert.deepEqual(clone, [{
    names: ["clone"],
    action: "SCMP_ACT_ALLOW",
    args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }],
  }]);
  assert.deepEqual(rules.filter((rule) => rule.names.includes("clone3")), [
    { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38 },
  ]);
  // One rule per allowed family, so that runtimes read them as alternatives.
  const families = rules.filter((rule) => rule.names.includes("socket"))
    .map((rule) => rule.args![0].value);
  assert.deepEqual(families, [1, 2, 10, 16, 17]);
});

Deno.test("a capability lifts its group and its argument filters", () => {
  const admin = defaultSeccomp({ arch: "aarch64", capabilities: ["CAP_SYS_ADMIN"] });
  const allowed = allowedNames(admin);
  for (const name of ["mount", "unshare", "setns", "clone", "clone3"]) {
    assert.ok(allowed.includes(name), name);
  }
  assert.ok(!admin.syscalls!.some((rule) => rule.args && rule.names.includes("clone")));
  assert.ok(!allowed.includes("keyctl"));
  assert.ok(!allowed.includes("chroot")); // CAP_SYS_CHROOT was not given.
});

Deno.test("user profiles: fields, enums and system call names are checked with their path", () => {
  const good = {
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: 1,
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
    flags: ["SECCOMP_FILTER_FLAG_LOG"],
    syscalls: [
      { names: ["read", "_llseek", "socketcall"], action: "SCMP_ACT_ALLOW" },
      {
        names: ["personality"],
        action: "SCMP_ACT_ALLOW",
        args: [{ index: 0, value: 8, valueTwo: 0, op: "SCMP_CMP_EQ" }],
      },
      { names: ["keyctl"], action: "SCMP_ACT_ERRNO", errnoRet: 38 },
    ],
  };
  assert.deepEqual(parseSeccompProfile(good), good);
  const bad: [unknown, string, RegExp][] = [
    [{}, "p.defaultAction", /one of SCMP_ACT_KILL/],
    [{ ...good, architectures: ["x86_64"] }, "p.architectures[0]", /SCMP_ARCH_X86_64/],
    [{ ...good, archMap: [] }, "p.archMap", /no such field/],
    [
      { ...good, syscalls: [{ names: ["reed"], action: "SCMP_ACT_ALLOW" }] },
      "p.syscalls[0].names[0]",
      /system call/,
    ],
    [
      { ...good, syscalls: [{ names: [], action: "SCMP_ACT_ALLOW" }] },
      "p.syscalls[0].names",
      /at least one/,
    ],
    [
      {
        ...good,
        syscalls: [{
          names: ["read"],
          action: "SCMP_ACT_ALLOW",
          args: [{ index: 6, value: 0, op: "SCMP_CMP_EQ" }],
        }],
      },
      "p.syscalls[0].args[0].index",
      /from 0 to 5/,
    ],
    [{ defaultAction: "SCMP_ACT_NOTIFY" }, "p.listenerPath", /SCMP_ACT_NOTIFY needs it/],
  ];
  for (const [input, field, expected] of bad) {
    assert.throws(() => parseSeccompProfile(input, "p"), (error) => {
      assert.ok(error instanceof ContainerSpecError, String(error));
      assert.equal(error.field, field);
      assert.match(error.message, expected);
      return true;
    });
  }
  assert.ok(KNOWN_SYSCALLS.has("s390_pci_mmio_read"));
});

Deno.test("a profile file that is not a regular file is refused, not read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/profile.json`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.equal(made.code, 0);
    // Reading the FIFO would block until a writer came.
    for (const file of [fifo, dir, "/dev/zero"]) {
      await assert.rejects(readSeccompProfile(file, "seccomp"), (error) => {
        assert.ok(error instanceof ContainerSpecError, String(error));
        assert.equal(error.field, "seccomp");
        assert.match(error.message, /expected a regular file, got /);
        return true;
      });
    }
    const big = `${dir}/big.json`;
    await Deno.writeTextFile(big, `{"defaultAction": "SCMP_ACT_ALLOW"${" ".repeat(1 << 20)}}`);
    await assert.rejects(
      readSeccompProfile(big, "seccomp"),
      /larger than the 1048576 bytes an OCI linux\.seccomp profile file may have/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the README's tables document every group and filter of the default profile", async () => {
  const readme = await Deno.readTextFile(new URL("./README.md", import.meta.url));
  const rows = readme.split("\n").filter((line) => line.startsWith("| "));
  const cells = (line: string) => line.split("|").slice(1, -1).map((cell) => cell.trim());
  for (const group of [...profile.allow, ...profile.block]) {
    const row = rows.map(cells).find((row) => row[0] === group.name);
    assert.ok(row, `no README row for the group "${group.name}"`);
    const decision = row[2];
    if (profile.block.includes(group)) assert.equal(decision, "blocked", group.name);
    else if (group.capability === undefined) assert.equal(decision, "allowed", group.name);
    else assert.ok(decision.startsWith(`with ${group.capability}`), group.name);
    for (const example of row[1].match(/`([a-z0-9_]+)`/g) ?? []) {
      assert.ok(group.syscalls.includes(example.slice(1, -1)), `${group.name}: ${example}`);
    }
  }
  for (const filter of profile.filters) {
    assert.ok(rows.some((row) => cells(row)[0] === `\`${filter.syscall}\``), filter.syscall);
  }
});

const RESOLVER = {
  seccomp_syscall_resolve_name_arch: { parameters: ["u32", "buffer"], result: "i32" },
} as const;

function loadLibseccomp(): Deno.DynamicLibrary<typeof RESOLVER> | undefined {
  try {
    return Deno.dlopen("libseccomp.so.2", RESOLVER);
  } catch (error) {
    // crun and runc link it: where they are installed, so is it.
    if (Deno.env.get("CI") === "true") throw error;
    // deno-lint-ignore no-console
    console.error(`\n!!! SKIPPED: libseccomp.so.2 cannot be loaded: ${error} !!!\n`);
    return undefined;
  }
}

Deno.test("the system call tables agree with libseccomp, the library crun and runc filter with", () => {
  const lib = loadLibseccomp();
  if (lib === undefined) return;
  try {
    const cString = (name: string) => new TextEncoder().encode(`${name}\0`);
    // AUDIT_ARCH_* values, which libseccomp takes as architecture tokens.
    const arches = [[0xc000003e, X86_64_SYSCALLS], [0xc00000b7, AARCH64_SYSCALLS]] as const;
    for (const [token, table] of arches) {
      const resolve = (name: string): number =>
        lib.symbols.seccomp_syscall_resolve_name_arch(token, cString(name));
      // -1: newer than this libseccomp; below -1: a name of other architectures only.
      assert.deepEqual(table.filter((name) => resolve(name) < -1), [], token.toString(16));
      const missing: string[] = [...KNOWN_SYSCALLS].filter((name) =>
        !table.includes(name) && resolve(name) >= 0
      );
      assert.deepEqual(missing, [], token.toString(16));
      assert.ok(table.filter((name) => resolve(name) >= 0).length > 300);
    }
  } finally {
    lib.close();
  }
});
