import { registerRuntime } from "@weft/runtime";
import { runcPlugin } from "./plugin.ts";

// Importing the package is what makes "runc" selectable by name.
registerRuntime(runcPlugin);
