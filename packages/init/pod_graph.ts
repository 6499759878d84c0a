/**
 * A container as the dependency graph sees it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type PodNode, PodGraph } from "@weft/init";
 *
 * const nodes: PodNode[] = [{ id: "db", dependsOn: [] }, { id: "web", dependsOn: ["db"] }];
 * assert.deepEqual(new PodGraph(nodes).startOrder(), ["db", "web"]);
 * ```
 */
export interface PodNode {
  /** The container id. */
  id: string;
  /** The containers it starts after and stops before. */
  dependsOn: readonly string[];
}

/**
 * One problem of a dependency graph, with the configuration path it is at.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dependsOnIssues, type GraphIssue } from "@weft/init";
 *
 * const issues: GraphIssue[] = dependsOnIssues([{ id: "a", dependsOn: ["b"] }]);
 * assert.deepEqual(issues, [{ path: "containers[0].dependsOn[0]", message: 'unknown container "b"' }]);
 * ```
 */
export interface GraphIssue {
  /** Where, as `containers[i].dependsOn[j]`. */
  path: string;
  /** What is wrong. */
  message: string;
}

/**
 * Checks the `dependsOn` lists of `nodes` (given in configuration order):
 * unknown ids and a container depending on itself. `quote` shows an id in a
 * message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dependsOnIssues } from "@weft/init";
 *
 * const issues = dependsOnIssues([{ id: "a", dependsOn: ["a"] }]);
 * assert.equal(issues[0].message, "a container cannot depend on itself");
 * ```
 */
export function dependsOnIssues(
  nodes: readonly PodNode[],
  quote: (id: string) => string = (id) => JSON.stringify(id),
): GraphIssue[] {
  const ids = new Set(nodes.map((node) => node.id));
  const issues: GraphIssue[] = [];
  nodes.forEach((node, i) => {
    node.dependsOn.forEach((dep, j) => {
      const path = `containers[${i}].dependsOn[${j}]`;
      if (!ids.has(dep)) issues.push({ path, message: `unknown container ${quote(dep)}` });
      else if (dep === node.id) {
        issues.push({ path, message: "a container cannot depend on itself" });
      }
    });
  });
  return issues;
}

/**
 * The dependency cycle of `nodes` as an issue at the first container on it,
 * if there is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cycleIssue } from "@weft/init";
 *
 * const issue = cycleIssue([{ id: "a", dependsOn: ["b"] }, { id: "b", dependsOn: ["a"] }]);
 * assert.equal(issue?.message, 'dependency cycle "a" -> "b" -> "a"');
 * ```
 */
export function cycleIssue(nodes: readonly PodNode[]): GraphIssue | undefined {
  const cycle = findCycle(nodes);
  if (cycle === undefined) return undefined;
  return {
    path: `containers[${nodes.findIndex((node) => node.id === cycle[0])}].dependsOn`,
    message: `dependency cycle ${cycle.map((id) => `"${id}"`).join(" -> ")}`,
  };
}

/**
 * The first dependency cycle found (depth first, in configuration order), as
 * the ids along it with the first repeated at the end; `undefined` when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findCycle } from "@weft/init";
 *
 * assert.deepEqual(findCycle([{ id: "a", dependsOn: ["a"] }]), ["a", "a"]);
 * assert.equal(findCycle([{ id: "a", dependsOn: [] }]), undefined);
 * ```
 */
export function findCycle(nodes: readonly PodNode[]): string[] | undefined {
  const deps = new Map(nodes.map((node) => [node.id, node.dependsOn]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const node of nodes) {
    const found = visit(node.id);
    if (found) return found;
  }
  return undefined;
}

/**
 * The dependency graph of a pod: who starts after whom, and the reverse
 * order for stopping (a container stops before the ones it depends on).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PodGraph } from "@weft/init";
 *
 * const graph = new PodGraph([
 *   { id: "web", dependsOn: ["db"] },
 *   { id: "db", dependsOn: [] },
 * ]);
 * assert.deepEqual(graph.stopOrder(), ["web", "db"]);
 * const stopped: string[] = [];
 * await graph.inStopOrder(async (id) => void stopped.push(id));
 * assert.deepEqual(stopped, ["web", "db"]);
 * ```
 */
export class PodGraph {
  readonly #nodes: readonly PodNode[];
  readonly #dependents = new Map<string, string[]>();

  /**
   * Builds the graph.
   *
   * @throws {RangeError} When a dependency is unknown, a container depends on itself, or there is a cycle.
   */
  constructor(nodes: readonly PodNode[]) {
    const issue = dependsOnIssues(nodes)[0] ?? cycleIssue(nodes);
    if (issue !== undefined) {
      throw new RangeError(`Invalid pod graph: ${issue.path}: ${issue.message}`);
    }
    this.#nodes = nodes;
    for (const node of nodes) this.#dependents.set(node.id, []);
    for (const node of nodes) {
      for (const dep of node.dependsOn) this.#dependents.get(dep)!.push(node.id);
    }
  }

  /** The containers `id` depends on. */
  dependencies(id: string): readonly string[] {
    return this.#nodes.find((node) => node.id === id)?.dependsOn ?? [];
  }

  /** The containers that depend on `id`. */
  dependents(id: string): readonly string[] {
    return this.#dependents.get(id) ?? [];
  }

  /** Every id, each after its dependencies (configuration order among independent ones). */
  startOrder(): string[] {
    const order: string[] = [];
    const placed = new Set<string>();
    const place = (node: PodNode): void => {
      if (placed.has(node.id)) return;
      placed.add(node.id);
      for (const dep of node.dependsOn) place(this.#nodes.find((other) => other.id === dep)!);
      order.push(node.id);
    };
    for (const node of this.#nodes) place(node);
    return order;
  }

  /** Every id, each before its dependencies: {@linkcode PodGraph.startOrder} reversed. */
  stopOrder(): string[] {
    return this.startOrder().reverse();
  }

  /**
   * Runs `fn` for every id, each once every call for its dependents has
   * settled; independent ids run in parallel. Resolves when all have settled.
   */
  async inStopOrder(fn: (id: string) => Promise<void>): Promise<void> {
    const done = new Map<string, Promise<void>>();
    const stop = (id: string): Promise<void> => {
      let promise = done.get(id);
      if (!promise) {
        promise = Promise.allSettled(this.dependents(id).map(stop)).then(() => fn(id));
        done.set(id, promise);
      }
      return promise;
    };
    await Promise.allSettled(this.#nodes.map((node) => stop(node.id)));
  }
}
