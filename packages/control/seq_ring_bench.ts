// A push on a full ring costs the same whatever its capacity: it overwrites
// in place (no shift of every value, as an array queue would).
import { SeqRing } from "./seq_ring.ts";

for (const capacity of [1_000, 100_000]) {
  const ring = new SeqRing<number>(capacity);
  for (let i = 0; i < capacity; i++) ring.push(i);
  Deno.bench(`push on a full ring of ${capacity}`, { group: "push" }, () => {
    ring.push(1);
  });
}
