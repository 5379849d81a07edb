import { InjectionType } from "../experiment/enums.js";
import { removeRecord } from "../journal/journal.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TYPE_LABEL } from "../journal/labels.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import { ttlOption } from "./deployment-field.js";
import { defineFaultSpec, defineRunnableFault, type ObjectReference, type RevertContext } from "./driver.js";
import { checker } from "./parameters.js";

/** Where the Go tool keeps a deleted namespace's labels and annotations: ConfigMap `chaos-rollback-ns-<namespace>` in its own namespace. */
export const GO_ROLLBACK_PREFIX = "chaos-rollback-ns-";
/** How long a revert waits for a terminating namespace to be gone before it can recreate it. */
const TERMINATION_WAIT_MS = 120_000;
/** What plan() counts in the namespace, to say what will be lost. */
const CONTENT_KINDS = [
  { what: "Deployments", path: (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments` },
  { what: "Pods", path: (ns: string) => `/api/v1/namespaces/${ns}/pods` },
  { what: "Services", path: (ns: string) => `/api/v1/namespaces/${ns}/services` },
  { what: "ConfigMaps", path: (ns: string) => `/api/v1/namespaces/${ns}/configmaps` },
  { what: "Secrets", path: (ns: string) => `/api/v1/namespaces/${ns}/secrets` },
] as const;

/** Deletes a whole namespace; only its labels and annotations can be restored. */
export const namespaceDeletionSpec = defineFaultSpec({
  type: InjectionType.NamespaceDeletion,
  summary: "Deletes a namespace and everything in it; revert recreates only the empty namespace.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 5,
  parameterDocs: [{ name: "namespace", required: true, description: "The namespace to delete (never a system namespace); run refuses one outside blastRadius.allowedNamespaces." }],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.NamespaceDeletion, parameters, context);
    const namespace = check.nonEmpty("namespace", "the namespace to delete");
    if (namespace !== undefined && check.targetNamespace("namespace", namespace) && !context.allowedNamespaces.includes(namespace)) {
      // The Go tool does not compare this parameter with the allowed list; a warning keeps its files valid (run refuses).
      check.warn("namespace", "parameter.outside-blast-radius", "the namespace to delete is not in blastRadius.allowedNamespaces; run will refuse it", {
        expected: `one of ${context.allowedNamespaces.length === 0 ? "(none listed)" : context.allowedNamespaces.join(", ")}`,
        got: JSON.stringify(namespace),
      });
    }
    check.requireHighDanger("NamespaceDeletion");
    return check.issues;
  },
  skeleton: ({ namespace }) => ({ namespace }),
});

interface NamespaceObject {
  metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  status?: { phase?: string };
}

/** The journal record: the namespace's shell (all that can be restored) and what was in it. */
interface NamespaceRecord {
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** e.g. "3 ConfigMaps, 1 Deployment": lost with the namespace, for the record. */
  contents: string;
}

interface NamespacePlan {
  record: NamespaceRecord;
  deletedAt?: string;
}

type NamespaceJournal = NamespaceRecord | { goTool: { rollbackConfigMap: string; labels?: Record<string, string>; annotations?: Record<string, string>; problem?: string } };

const namespaceRef = (name: string): ObjectReference => ({ apiVersion: "v1", kind: "Namespace", name });
const namespacePath = (name: string) => `/api/v1/namespaces/${encodeURIComponent(name)}`;
export const CANNOT_RESTORE_CONTENTS = "operator-chaos cannot restore a deleted namespace's contents: revert recreates only the empty namespace with its labels and annotations";

export const namespaceDeletion = defineRunnableFault<NamespacePlan, NamespaceJournal>(namespaceDeletionSpec, {
  permissions: (parameters, namespace) => [
    ...["get", "delete", "create", "list", "watch"].map((verb) => ({ verb, group: "", resource: "namespaces" })),
    ...CONTENT_KINDS.map((kind) => ({ verb: "list", group: kind.what === "Deployments" ? "apps" : "", resource: kind.what.toLowerCase(), namespace: parameters.namespace ?? namespace })),
  ],

  /**
   * Refuses a namespace outside blastRadius.allowedNamespaces (the Go tool checks only a deny-list),
   * the experiment's own namespace (the journal lives there), and one that is missing or already
   * terminating. Counts what the namespace holds: that is lost for good unless the operator recreates it.
   */
  async plan(context) {
    const name = context.experiment.spec.injection.parameters?.namespace ?? "";
    const allowed = context.experiment.spec.blastRadius.allowedNamespaces ?? [];
    if (!allowed.includes(name)) {
      throw new Error(`namespace ${name} is not in blastRadius.allowedNamespaces (${allowed.join(", ") || "none listed"}): NamespaceDeletion deletes only a namespace the experiment allows`);
    }
    if (name === context.namespace) {
      throw new Error(`namespace ${name} is the experiment's own namespace, where the journal that undoes the fault lives: ` +
        "name another namespace first in allowedNamespaces (or give a steady-state check in another namespace first)");
    }
    const { rest } = context.cluster;
    let object: NamespaceObject;
    try {
      object = await rest.get<NamespaceObject>(namespacePath(name));
    } catch (error) {
      if (isNotFound(error)) throw new Error(`namespace ${name} does not exist`);
      throw error;
    }
    if (object.metadata.deletionTimestamp) throw new Error(`namespace ${name} is already terminating`);
    const counts = await Promise.all(CONTENT_KINDS.map(async (kind) => {
      const list = await rest.get<{ items: unknown[] }>(kind.path(name)).catch(() => ({ items: [] }));
      return list.items.length > 0 ? `${list.items.length} ${kind.what}` : undefined;
    }));
    const contents = counts.filter(Boolean).join(", ") || "no Deployments, Pods, Services, ConfigMaps or Secrets";
    return {
      type: InjectionType.NamespaceDeletion,
      targets: [namespaceRef(name)],
      summary: `delete namespace ${name} (${contents}); ${CANNOT_RESTORE_CONTENTS}`,
      data: { record: { uid: object.metadata.uid, labels: object.metadata.labels ?? {}, annotations: object.metadata.annotations ?? {}, contents } },
    };
  },

  /** The operator's repair: the namespace is there and Active again (not Terminating, not gone). */
  repairChecks(plan) {
    return [{ type: "fieldEquals", apiVersion: "v1", kind: "Namespace", name: plan.targets[0]!.name, fieldPath: "status.phase", expectedValue: "Active" }];
  },

  /** Journals the shell, then deletes exactly that namespace (UID precondition). */
  async inject(context, plan) {
    const target = plan.targets[0]!;
    const { rest } = context.cluster;
    const record = await context.journal.write(InjectionType.NamespaceDeletion, target, plan.data.record, ttlOption(context));
    try {
      await rest.delete(namespacePath(target.name), { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: plan.data.record.uid } });
    } catch (error) {
      await removeRecord(rest, record).catch(() => {});
      if (isNotFound(error) || isConflict(error)) throw new Error(`namespace ${target.name} was deleted or replaced after the plan; nothing was deleted`);
      throw error;
    }
    plan.data.deletedAt = context.now().toISOString();
    return [record];
  },

  /** Confirmed when the API server accepted the deletion. */
  async confirm(_context, plan) {
    if (plan.data.deletedAt === undefined) return { confirmed: false, reason: "the API server did not accept the deletion" };
    return { confirmed: true, evidence: `the API server accepted the deletion of namespace ${plan.targets[0]!.name} (uid ${plan.data.record.uid}, holding ${plan.data.record.contents}) at ${plan.data.deletedAt}` };
  },

  /**
   * Leaves a namespace that exists alone (never deleted, or recreated by the operator); otherwise
   * waits for the deleted one to finish terminating and recreates its shell. Its contents are not
   * restored (see CANNOT_RESTORE_CONTENTS).
   */
  async revert(context, record) {
    if ("goTool" in record.data) {
      const { goTool } = record.data;
      if (!goTool.labels) throw new Error(`the Go tool's rollback ConfigMap ${goTool.rollbackConfigMap} cannot be read (${goTool.problem}); left unchanged`);
      await recreateShell(context, record.target.name, goTool.labels, goTool.annotations ?? {});
      const [namespace, name] = goTool.rollbackConfigMap.split("/");
      await context.cluster.rest.delete(`/api/v1/namespaces/${namespace}/configmaps/${name}`).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      return;
    }
    await recreateShell(context, record.target.name, record.data.labels, record.data.annotations);
  },

  /** The Go tool's rollback ConfigMaps (`chaos-rollback-ns-<namespace>`, its type label). */
  async leftovers(context, namespace) {
    const path = namespace ? `/api/v1/namespaces/${namespace}/configmaps` : "/api/v1/configmaps";
    const list = await context.cluster.rest.get<{ items: { metadata: { name: string; namespace: string }; data?: Record<string, string> }[] }>(path, {
      query: { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${TYPE_LABEL}=${InjectionType.NamespaceDeletion}` },
    });
    return list.items.filter((item) => item.metadata.name.startsWith(GO_ROLLBACK_PREFIX)).map((item) => {
      const rollbackConfigMap = `${item.metadata.namespace}/${item.metadata.name}`;
      let goTool: { rollbackConfigMap: string; labels?: Record<string, string>; annotations?: Record<string, string>; problem?: string } = { rollbackConfigMap };
      try {
        goTool = { rollbackConfigMap, labels: JSON.parse(item.data?.labels ?? "{}") ?? {}, annotations: JSON.parse(item.data?.annotations ?? "{}") ?? {} };
      } catch (error) {
        goTool = { rollbackConfigMap, problem: `its labels or annotations are not JSON (${(error as Error).message})` };
      }
      return { type: InjectionType.NamespaceDeletion, target: namespaceRef(item.metadata.name.slice(GO_ROLLBACK_PREFIX.length)), data: { goTool } };
    });
  },
});

/**
 * Recreates the namespace with its labels and annotations unless one is there: the original (the
 * deletion never happened) or one the operator recreated. A terminating one is waited for (watch,
 * deadline) first.
 */
async function recreateShell(context: RevertContext, name: string, labels: Record<string, string>, annotations: Record<string, string>): Promise<void> {
  const { rest } = context.cluster;
  const state = await context.cluster.waitForCollection({
    path: "/api/v1/namespaces", fieldSelector: `metadata.name=${name}`, timeoutMs: TERMINATION_WAIT_MS, signal: context.signal,
    what: `namespace ${name} to finish terminating, so it can be recreated`,
  }, (namespaces) => {
    const current = namespaces.get(`/${name}`) ?? [...namespaces.values()][0];
    if (!current) return "absent" as const;
    return (current.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp ? undefined : ("present" as const);
  });
  if (state === "present") return;
  try {
    await rest.create("/api/v1/namespaces", {
      apiVersion: "v1", kind: "Namespace",
      metadata: { name, ...(Object.keys(labels).length > 0 ? { labels } : {}), ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    });
  } catch (error) {
    if ((error as { status?: number } | null)?.status !== 409) throw error;
  }
}
