import { writeBundle } from "./mod.ts";
const spec = JSON.parse(Deno.args[0]);
const b = await writeBundle(Deno.args[1], spec, { id: "weftx" });
console.log(b.dir);
