import { InjectionType } from "../experiment/enums.js";
import { removeRecord } from "../journal/journal.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TYPE_LABEL } from "../journal/labels.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";
import { ttlOption } from "./deployment-field.js";
import { defineFaultSpec, defineRunnableFault, type FaultContext, type FaultPlan, type ObjectReference } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** Where the Go tool backs a Lease up before deleting it: a ConfigMap `chaos-backup-lease-<name>`, key `lease-backup`. */
export const GO_BACKUP_PREFIX = "chaos-backup-lease-";
export const GO_BACKUP_KEY = "lease-backup";
const LEASES = "/apis/coordination.k8s.io/v1";

/** Deletes the operator's leader-election Lease, so the leader loses its lease and candidates race. */
export const leaderElectionDisruptSpec = defineFaultSpec({
  type: InjectionType.LeaderElectionDisrupt,
  summary: "Deletes the leader-election Lease, forcing a new election.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 3,
  parameterDocs: [{ name: "name", required: true, description: "Name of the Lease (coordination.k8s.io/v1)." }],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.LeaderElectionDisrupt, parameters, context);
    const name = check.nonEmpty("name", "the Lease's name");
    if (name !== undefined && check.targetName("name", name)) {
      check.maxLength("name", "the backup ConfigMap's name (chaos-backup-lease-<name>)", `chaos-backup-lease-${name}`, 253);
    }
    check.requireHighDanger("LeaderElectionDisrupt");
    return check.issues;
  },
  skeleton: ({ component }) => ({ name: objectNameFrom(component, "-leader-election") }),
});

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [field: string]: unknown;
}

interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; uid: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown };
  spec?: LeaseSpec;
}

/** The journal record: the Lease as it was (to recreate it if nobody does), and its UID. */
interface LeaseRecord {
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: LeaseSpec;
}

interface LeasePlan {
  lease: LeaseRecord;
  holderPod?: string;
  deletedAt?: string;
}

type LeaseJournal = LeaseRecord | { goTool: { backup: string; lease?: LeaseObject; problem?: string } };

const leasePath = (namespace: string, name = "") => `${LEASES}/namespaces/${namespace}/leases${name ? `/${encodeURIComponent(name)}` : ""}`;
const describe = (ref: ObjectReference) => `Lease ${ref.namespace}/${ref.name}`;

/**
 * The pod a holder identity names: client-go and controller-runtime identities are
 * `<hostname>_<random>`, and a pod's hostname is its name.
 */
export function holderPod(holder: string | undefined): string | undefined {
  const name = holder?.split("_")[0];
  return name && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) ? name : undefined;
}

