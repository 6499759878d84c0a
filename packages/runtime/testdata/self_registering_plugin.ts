// A plugin module as a runtime package writes it: importing it registers it.
import { registerRuntime, type Runtime } from "../mod.ts";

registerRuntime({
  name: "self-registering",
  apiVersion: 1,
  create(): Runtime {
    throw new Error("not a real runtime");
  },
  detect: () => Promise.resolve({ available: false, reason: "a test plugin" }),
});
