// Marks along weft-init's start path, for the per-phase profile that
// tests/init_benchmark.ts prints. Off, and nearly free (one comparison per
// mark), unless the environment variable WEFT_INIT_PROFILE names a file:
// then each mark is kept in memory with performance.now(), and the file is
// written once, when the process ends ("unload", which Deno.exit dispatches).

/** The environment variable that names the profile file. */
export const PROFILE_VARIABLE = "WEFT_INIT_PROFILE";

/** One mark: ms since `performance.timeOrigin`, the phase just ended, and its container if any. */
export type ProfileMark = [at: number, phase: string, container?: string];

/** The profile file's content. */
export interface Profile {
  /** `performance.timeOrigin` of the init (ms since the epoch). */
  timeOrigin: number;
  /** Every mark, in order. */
  marks: ProfileMark[];
}

const file = profileFile();
const marks: ProfileMark[] | undefined = file === undefined ? undefined : [];
if (file !== undefined) {
  globalThis.addEventListener("unload", () => {
    const profile: Profile = { timeOrigin: performance.timeOrigin, marks: marks! };
    Deno.writeTextFileSync(file, JSON.stringify(profile));
  });
}

function profileFile(): string | undefined {
  // Queried first: a library user without env permission must get no prompt.
  const query = { name: "env", variable: PROFILE_VARIABLE } as const;
  if (Deno.permissions.querySync(query).state !== "granted") return undefined;
  return Deno.env.get(PROFILE_VARIABLE) || undefined;
}

/** Records that `phase` (of `container`, if given) has just ended. */
export function mark(phase: string, container?: string): void {
  if (marks === undefined) return;
  marks.push(
    container === undefined ? [performance.now(), phase] : [
      performance.now(),
      phase,
      container,
    ],
  );
}
