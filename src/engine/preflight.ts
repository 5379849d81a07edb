import type { ChaosExperiment } from "../experiment/types.js";
import type { AnyRunnableFault, PermissionNeed } from "../faults/driver.js";
import type { ClusterAccess } from "./context.js";
import { RunRefusedError } from "./errors.js";
import { KubeApiError } from "../kube/errors.js";
import { rulesGrant, type ResourceRule } from "../preflight/access-rules.js";

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

/**
 * One SelfSubjectRulesReview per namespace the needs name; what its rules do not grant, and every
 * cluster-wide need (a namespace's rules mix in its RoleBindings), is asked by a
 * SelfSubjectAccessReview of its own. Every denied need is named in a single refusal.
 */
export async function assertPermitted(access: ClusterAccess, needs: readonly PermissionNeed[]): Promise<void> {
  const unique = [...new Map(needs.map((need) => [`${need.verb} ${need.group} ${need.resource} ${need.namespace ?? ""}`, need])).values()];
  const namespaces = [...new Set(unique.flatMap((need) => (need.namespace ? [need.namespace] : [])))];
  const rules = new Map(await Promise.all(namespaces.map(async (namespace) => [namespace, await rulesIn(access, namespace)] as const)));
  const denied: string[] = [];
  await Promise.all(unique.map(async (need) => {
    if (need.namespace && rulesGrant(rules.get(need.namespace) ?? [], need)) return;
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

/** The rules we hold in a namespace; none when the review itself is not allowed (each need is then asked). */
async function rulesIn(access: ClusterAccess, namespace: string): Promise<ResourceRule[]> {
  try {
    const review = await access.rest.create<{ status?: { resourceRules?: ResourceRule[] } }>(
      "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
      { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace } },
    );
    return review.status?.resourceRules ?? [];
  } catch (error) {
    if (error instanceof KubeApiError && error.status < 500) return [];
    throw error;
  }
}
