import assert from "node:assert/strict";
import {
  ContainerSpecError,
  DEFAULT_PATH,
  type ImageConfig,
  mergeImageConfig,
  type ProcessSpec,
} from "./mod.ts";

const IMAGE = {
  entrypoint: ["/docker-entrypoint.sh"],
  cmd: ["nginx", "-g", "daemon off;"],
  env: ["PATH=/opt/bin:/bin", "NGINX_VERSION=1.25"],
  workingDir: "/srv",
  user: "nginx",
};

Deno.test("an image with an entrypoint only runs the entrypoint", () => {
  assert.deepEqual(mergeImageConfig({}, { entrypoint: ["/bin/app", "--serve"] }).args, [
    "/bin/app",
    "--serve",
  ]);
});

Deno.test("an image with a cmd only runs the cmd, and args replace it", () => {
  assert.deepEqual(mergeImageConfig({}, { cmd: ["sh"] }).args, ["sh"]);
  assert.deepEqual(mergeImageConfig({ args: ["echo", "hi"] }, { cmd: ["sh"] }).args, [
    "echo",
    "hi",
  ]);
});

Deno.test("an image with both runs entrypoint then cmd, and args replace only the cmd", () => {
  assert.deepEqual(mergeImageConfig({}, IMAGE).args, [
    "/docker-entrypoint.sh",
    "nginx",
    "-g",
    "daemon off;",
  ]);
  assert.deepEqual(mergeImageConfig({ args: ["sh"] }, IMAGE).args, ["/docker-entrypoint.sh", "sh"]);
});

Deno.test("an entrypoint override replaces the entrypoint and drops the image's cmd", () => {
  assert.deepEqual(mergeImageConfig({ entrypoint: ["top", "-b"] }, IMAGE).args, ["top", "-b"]);
  assert.deepEqual(mergeImageConfig({ entrypoint: ["ls"], args: ["-l", "/"] }, IMAGE).args, [
    "ls",
    "-l",
    "/",
  ]);
  assert.deepEqual(mergeImageConfig({ entrypoint: [], args: ["id"] }, IMAGE).args, ["id"]);
});

Deno.test("no command at all is refused naming process.args", () => {
  const cases: [ProcessSpec, ImageConfig][] = [[{}, {}], [{ entrypoint: [] }, IMAGE]];
  for (const [process, image] of cases) {
    assert.throws(() => mergeImageConfig(process, image, { path: "containers[1]" }), (error) => {
      assert.ok(error instanceof ContainerSpecError);
      assert.equal(error.field, "containers[1].process.args");
      return true;
    });
  }
});

Deno.test("env entries override the image's by name in place, and PATH is added when missing", () => {
  const merged = mergeImageConfig({ env: ["NGINX_VERSION=2", "MODE=prod"] }, IMAGE);
  assert.deepEqual(merged.env, ["PATH=/opt/bin:/bin", "NGINX_VERSION=2", "MODE=prod"]);
  assert.deepEqual(mergeImageConfig({ args: ["sh"] }).env, [DEFAULT_PATH]);
});

Deno.test("cwd and user come from the spec, else the image, else / and root", () => {
  assert.equal(mergeImageConfig({}, IMAGE).cwd, "/srv");
  assert.equal(mergeImageConfig({}, IMAGE).user, "nginx");
  assert.equal(mergeImageConfig({ cwd: "/tmp", user: "1:1" }, IMAGE).cwd, "/tmp");
  assert.equal(mergeImageConfig({ cwd: "/tmp", user: "1:1" }, IMAGE).user, "1:1");
  const bare = mergeImageConfig({ args: ["sh"] });
  assert.equal(bare.cwd, "/");
  assert.equal(bare.user, "0:0");
});
