// The confinement parts of a generated config: the seccomp filter, the
// resource limits and the user namespace.
import type { ContainerSpec } from "./container_spec.ts";
import type { OciConfig, OciMount } from "./oci_config.ts";
import { ociRlimits } from "./rlimits.ts";
import { defaultSeccomp } from "./seccomp.ts";
import { readSeccompProfile } from "./seccomp_user_profile.ts";
import { checkUserNamespaceAccess } from "./_user_namespace_checks.ts";
import { mapId } from "./user_namespace.ts";

/** Adds `linux.seccomp`, `process.rlimits` and the user namespace of `spec` to `config`. */
export async function applySecurity(
  config: OciConfig,
  spec: ContainerSpec,
  field: (key: string) => string,
): Promise<void> {
  const user = config.process.user;
  const [seccomp, rlimits] = await Promise.all([
    seccompFor(spec, config.process.capabilities.bounding, field("seccomp")),
    ociRlimits(spec.rlimits, field("rlimits")),
  ]);
  if (seccomp !== undefined) config.linux.seccomp = seccomp;
  config.process.rlimits = rlimits;
  const userns = spec.userNamespace;
  if (userns === undefined) return;
  await checkUserNamespaceAccess(
    spec,
    { ...user, additionalGids: user.additionalGids ?? [] },
    field,
  );
  const oci = (ranges: typeof userns.uidMappings) =>
    ranges.map(({ containerId, hostId, size }) => ({
      containerID: containerId,
      hostID: hostId,
      size,
    }));
  const gids = userns.gidMappings ?? userns.uidMappings;
  config.linux.namespaces.push({ type: "user" });
  config.linux.uidMappings = oci(userns.uidMappings);
  config.linux.gidMappings = oci(gids);
  // devpts gives its ptys to gid 5 (tty): an unmapped gid would fail the mount.
  if (mapId(gids, 5) === undefined) config.mounts = config.mounts.map(withoutTtyGroup);
}

function withoutTtyGroup(mount: OciMount): OciMount {
  if (mount.type !== "devpts") return mount;
  return { ...mount, options: mount.options?.filter((option) => option !== "gid=5") };
}

async function seccompFor(
  spec: ContainerSpec,
  capabilities: readonly string[],
  field: string,
): Promise<OciConfig["linux"]["seccomp"]> {
  const choice = spec.seccomp ?? (spec.privileged ? "unconfined" : "default");
  if (choice === "unconfined") return undefined;
  if (choice === "default") return defaultSeccomp({ capabilities });
  if (typeof choice === "string") return await readSeccompProfile(choice, field);
  return choice;
}
