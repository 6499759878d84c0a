import { registerRuntime } from "@weft/runtime";
import { youkiPlugin } from "./plugin.ts";

// Importing the package is what makes "youki" selectable by name.
registerRuntime(youkiPlugin);
