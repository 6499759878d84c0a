// The rules of a pod file that its JSON Schema does not say, checked after
// the shapes: references between containers (ids, dependencies, cycles, the
// namespaces joined), signal names, and what @weft/bundle's parser refuses
// across the fields of a container given by rootfs. CROSS_REFERENCE_RULES
// lists them for the README and for the test that compares the schema with
// the parser.
import {
  CONTAINER_SPEC_ENTRIES,
  type ContainerSpec,
  ContainerSpecError,
  parseContainerSpec,
  POD_NAMESPACES,
  withPod,
} from "@weft/bundle";
import { parseSignal } from "@weft/runtime";
import { childPath, type Issue, show } from "./_issues.ts";
import type { ContainerConfig, PodConfig } from "./config.ts";
import { ROOTFS_ONLY_FIELDS } from "./_container_schema.ts";
import { cycleIssue, dependsOnIssues } from "./pod_graph.ts";

/**
 * What only the parser checks, each with the start of its message: a
 * document the JSON Schema accepts and the parser refuses breaks one of these.
 */
export const CROSS_REFERENCE_RULES: readonly { rule: string; message: RegExp }[] = [
  {
    rule:
      "runtime.name is a registered runtime, checked by the preflight once plugins are loaded (exit 3)",
    message: /^unknown runtime /,
  },
  { rule: "container ids are unique", message: /^duplicate container id / },
  {
    rule:
      "dependsOn, shareNamespacesWith, pod.exitCode.id and pod.endWhen.ended name containers of the pod",
    message: /^unknown container /,
  },
  { rule: "no container depends on itself", message: /^a container cannot depend on itself$/ },
  { rule: "no container joins its own namespaces", message: /^a container cannot join its own/ },
  { rule: "dependencies have no cycle", message: /^dependency cycle / },
  { rule: "stop.signal is a signal name or number the kernel has", message: /^expected a signal / },
  {
    rule: "an exit code is not in both neverRestartExitCodes and alwaysRestartExitCodes",
    message: /^exit code .* is also in neverRestartExitCodes$/,
  },
  {
    rule: "a rootfs container has a command (process.args, process.entrypoint or imageConfig)",
    message: /^expected a command: /,
  },
  {
    rule: 'no hostname when the container joins a UTS namespace (shareNamespaces holds "uts")',
    message: /^expected no hostname: /,
  },
  {
    rule: "a size with a unit (mounts[].size, resources.memoryLimit) is at most 2^53 - 1 bytes",
    message: /^expected a positive number of bytes/,
  },
];

/** The container spec fields of a container (shareNamespacesWith stands for the spec's `pod`). */
export function specFields(container: ContainerConfig): Record<string, unknown> {
  const raw = container as unknown as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(CONTAINER_SPEC_ENTRIES)
      .filter((field) => raw[field] !== undefined)
      .map((field) => [field, raw[field]]),
  );
}

/** A refused container spec, as an issue with its JSON path. */
export function specIssue(error: unknown): Issue {
  if (!(error instanceof ContainerSpecError)) throw error;
  return { path: error.field, message: `expected ${error.expected}, got ${show(error.value)}` };
}
export function semanticIssues(
  config: PodConfig,
  specs: Map<ContainerConfig, ContainerSpec> = new Map(),
): Issue[] {
  const issues: Issue[] = [];
  const index = new Map<string, number>();
  config.containers.forEach((container, i) => {
    const path = childPath("containers", i);
    if (index.has(container.id)) {
      issues.push({
        path: childPath(path, "id"),
        message: `duplicate container id ${show(container.id)} (also containers[${
          index.get(container.id)
        }])`,
      });
    } else index.set(container.id, i);
    issues.push(...specIssues(container, path, specs));
    try {
      parseSignal(container.stop.signal);
    } catch {
      issues.push({
        path: `${path}.stop.signal`,
        message: `expected a signal name like "TERM" or a number in 1-31 or 34-64, got ${
          show(container.stop.signal)
        }`,
      });
    }
    const never = new Set(container.restart.neverRestartExitCodes);
    container.restart.alwaysRestartExitCodes.forEach((code, j) => {
      if (never.has(code)) {
        issues.push({
          path: `${path}.restart.alwaysRestartExitCodes[${j}]`,
          message: `exit code ${code} is also in neverRestartExitCodes`,
        });
      }
    });
  });
  config.containers.forEach((container, i) => {
    const partner = container.shareNamespacesWith;
    if (partner !== undefined && (!index.has(partner) || partner === container.id)) {
      issues.push({
        path: `containers[${i}].shareNamespacesWith`,
        message: partner === container.id
          ? "a container cannot join its own namespaces"
          : `unknown container ${show(partner)}`,
      });
    }
  });
  issues.push(...dependsOnIssues(config.containers, show));
  if (issues.length === 0) {
    const cycle = cycleIssue(config.containers);
    if (cycle) issues.push(cycle);
  }
  const { exitCode, endWhen } = config.pod;
  if (exitCode.from === "container" && !index.has(exitCode.id)) {
    issues.push({ path: "pod.exitCode.id", message: `unknown container ${show(exitCode.id)}` });
  }
  if (typeof endWhen === "object") {
    endWhen.ended.forEach((id, j) => {
      if (!index.has(id)) {
        issues.push({ path: `pod.endWhen.ended[${j}]`, message: `unknown container ${show(id)}` });
      }
    });
  }
  return issues;
}

/** What the schema says across a container's fields, and what @weft/bundle refuses, with JSON paths. */
function specIssues(
  container: ContainerConfig,
  path: string,
  specs: Map<ContainerConfig, ContainerSpec>,
): Issue[] {
  const raw = container as unknown as Record<string, unknown>;
  const given = ["bundle", "rootfs"].filter((field) => raw[field] !== undefined);
  if (given.length !== 1) {
    const got = given.length === 0 ? "none" : '"bundle" and "rootfs"';
    return [{ path, message: `expected exactly one of "bundle" or "rootfs", got ${got}` }];
  }
  const issues: Issue[] = [];
  if (container.shareNamespaces !== undefined && container.shareNamespacesWith === undefined) {
    issues.push({
      path: childPath(path, "shareNamespaces"),
      message: "only allowed with shareNamespacesWith",
    });
  }
  if (given[0] === "bundle") {
    return [
      ...issues,
      ...ROOTFS_ONLY_FIELDS.filter((field) => raw[field] !== undefined).map((field) => ({
        path: childPath(path, field),
        message: "only allowed with rootfs (a bundle has its own config.json)",
      })),
    ];
  }
  if (issues.length > 0) return issues;
  try {
    const spec = parseContainerSpec(specFields(container), { path });
    if (container.shareNamespacesWith !== undefined) {
      // A stand-in pid: the real one is known when the container is created.
      withPod(spec, { pid: 1, share: container.shareNamespaces ?? [...POD_NAMESPACES] }, path);
    }
    const command = spec.process?.args ?? spec.process?.entrypoint ?? [];
    if (spec.imageConfig === undefined && command.length === 0) {
      issues.push({
        path: `${path}.process.args`,
        message: "expected a command: process.args, process.entrypoint or an imageConfig",
      });
    }
    specs.set(container, spec);
  } catch (error) {
    issues.push(specIssue(error));
  }
  return issues;
}
