// Objects a fault creates and owns (a ResourceQuota, a PodDisruptionBudget, the latency webhook's
// Deployment …): created with the run's label, deleted on revert only if they are still the one
// this run created (its run label) or, for a Go tool leftover, the very object found (its UID).
import { isConflict, isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";
import { RUN_LABEL } from "../journal/labels.js";

export interface OwnedObjectMeta {
  metadata: { name: string; namespace?: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Who may delete an object: the run that created it, or a leftover found by UID. */
export type Ownership = { runId: string } | { leftover: { uid: string } };

export async function readOptional<T>(rest: KubeRest, path: string): Promise<T | undefined> {
  try {
    return await rest.get<T>(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function isOwnedBy(object: OwnedObjectMeta, ownership: Ownership): boolean {
  return "leftover" in ownership ? object.metadata.uid === ownership.leftover.uid : object.metadata.labels?.[RUN_LABEL] === ownership.runId;
}

/** Deletes the object at `path` if it is ours by `ownership`; gone already, or someone else's, is left as it is. Idempotent. */
export async function deleteOwned(rest: KubeRest, path: string, ownership: Ownership): Promise<void> {
  const current = await readOptional<OwnedObjectMeta>(rest, path);
  if (!current || !isOwnedBy(current, ownership)) return;
  try {
    await rest.delete(path, { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background", preconditions: { uid: current.metadata.uid } });
  } catch (error) {
    if (!isNotFound(error) && !isConflict(error)) throw error;
  }
}

/** Who made an object of that name, for the message that refuses to replace it. */
export function madeBy(object: OwnedObjectMeta): string {
  const run = object.metadata.labels?.[RUN_LABEL];
  if (run) return `run ${run} of operator-chaos`;
  if (object.metadata.labels?.["app.kubernetes.io/managed-by"] === "operator-chaos") return "the Go operator-chaos tool (a leftover)";
  return "another tool or a person";
}
