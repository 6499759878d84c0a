import assert from "node:assert/strict";
import type {
  CreateOptions,
  DeleteOptions,
  Detection,
  KillOptions,
  Runtime,
  RuntimePlugin,
  RuntimePluginOptions,
  Stdio,
} from "@weft/runtime";
import { requireBinary, runConformance } from "@weft/runtime/testing";
import { runcPlugin, RuncRuntime } from "@weft/runc";

const runc = await requireBinary("runc");
const busybox = await requireBinary("busybox");

/**
 * runc with two faults a careless plugin could have: it forwards an unknown
 * signal name instead of refusing it, and it reports success when deleting
 * an id that does not exist.
 */
class CarelessRunc extends RuncRuntime {
  override async kill(id: string, signal: string | number, options?: KillOptions): Promise<void> {
    if (signal === "BOGUS") return;
    await super.kill(id, signal, options);
  }
  override async delete(id: string, options?: DeleteOptions): Promise<void> {
    if ((await this.state(id)).status === "") return;
    await super.delete(id, options);
  }
}

/**
 * A hand-written runc plugin as a careless author could write it: its create
 * without container stdio runs runc itself, with a plain Deno.Command that
 * ignores `timeout` and `signal` and is not tracked for a PID-1 reaper; its
 * detect throws when the binary is missing. Everything else is runc's.
 */
class HandWrittenRunc extends RuncRuntime {
  readonly #root: string;
  constructor(root: string) {
    super({ root });
    this.#root = root;
  }
  override async create(
    id: string,
    bundleDir: string,
    stdio: Stdio = {},
    options: CreateOptions = {},
  ): Promise<void> {
    if (Object.keys(stdio).length > 0) return await super.create(id, bundleDir, stdio, options);
    const args = ["--root", this.#root, "create", "--bundle", bundleDir, id];
    await new Deno.Command("runc", { args, stdin: "null", stdout: "null", stderr: "null" })
      .output();
  }
}

const handWrittenPlugin: RuntimePlugin = {
  name: "hand-written-runc",
  apiVersion: 1,
  create: (options: RuntimePluginOptions = {}) => new HandWrittenRunc(String(options.root)),
  async detect(options: RuntimePluginOptions = {}): Promise<Detection> {
    const binary = String(options.binary ?? runc);
    await Deno.stat(binary); // throws for a missing binary
    return { available: true, binary };
  },
};

/** A TestContext that records each step's outcome instead of reporting it. */
function recordingContext(outcomes: Map<string, boolean>): Deno.TestContext {
  const context = {
    async step(definition: Deno.TestStepDefinition): Promise<boolean> {
      try {
        await definition.fn(context as unknown as Deno.TestContext);
        outcomes.set(definition.name, true);
      } catch {
        outcomes.set(definition.name, false);
      }
      return outcomes.get(definition.name)!;
    },
  };
  return context as unknown as Deno.TestContext;
}

/**
 * Runs the suite on `plugin`'s runtime (made by `makeRuntime`), checks that
 * the suite still ends clean, and returns the names of the checks that failed.
 */
async function failedChecks(
  makeRuntime: (root: string) => Runtime,
  plugin: RuntimePlugin,
  idPrefix: string,
): Promise<{ failed: string[]; ran: number }> {
  const outcomes = new Map<string, boolean>();
  await runConformance(recordingContext(outcomes), { makeRuntime, idPrefix, parallel: 2, plugin });
  assert.equal(
    outcomes.get("at the end the state root is empty and no container process is alive"),
    true,
  );
  return {
    failed: [...outcomes].filter(([, ok]) => !ok).map(([name]) => name),
    ran: outcomes.size,
  };
}

Deno.test({
  name: "the conformance suite fails exactly the checks a faulty runtime breaks",
  ignore: runc === undefined || busybox === undefined,
  async fn(): Promise<void> {
    const { failed, ran } = await failedChecks(
      (root) => new CarelessRunc({ root }),
      runcPlugin,
      "crunrunc-self",
    );
    assert.deepEqual(failed, [
      "kill with an unknown signal name is refused before the runtime runs",
      "kill, start and delete of an unknown id fail with ContainerNotFoundError",
    ]);
    assert.ok(ran >= 16, `only ${ran} checks ran`);
  },
});

Deno.test({
  name:
    "the conformance suite fails a plugin that ignores timeouts and aborts, tracks nothing and throws in detect",
  ignore: runc === undefined || busybox === undefined,
  async fn(): Promise<void> {
    const { failed } = await failedChecks(
      (root) => handWrittenPlugin.create({ root }),
      handWrittenPlugin,
      "crunrunc-self-hand",
    );
    assert.deepEqual(failed, [
      "a call past its timeout rejects with RuntimeTimeoutError and ends the runtime and what it forked",
      "an aborted call rejects with RuntimeAbortError and ends the runtime and what it forked",
      "the runtime processes a call spawns are tracked for a PID-1 reaper (trackChildProcess)",
      "detect finds the binary, and reports a missing one as unavailable without throwing",
    ]);
  },
});
