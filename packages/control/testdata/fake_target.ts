import type { ContainerPhase, PodEvent, PodStatus } from "../pod_types.ts";
import type { ExecOptions, ExecResult, Runtime } from "@weft/runtime";
import type { ControlTarget } from "../protocol.ts";

/** A ControlTarget whose containers are records in memory; every call is recorded. */
export class FakeTarget implements ControlTarget {
  readonly calls: string[] = [];
  readonly #listeners = new Set<(event: PodEvent) => void>();
  readonly #status: PodStatus;
  readonly runtime: Runtime & {
    exec(id: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  };

  constructor(ids: string[] = ["web", "db"]) {
    this.#status = {
      pod: {
        state: "running",
        runtime: "fake",
        initPid: Deno.pid,
        startedAt: new Date().toISOString(),
        endedAt: null,
        stopReason: null,
        exitCode: null,
      },
      containers: Object.fromEntries(ids.map((id) => [id, {
        state: "running" as ContainerPhase,
        pid: 100,
        restartCount: 0,
        startedAt: new Date().toISOString(),
        nextStartAt: null,
        lastStatus: null,
        exitCount: 0,
        exits: [],
        error: null,
      }])),
    };
    const calls = this.calls;
    const fail = (): Promise<never> => Promise.reject(new Error("not used by the control server"));
    this.runtime = {
      name: "fake",
      create: fail,
      start: fail,
      state: fail,
      kill: fail,
      delete: fail,
      // Writes its args to stdout, "err" to stderr, echoes stdin, exits with args.length.
      async exec(id, args, options = {}): Promise<ExecResult> {
        calls.push(`exec ${id} ${args.join(" ")}`);
        const out = (options.stdio?.stdout as WritableStream<Uint8Array>).getWriter();
        const err = (options.stdio?.stderr as WritableStream<Uint8Array>).getWriter();
        await out.write(new TextEncoder().encode(`${args.join(" ")}\n`));
        const stdin = options.stdio?.stdin;
        if (stdin && stdin !== "inherit") {
          for await (const chunk of stdin) await out.write(chunk);
        }
        await err.write(new TextEncoder().encode("err\n"));
        if (args[0] === "sleep") {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, Number(args[1]));
            options.signal?.addEventListener("abort", () => {
              clearTimeout(timer);
              reject(new DOMException("aborted", "AbortError"));
            });
          });
        }
        await out.close();
        await err.close();
        return { code: args.length };
      },
    };
  }

  status(): PodStatus {
    return structuredClone(this.#status);
  }

  /** Sets a container's state (or the pod's), as the supervisor would. */
  set(id: string | "pod", state: string): void {
    if (id === "pod") this.#status.pod.state = state as PodStatus["pod"]["state"];
    else this.#status.containers[id].state = state as ContainerPhase;
  }

  emit(event: PodEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  subscribe(listener: (event: PodEvent) => void): Disposable {
    this.#listeners.add(listener);
    return { [Symbol.dispose]: () => this.#listeners.delete(listener) };
  }

  signalContainer(id: string, signal: string | number): Promise<void> {
    this.calls.push(`signal ${id} ${signal}`);
    return Promise.resolve();
  }

  stopContainer(id: string): Promise<void> {
    this.calls.push(`stop ${id}`);
    this.set(id, "stopped");
    return Promise.resolve();
  }

  restartContainer(id: string): Promise<void> {
    this.calls.push(`restart ${id}`);
    return Promise.resolve();
  }

  stop(reason: string): Promise<void> {
    this.calls.push(`stop-pod ${reason}`);
    this.set("pod", "stopping");
    this.#status.pod.stopReason = reason;
    return Promise.resolve();
  }
}
