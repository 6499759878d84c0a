import assert from "node:assert/strict";
import type { DeleteOptions, KillOptions, Runtime } from "@weft/runtime";
import { requireBinary, runConformance } from "@weft/runtime/testing";
import { RuncRuntime } from "@weft/runc";

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

Deno.test({
  name: "the conformance suite fails exactly the checks a faulty runtime breaks",
  ignore: runc === undefined || busybox === undefined,
  async fn(): Promise<void> {
    const outcomes = new Map<string, boolean>();
    await runConformance(recordingContext(outcomes), {
      makeRuntime: (root): Runtime => new CarelessRunc({ root }),
      idPrefix: "crunrunc-self",
      parallel: 2,
    });
    const failed = [...outcomes].filter(([, ok]) => !ok).map(([name]) => name);
    assert.deepEqual(failed, [
      "kill with an unknown signal name is refused before the runtime runs",
      "kill, start and delete of an unknown id fail with ContainerNotFoundError",
    ]);
    assert.ok(outcomes.size >= 12, `only ${outcomes.size} checks ran`);
    assert.equal(
      outcomes.get("at the end the state root is empty and no container process is alive"),
      true,
    );
  },
});
