// deno-lint-ignore-file no-console
/**
 * The runtime conformance suite against a real youki, whenever one is found:
 * the binary named by $WEFT_YOUKI, else `youki` in PATH.
 *
 * youki cannot be installed on the machines this project is built and
 * tested on (not in Debian 12/13, not on npm), CI included. So this is the
 * one test allowed to be skipped there, and it says so loudly: a banner on
 * stderr and a test, marked ignored, whose name says it did NOT run. It
 * does not fail CI (unlike `requireBinary`, which throws when CI=true).
 * busybox, which every machine here has, is required as everywhere else:
 * missing, it fails CI, and elsewhere the test says it did NOT run.
 */
import { findBinary } from "@weft/runtime";
import { requireBinary, runConformance } from "@weft/runtime/testing";
import { YOUKI_BINARY_ENV, youkiPlugin, YoukiRuntime } from "@weft/youki";

const named = Deno.env.get(YOUKI_BINARY_ENV);
const youki = await findBinary(named ?? "youki");
// In CI a missing busybox throws here, failing the file instead of skipping it.
const busybox = await requireBinary("busybox");

if (youki === undefined) {
  const looked = named === undefined
    ? `no "youki" in PATH and ${YOUKI_BINARY_ENV} is not set`
    : `${YOUKI_BINARY_ENV}="${named}" is not an executable file`;
  console.error(
    [
      "",
      "!".repeat(78),
      "!!! youki conformance suite NOT RUN: no youki binary found",
      `!!! (${looked}).`,
      "!!! youki cannot be installed here (not in Debian, not on npm); the argv and",
      "!!! parsing tests of @weft/youki ran, the real-binary suite did not.",
      `!!! To run it: put youki in PATH or set ${YOUKI_BINARY_ENV}=/path/to/youki.`,
      "!".repeat(78),
      "",
    ].join("\n"),
  );
}

Deno.test({
  name: youki === undefined
    ? `youki conformance suite NOT RUN: no youki binary (set ${YOUKI_BINARY_ENV} or put youki in PATH)`
    : busybox === undefined
    ? "youki conformance suite NOT RUN: busybox is not installed"
    : "youki passes the runtime conformance suite",
  ignore: youki === undefined || busybox === undefined,
  async fn(t): Promise<void> {
    console.error(`youki conformance suite running against ${youki}`);
    await runConformance(t, {
      makeRuntime: (root) => new YoukiRuntime({ binary: youki, root }),
      idPrefix: "wip-youki-conf",
      plugin: youkiPlugin,
      pluginOptions: { binary: youki },
    });
  },
});