export const leaderElectionDisrupt = defineRunnableFault<LeasePlan, LeaseJournal>(leaderElectionDisruptSpec, {
  permissions: (_parameters, namespace) => ["get", "delete", "create"].map((verb) => ({ verb, group: "coordination.k8s.io", resource: "leases", namespace })),

  /** Reads the Lease; one that does not exist is an error (does the operator elect a leader on it?). */
  async plan(context) {
    const name = context.experiment.spec.injection.parameters?.name ?? "";
    const target: ObjectReference = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name, namespace: context.namespace };
    const lease = await readLease(context.cluster.rest, target);
    if (!lease) throw new Error(`${describe(target)} does not exist: is this the operator's leader-election Lease, in this namespace?`);
    const holder = lease.spec?.holderIdentity;
    const pod = holderPod(holder);
    return {
      type: InjectionType.LeaderElectionDisrupt,
      targets: [target],
      summary: `delete ${describe(target)} (held by ${holder ? JSON.stringify(holder) : "nobody"}); a leader must take it again`,
      data: {
        lease: { uid: lease.metadata.uid, labels: lease.metadata.labels ?? {}, annotations: lease.metadata.annotations ?? {}, spec: lease.spec ?? {} },
        ...(pod ? { holderPod: pod } : {}),
      },
    };
  },

  /** The leader's repair: a Lease of that name exists again (re-acquired by the old leader or a new one). */
  repairChecks(plan) {
    const target = plan.targets[0]!;
    return [{ type: "resourceExists", apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: target.name, namespace: target.namespace }];
  },

  /** The leader's pod: one that exits when it loses its Lease and is restarted shows up as recovered_by_restart. */
  observedPods: (context, plan) => (plan.data.holderPod ? { namespace: context.namespace, fieldSelector: `metadata.name=${plan.data.holderPod}` } : undefined),

  /** Journals the whole Lease, then deletes exactly that object (UID precondition). */
  async inject(context, plan) {
    const target = plan.targets[0]!;
    const { rest } = context.cluster;
    const record = await context.journal.write(InjectionType.LeaderElectionDisrupt, target, plan.data.lease, ttlOption(context));
    try {
      await rest.delete(leasePath(target.namespace!, target.name), {
        apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: plan.data.lease.uid },
      });
    } catch (error) {
      await removeRecord(rest, record).catch(() => {});
      if (isNotFound(error) || isConflict(error)) throw new Error(`${describe(target)} was deleted or replaced after the plan; nothing was deleted`);
      throw error;
    }
    plan.data.deletedAt = context.now().toISOString();
    return [record];
  },

  /** Confirmed when the API server accepted the deletion (the leader may recreate the Lease at once, which is the point). */
  async confirm(context, plan) {
    if (plan.data.deletedAt === undefined) return { confirmed: false, reason: "the API server did not accept the deletion" };
    const deleted = `the API server deleted the Lease (uid ${plan.data.lease.uid}, held by ${plan.data.lease.spec.holderIdentity || "nobody"}) at ${plan.data.deletedAt}`;
    return { confirmed: true, evidence: `${deleted}; ${await reacquisition(context, plan)}` };
  },

  /** Recreates the Lease from the record only when nobody did: a Lease a leader re-acquired is left alone. */
  async revert(context, record) {
    const { rest } = context.cluster;
    if ("goTool" in record.data) {
      await revertGoBackup(rest, record.target, record.data.goTool);
      return;
    }
    await recreateUnlessPresent(rest, record.target, record.data);
  },

  /** The Go tool's Lease backups (ConfigMaps `chaos-backup-lease-<name>` with its type label). */
  async leftovers(context, namespace) {
    const { rest } = context.cluster;
    const path = namespace ? `/api/v1/namespaces/${namespace}/configmaps` : "/api/v1/configmaps";
    const list = await rest.get<{ items: { metadata: { name: string; namespace: string }; data?: Record<string, string> }[] }>(path, {
      query: { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${TYPE_LABEL}=${InjectionType.LeaderElectionDisrupt}` },
    });
    return list.items.filter((item) => item.metadata.name.startsWith(GO_BACKUP_PREFIX)).map((item) => {
      const name = item.metadata.name.slice(GO_BACKUP_PREFIX.length);
      let goTool: { backup: string; lease?: LeaseObject; problem?: string } = { backup: item.metadata.name };
      try {
        goTool = { ...goTool, lease: JSON.parse(item.data?.[GO_BACKUP_KEY] ?? "") as LeaseObject };
      } catch (error) {
        goTool = { ...goTool, problem: `its ${GO_BACKUP_KEY} is not JSON (${(error as Error).message})` };
      }
      return { type: InjectionType.LeaderElectionDisrupt, target: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name, namespace: item.metadata.namespace }, data: { goTool } };
    });
  },
});

/**
 * Who took the Lease again, and how soon (watched for up to 1.5 times its duration): the same holder
 * (the leader re-acquired it) or another (leadership changed hands). Not re-acquiring in that time
 * is what the repair check then judges; this only says what was seen.
 */
async function reacquisition(context: FaultContext, plan: FaultPlan<LeasePlan>): Promise<string> {
  const target = plan.targets[0]!;
  const deletedAt = Date.parse(plan.data.deletedAt!);
  const waitMs = Math.min(30_000, Math.max(5_000, 1_500 * (plan.data.lease.spec.leaseDurationSeconds ?? 15)));
  const before = plan.data.lease.spec.holderIdentity ?? "";
  try {
    const holder = await context.cluster.waitForCollection({
      path: leasePath(target.namespace!), fieldSelector: `metadata.name=${target.name}`, timeoutMs: waitMs, signal: context.signal,
      what: `${describe(target)} to be taken again`,
    }, (leases) => {
      const lease = [...leases.values()][0] as LeaseObject | undefined;
      return lease && lease.metadata.uid !== plan.data.lease.uid && lease.spec?.holderIdentity ? lease.spec.holderIdentity : undefined;
    });
    const after = `${Date.now() - deletedAt} ms after the deletion`;
    return holder === before ? `re-acquired by the same holder ${JSON.stringify(holder)} ${after}` : `taken by a new holder ${JSON.stringify(holder)} (was ${JSON.stringify(before)}) ${after}`;
  } catch {
    return `nobody held it again within ${waitMs / 1000} s`;
  }
}

async function readLease(rest: KubeRest, ref: ObjectReference): Promise<LeaseObject | undefined> {
  try {
    return await rest.get<LeaseObject>(leasePath(ref.namespace!, ref.name));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function recreateUnlessPresent(rest: KubeRest, ref: ObjectReference, lease: Omit<LeaseRecord, "uid">): Promise<void> {
  if (await readLease(rest, ref)) return;
  try {
    await rest.create(leasePath(ref.namespace!), {
      apiVersion: "coordination.k8s.io/v1", kind: "Lease",
      metadata: {
        name: ref.name, namespace: ref.namespace,
        ...(Object.keys(lease.labels).length > 0 ? { labels: lease.labels } : {}),
        ...(Object.keys(lease.annotations).length > 0 ? { annotations: lease.annotations } : {}),
      },
      spec: lease.spec,
    });
  } catch (error) {
    // A leader created it meanwhile: theirs wins.
    if ((error as { status?: number } | null)?.status !== 409) throw error;
  }
}

/** Recreates the Lease from the Go tool's backup unless one exists, then deletes the backup (as the Go tool's revert would). */
async function revertGoBackup(rest: KubeRest, ref: ObjectReference, goTool: { backup: string; lease?: LeaseObject; problem?: string }): Promise<void> {
  if (!goTool.lease) throw new Error(`the Go tool's backup ConfigMap ${ref.namespace}/${goTool.backup} cannot be read (${goTool.problem}); left unchanged`);
  await recreateUnlessPresent(rest, ref, {
    labels: goTool.lease.metadata?.labels ?? {}, annotations: goTool.lease.metadata?.annotations ?? {}, spec: goTool.lease.spec ?? {},
  });
  await rest.delete(`/api/v1/namespaces/${ref.namespace}/configmaps/${goTool.backup}`).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
}
