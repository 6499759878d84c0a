import assert from "node:assert/strict";
import { enableCgroupControllers } from "./cgroup_controllers.ts";

Deno.test({
  name: "controllers the parent offers get enabled for a cgroup's children",
  fn(): void {
    assert.equal(
      Deno.statSync("/sys/fs/cgroup/cgroup.subtree_control").isFile,
      true,
      "needs cgroup2 on /sys/fs/cgroup: run through scripts/in_cgroup2_ns.sh (deno task test)",
    );
    const offered = Deno.readTextFileSync("/sys/fs/cgroup/cgroup.subtree_control").trim().split(
      /\s+/,
    )
      .filter((c) => c !== "");
    const dir = `/sys/fs/cgroup/wip-reaper-${crypto.randomUUID().slice(0, 8)}`;
    Deno.mkdirSync(dir);
    try {
      assert.equal(Deno.readTextFileSync(`${dir}/cgroup.subtree_control`).trim(), "");
      const enabled = enableCgroupControllers(dir);
      assert.deepEqual(enabled.sort(), [...offered].sort());
      // A controller that does not exist is logged and skipped, not thrown.
      assert.deepEqual(
        enableCgroupControllers(dir, { controllers: ["nonexistent"] }).sort(),
        enabled,
      );
    } finally {
      Deno.removeSync(dir);
    }
  },
});
