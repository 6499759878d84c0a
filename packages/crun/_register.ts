import { registerRuntime } from "@weft/runtime";
import { crunPlugin } from "./plugin.ts";

// Importing the package is what makes "crun" selectable by name.
registerRuntime(crunPlugin);
