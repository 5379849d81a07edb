// The story ResourceDeletion and SecretDeletion share: back the object up in the journal (a
// Secret's in a Secret), delete it by UID, and on revert re-create it only when the operator did not,
// without the server-set fields and with owner references that point at live owners. The Go tool's
// backup Secrets (chaos-backup-secret-<name>, chaos-backup-resource-<kind>-<name>) are leftovers
// restored the same way.
import type { InjectionType } from "../experiment/enums.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TYPE_LABEL } from "../journal/labels.js";
import type { JournalRecord } from "../journal/journal.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import type { FaultContext, FaultPlan, RevertContext, RevertRecord } from "./driver.js";
import {
  creatableCopy, describeObject, findNamespacedObject, liveOwnerReferences, readObject, ttlOf, type KubeObjectBody,
} from "./object-target.js";

/** The plan and the journal record: where the object was, which one (UID), and its backup. */
export interface DeletionData {
  path: string;
  uid: string;
  backup: KubeObjectBody;
  /** Set by inject once the API server accepted the delete (not journaled). */
  acceptedAt?: string;
}

/** A backup Secret the Go tool left: the JSON of the deleted object under `key`. */
export interface GoBackupData {
  goTool: { backupSecret: string; namespace: string; key: string };
}

export type DeletionRecord = DeletionData | GoBackupData;

/**
 * The namespace the object is in: the `namespace` parameter or the experiment's. It must be one of
 * blastRadius.allowedNamespaces (the Go tool checked only a deny-list).
 */
export function deletionNamespace(context: FaultContext): string {
  const namespace = context.experiment.spec.injection.parameters?.namespace || context.namespace;
  const allowed = context.experiment.spec.blastRadius.allowedNamespaces ?? [];
  if (!allowed.includes(namespace)) {
    throw new Error(`namespace ${namespace} is not in blastRadius.allowedNamespaces (${allowed.join(", ") || "none"}); nothing was deleted`);
  }
  return namespace;
}

export async function planDeletion(context: FaultContext, type: InjectionType, apiVersion: string, kind: string, name: string): Promise<FaultPlan<DeletionData>> {
  const namespace = deletionNamespace(context);
  const found = await findNamespacedObject(context.cluster, apiVersion, kind, name, namespace);
  if (found.object.metadata.deletionTimestamp) throw new Error(`${describeObject(found.ref)} is already being deleted`);
  const uid = found.object.metadata.uid ?? "";
  return {
    type,
    targets: [found.ref],
    summary: `delete ${describeObject(found.ref)} (uid ${uid}), backed up in the journal`,
    data: { path: found.path, uid, backup: creatableCopy({ apiVersion, kind, ...found.object }) },
  };
}

/** Journals the backup (in a Secret when the object is one), then deletes the object by UID. */
export async function injectDeletion(context: FaultContext, type: InjectionType, plan: FaultPlan<DeletionData>): Promise<readonly JournalRecord<DeletionRecord>[]> {
  const data = plan.data;
  const ttlMs = ttlOf(context);
  const record = await context.journal.write<DeletionRecord>(type, plan.targets[0]!, data, {
    sensitive: plan.targets[0]!.kind === "Secret",
    ...(ttlMs ? { ttlMs } : {}),
  });
  try {
    await context.cluster.rest.delete(data.path, { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: data.uid } });
    data.acceptedAt = new Date().toISOString();
  } catch (error) {
    // Gone already, or replaced by a same-named object: nothing of ours was deleted.
    if (!isNotFound(error) && !isConflict(error)) throw error;
  }
  return [record];
}

/** Confirmed once a watch sees no object with the deleted UID (finalizers may hold it: then not). */
export async function confirmDeletion(context: FaultContext, plan: FaultPlan<DeletionData>): Promise<boolean> {
  if (plan.data.acceptedAt === undefined) return false;
  const target = plan.targets[0]!;
  try {
    return await context.cluster.waitForCollection({
      path: plan.data.path.slice(0, plan.data.path.lastIndexOf("/")), fieldSelector: `metadata.name=${target.name}`,
      timeoutMs: 30_000, signal: context.signal, what: `${describeObject(target)} to be gone`,
    }, (objects) => ([...objects.values()].some((object) => object.metadata?.uid === plan.data.uid) ? undefined : true));
  } catch {
    return false;
  }
}

/** Re-creates the object from its backup unless it exists again (the operator's copy wins); idempotent. */
export async function revertDeletion(context: RevertContext, record: RevertRecord<DeletionRecord>): Promise<void> {
  const data = record.data;
  if ("goTool" in data) {
    await revertGoBackup(context, data.goTool);
    return;
  }
  await recreate(context, data.path, record.target.namespace ?? context.namespace, data.backup);
}

async function recreate(context: RevertContext, path: string, namespace: string, backup: KubeObjectBody): Promise<void> {
  if (await readObject(context.cluster, path)) return;
  const copy = creatableCopy(backup);
  const owners = copy.metadata.ownerReferences ?? [];
  if (owners.length > 0) {
    const live = await liveOwnerReferences(context.cluster, namespace, owners);
    if (live.length > 0) copy.metadata.ownerReferences = live;
    else delete copy.metadata.ownerReferences;
  }
  try {
    await context.cluster.rest.create(path.slice(0, path.lastIndexOf("/")), copy);
  } catch (error) {
    if (!isConflict(error)) throw error; // AlreadyExists: re-created meanwhile
  }
}

/** The Go tool's backup Secrets of a type (label chaos.operatorchaos.io/type), in a namespace or all. */
export async function goBackupLeftovers(context: RevertContext, namespace: string | undefined, type: InjectionType, key: string): Promise<RevertRecord<GoBackupData>[]> {
  const path = namespace ? `/api/v1/namespaces/${namespace}/secrets` : "/api/v1/secrets";
  const list = await context.cluster.rest.get<{ items: KubeObjectBody[] }>(path, { query: { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${TYPE_LABEL}=${type}` } });
  return list.items
    .filter((item) => typeof (item.data as Record<string, string> | undefined)?.[key] === "string")
    .map((item) => {
      const original = parseBackup(item, key);
      const where = item.metadata.namespace ?? "";
      return {
        type,
        target: { apiVersion: original?.apiVersion ?? "v1", kind: original?.kind ?? "Secret", name: original?.metadata?.name ?? item.metadata.name, namespace: where },
        data: { goTool: { backupSecret: item.metadata.name, namespace: where, key } },
      };
    });
}

function parseBackup(secret: KubeObjectBody, key: string): KubeObjectBody | undefined {
  const encoded = (secret.data as Record<string, string> | undefined)?.[key];
  if (!encoded) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as KubeObjectBody;
    return parsed && typeof parsed === "object" && parsed.metadata?.name ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Restores what a Go-tool backup Secret holds (unless the object exists again), then deletes the backup. */
async function revertGoBackup(context: RevertContext, goTool: GoBackupData["goTool"]): Promise<void> {
  const backupPath = `/api/v1/namespaces/${goTool.namespace}/secrets/${goTool.backupSecret}`;
  const secret = await readObject(context.cluster, backupPath);
  if (!secret) return;
  const original = parseBackup(secret, goTool.key);
  if (!original?.apiVersion || !original.kind) throw new Error(`the Go tool's backup Secret ${goTool.namespace}/${goTool.backupSecret} cannot be read; left unchanged`);
  const path = await context.cluster.discovery.objectPath(original.apiVersion, original.kind, original.metadata.name, goTool.namespace);
  await recreate(context, path, goTool.namespace, original);
  await context.cluster.rest.delete(backupPath).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
}
