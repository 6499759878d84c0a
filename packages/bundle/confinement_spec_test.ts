// The spec's confinement fields: rlimits, userNamespace and seccomp, parsed
// with their JSON paths and turned into a config that validates.
import assert from "node:assert/strict";
import { configSchemaErrors } from "./_oci_schema_test_utils.ts";
import { ContainerSpecError, generateConfig, parseContainerSpec } from "./mod.ts";

function refused(input: Record<string, unknown>, field: string, expected: RegExp): void {
  assert.throws(
    () => parseContainerSpec({ rootfs: "/srv/r", ...input }, { path: "c[0]" }),
    (error) => {
      assert.ok(error instanceof ContainerSpecError, String(error));
      assert.equal(error.field, field);
      assert.match(error.expected, expected);
      return true;
    },
  );
}

Deno.test("rlimits take names with or without RLIMIT_, a number or soft and hard", () => {
  const spec = parseContainerSpec({
    rootfs: "/srv/r",
    rlimits: { nofile: { soft: 10, hard: 20 }, RLIMIT_CORE: 0 },
  });
  assert.deepEqual(spec.rlimits, { nofile: { soft: 10, hard: 20 }, core: { soft: 0, hard: 0 } });
  refused(
    { rlimits: { nofile: { soft: 30, hard: 20 } } },
    "c[0].rlimits.nofile.soft",
    /at most the hard limit 20/,
  );
  refused({ rlimits: { files: 1 } }, "c[0].rlimits.files", /resource limit name/);
  refused({ rlimits: { Nofile: 1 } }, "c[0].rlimits.Nofile", /resource limit name/);
  refused({ rlimits: { nofile: 1, RLIMIT_NOFILE: 2 } }, "c[0].rlimits.RLIMIT_NOFILE", /given once/);
  refused({ rlimits: { nofile: -1 } }, "c[0].rlimits.nofile", /integer/);
  refused({ rlimits: { nofile: { soft: 1 } } }, "c[0].rlimits.nofile.hard", /integer/);
  refused({ rlimits: [] }, "c[0].rlimits", /limits by name/);
});

Deno.test("user namespace ranges are checked: shape, overlaps on each side, id 0 mapped", () => {
  const range = { containerId: 0, hostId: 100000, size: 65536 };
  const spec = parseContainerSpec({ rootfs: "/srv/r", userNamespace: { uidMappings: [range] } });
  assert.deepEqual(spec.userNamespace, { uidMappings: [range] });
  const path = "c[0].userNamespace";
  refused({ userNamespace: {} }, `${path}.uidMappings`, /array of 1 to 340/);
  refused(
    { userNamespace: { uidMappings: [{ ...range, size: 0 }] } },
    `${path}.uidMappings[0].size`,
    /integer from 1/,
  );
  refused(
    { userNamespace: { uidMappings: [{ ...range, hostId: 4294967290 }] } },
    `${path}.uidMappings[0].size`,
    /at most 5/,
  );
  refused(
    { userNamespace: { uidMappings: [range, { containerId: 100, hostId: 300000, size: 1 }] } },
    `${path}.uidMappings[1].containerId`,
    /overlaps no other: .*\[0\] already maps containerId 0-65535/,
  );
  refused(
    {
      userNamespace: {
        uidMappings: [range],
        gidMappings: [{ containerId: 5, hostId: 1, size: 1 }],
      },
    },
    `${path}.gidMappings`,
    /holding id 0/,
  );
  refused({ userNamespace: { uidMappings: [range] }, privileged: true }, path, /privileged/);
  refused({ userNamespace: { uidMappings: [range] }, pod: { pid: 1 } }, path, /pod's namespaces/);
});

Deno.test("seccomp takes default, unconfined, an absolute path or a profile", () => {
  for (const seccomp of ["default", "unconfined", "/etc/weft/seccomp.json"]) {
    assert.equal(parseContainerSpec({ rootfs: "/srv/r", seccomp }).seccomp, seccomp);
  }
  refused(
    { seccomp: "seccomp.json" },
    "c[0].seccomp",
    /"default", "unconfined", the absolute path/,
  );
  refused({ seccomp: { defaultAction: "ALLOW" } }, "c[0].seccomp.defaultAction", /SCMP_ACT_ALLOW/);
});

Deno.test("a config with every confinement field validates against the runtime-spec schema", async () => {
  const rootfs = await Deno.makeTempDir();
  try {
    await Deno.chmod(rootfs, 0o755);
    for (const dir of ["proc", "dev", "sys"]) await Deno.mkdir(`${rootfs}/${dir}`);
    const config = await generateConfig({
      rootfs,
      process: { args: ["sh"] },
      rlimits: { nofile: 100, core: { soft: 0, hard: 0 } },
      userNamespace: { uidMappings: [{ containerId: 0, hostId: 100000, size: 1 }] },
      seccomp: { defaultAction: "SCMP_ACT_LOG" },
    });
    assert.deepEqual(await configSchemaErrors(config), []);
    assert.deepEqual(config.linux.uidMappings, [{ containerID: 0, hostID: 100000, size: 1 }]);
    assert.deepEqual(config.linux.gidMappings, config.linux.uidMappings);
    assert.ok(config.linux.namespaces.some((namespace) => namespace.type === "user"));
    assert.deepEqual(config.linux.seccomp, { defaultAction: "SCMP_ACT_LOG" });
    assert.deepEqual(config.process.rlimits?.map((limit) => limit.type), [
      "RLIMIT_NOFILE",
      "RLIMIT_CORE",
    ]);
    // gid 5 (tty) is not mapped: devpts must not ask for it.
    const devpts = config.mounts.find((mount) => mount.type === "devpts");
    assert.ok(devpts && !devpts.options?.includes("gid=5"));

    const plain = await generateConfig({ rootfs, process: { args: ["sh"] } });
    assert.deepEqual(await configSchemaErrors(plain), []);
    assert.equal(plain.linux.seccomp?.defaultAction, "SCMP_ACT_ERRNO");
    assert.equal(plain.process.rlimits?.[0].type, "RLIMIT_NOFILE");
    assert.equal(plain.process.rlimits?.[0].soft, 1024);
    const privileged = await generateConfig({
      rootfs,
      privileged: true,
      process: { args: ["sh"] },
    });
    assert.equal(privileged.linux.seccomp, undefined);
    const explicit = await generateConfig({
      rootfs,
      privileged: true,
      seccomp: "default",
      process: { args: ["sh"] },
    });
    assert.equal(explicit.linux.seccomp?.defaultAction, "SCMP_ACT_ERRNO");
  } finally {
    await Deno.remove(rootfs, { recursive: true });
  }
});
