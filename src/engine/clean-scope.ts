// Where `clean` looks, and the dead runs' lock Leases it removes. Without -n it searches every
// namespace it may list: the whole cluster in one list when allowed, else namespace by namespace
// (those it may read), else the kubeconfig's namespace alone.

import { listRecords, type JournalRecord } from "../journal/journal.js";
import { managedBySelector } from "../journal/labels.js";
import { isConflict, isForbidden, isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";
import type { CleanItem } from "./clean.js";
import { LeaseJudge, LeaseState, leaseStateOf, type Lease } from "./liveness.js";

const LOCK_PREFIX = "operator-chaos-lock-";

export interface Scope {
  records: JournalRecord[];
  /** The namespaces searched; undefined when the whole cluster was. */
  namespaces: string[] | undefined;
}

export async function recordsWhereAllowed(rest: KubeRest, namespace: string | undefined, fallbackNamespace: string | undefined): Promise<Scope> {
  if (namespace !== undefined) return { records: await listRecords(rest, namespace), namespaces: [namespace] };
  try {
    return { records: await listRecords(rest, undefined), namespaces: undefined };
  } catch (error) {
    if (!isForbidden(error)) throw error;
  }
  let names: string[];
  try {
    const list = await rest.get<{ items: { metadata: { name: string } }[] }>("/api/v1/namespaces");
    names = list.items.map((item) => item.metadata.name);
  } catch (error) {
    if (!isForbidden(error) || fallbackNamespace === undefined) throw error;
    names = [fallbackNamespace];
  }
  const records: JournalRecord[] = [];
  const searched: string[] = [];
  for (const name of names) {
    try {
      records.push(...await listRecords(rest, name));
      searched.push(name);
    } catch (error) {
      if (!isForbidden(error)) throw error;
    }
  }
  records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return { records, namespaces: searched };
}

/** Our lock Leases in the scope (those we may list). */
async function lockLeases(rest: KubeRest, namespaces: string[] | undefined): Promise<Lease[]> {
  const paths = namespaces === undefined
    ? ["/apis/coordination.k8s.io/v1/leases"]
    : namespaces.map((namespace) => `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`);
  const leases: Lease[] = [];
  for (const path of paths) {
    try {
      const list = await rest.get<{ items: Lease[] }>(path, { query: { labelSelector: managedBySelector } });
      leases.push(...list.items.filter((lease) => lease.metadata.name.startsWith(LOCK_PREFIX)));
    } catch (error) {
      if (!isForbidden(error)) throw error;
    }
  }
  return leases;
}

/**
 * Removes the lock Lease of every run that is dead (its process gone, or its Lease unrenewed for a
 * whole duration), guarded by resourceVersion so a Lease renewed or taken over meanwhile stays.
 * Leases whose holder is on another machine are watched, all at once, until that can be told.
 */
export async function removeDeadLocks(
  rest: KubeRest, namespaces: string[] | undefined, judge: LeaseJudge,
  options: { dryRun: boolean; now: () => Date; signal: AbortSignal; report: (item: CleanItem) => void },
): Promise<void> {
  const leases = await lockLeases(rest, namespaces);
  await Promise.all(leases.map(async (lease) => {
    const { namespace, name } = lease.metadata;
    const base = { source: "lock" as const, faultType: "Lease", target: `Lease/${namespace}/${name}` };
    let state = judge.judge(lease, options.now());
    let current: Lease | undefined = lease;
    if (state === LeaseState.Unknown) ({ state, lease: current } = await leaseStateOf(rest, judge, namespace, name, { now: options.now, signal: options.signal }));
    if (state !== LeaseState.Dead || !current) return;
    const holder = current.spec.holderIdentity ?? "nobody";
    if (options.dryRun) {
      options.report({ ...base, outcome: "would-revert", detail: `lock of the dead run ${holder}` });
      return;
    }
    try {
      await rest.delete(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`, {
        apiVersion: "v1", kind: "DeleteOptions", preconditions: { resourceVersion: current.metadata.resourceVersion },
      });
      judge.forget(current);
      options.report({ ...base, outcome: "reverted", detail: `removed the lock of the dead run ${holder}` });
    } catch (error) {
      if (isNotFound(error) || isConflict(error)) return; // gone or renewed/taken over meanwhile
      options.report({ ...base, outcome: "failed", detail: (error as Error).message });
    }
  }));
}
