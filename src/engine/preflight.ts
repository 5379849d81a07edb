import type { ChaosExperiment } from "../experiment/types.js";
import type { AnyRunnableFault, PermissionNeed } from "../faults/driver.js";
import type { ClusterAccess } from "./context.js";
import { RunRefusedError } from "./errors.js";

/** What every run itself needs besides the fault's own permissions. */
export function bookkeepingNeeds(namespace: string, lockNamespace: string, dryRun: boolean): PermissionNeed[] {
  const watch = (resource: string, group = ""): PermissionNeed[] =>
    ["get", "list", "watch"].map((verb) => ({ verb, group, resource, namespace }));
  if (dryRun) return watch("pods");
  // What the run itself calls: the lock (acquire, renew, release; list and watch to judge a holder
  // elsewhere), the journal (records are ConfigMaps, or Secrets for secret data: the start-up sweep
  // lists both, claims update a record before reverting it), and the result ConfigMap.
  return [
    ...["create", "get", "update", "delete", "list", "watch"].map((verb) => ({ verb, group: "coordination.k8s.io", resource: "leases", namespace: lockNamespace })),
    ...["create", "get", "list", "update", "delete"].map((verb) => ({ verb, group: "", resource: "configmaps", namespace })),
    { verb: "list", group: "", resource: "secrets", namespace },
  ];
}

/**
 * Asks the API server (SelfSubjectAccessReview) whether we may do everything the run needs, before
 * anything is touched: a missing permission is a clear error, never a half-applied fault.
 */
export async function preflight(
  access: ClusterAccess,
  fault: AnyRunnableFault,
  experiment: ChaosExperiment,
  namespace: string,
  lockNamespace: string,
  dryRun: boolean,
): Promise<void> {
  const needs = [
    ...bookkeepingNeeds(namespace, lockNamespace, dryRun),
    ...fault.permissions(experiment.spec.injection.parameters ?? {}, namespace).filter((need) => !dryRun || ["get", "list", "watch"].includes(need.verb)),
  ];
  await assertPermitted(access, needs);
}

/** One SelfSubjectAccessReview per need; every denied one is named in a single refusal. */
export async function assertPermitted(access: ClusterAccess, needs: readonly PermissionNeed[]): Promise<void> {
  const denied: string[] = [];
  await Promise.all(needs.map(async (need) => {
    const review = await access.rest.create<{ status?: { allowed?: boolean; reason?: string } }>(
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: { resourceAttributes: { verb: need.verb, group: need.group, resource: need.resource, ...(need.namespace ? { namespace: need.namespace } : {}) } },
      },
    );
    if (!review.status?.allowed) {
      denied.push(`${need.verb} ${need.group ? `${need.resource}.${need.group}` : need.resource}${need.namespace ? ` in ${need.namespace}` : " (cluster-wide)"}`);
    }
  }));
  if (denied.length > 0) {
    throw new RunRefusedError(`preflight: your credentials may not ${[...new Set(denied)].sort().join("; ")}; nothing was changed`);
  }
}
