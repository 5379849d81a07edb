import { Duration } from "../experiment/duration.js";
import { InjectionType } from "../experiment/enums.js";
import { listRecords, removeRecord } from "../journal/journal.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL, TYPE_LABEL, managedBySelector } from "../journal/labels.js";
import { KubeApiError, isConflict } from "../kube/errors.js";
import { defineFaultSpec, defineRunnableFault, type FaultContext, type ObjectReference } from "./driver.js";
import { deleteOwned, madeBy, readOptional, type OwnedObjectMeta } from "./owned-object.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

const QUOTA_RESOURCES = ["cpu", "memory", "pods", "services", "configmaps", "secrets"] as const;
/** Kubernetes resource quantity: a decimal number with an optional SI/binary suffix or exponent. */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** Creates a ResourceQuota so new objects in the namespace are refused. */
export const quotaExhaustionSpec = defineFaultSpec({
  type: InjectionType.QuotaExhaustion,
  summary: "Creates a tight ResourceQuota so the API server refuses new pods or objects in the namespace.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "medium",
  defaultTier: 5,
  parameterDocs: [
    { name: "quotaName", required: true, description: "Name of the ResourceQuota to create (must not exist yet)." },
    ...QUOTA_RESOURCES.map((resource) => ({
      name: resource,
      required: false,
      description: `Hard limit for ${resource}, as a quantity (e.g. ${resource === "cpu" ? "100m" : resource === "memory" ? "64Mi" : "0"}).`,
    })),
  ],
  requiredOneOf: [QUOTA_RESOURCES],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.QuotaExhaustion, parameters, context);
    const quotaName = check.nonEmpty("quotaName", "the name of the ResourceQuota");
    if (quotaName !== undefined) check.targetName("quotaName", quotaName);
    const limits = QUOTA_RESOURCES.filter((resource) => (check.value(resource) ?? "") !== "");
    if (limits.length === 0) {
      check.report(QUOTA_RESOURCES[0], "parameter.required", "QuotaExhaustion needs at least one limit", {
        expected: `one or more of ${QUOTA_RESOURCES.join(", ")}`,
      });
    }
    for (const resource of limits) {
      const quantity = check.value(resource)!;
      if (!QUANTITY.test(quantity)) {
        // The Go tool only notices at injection time, after the run has begun; here `validate` says so first.
        check.report(resource, "parameter.quantity", `${JSON.stringify(quantity)} is not a resource quantity`, {
          expected: "a quantity such as 0, 100m, 1.5, 64Mi",
          got: JSON.stringify(quantity),
        });
      }
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({ quotaName: objectNameFrom(component, "-quota"), pods: "0" }),
});

const quotaPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/resourcequotas/${name}`;
const quotaRef = (namespace: string, name: string): ObjectReference => ({ apiVersion: "v1", kind: "ResourceQuota", name, namespace });

interface QuotaData {
  name: string;
  hard: Record<string, string>;
}
type QuotaRecord = (QuotaData & { runId: string }) | { leftover: { uid: string } };

interface QuotaObject extends OwnedObjectMeta {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

const ttlOf = (context: FaultContext) => {
  const ttl = context.experiment.spec.injection.ttl;
  return ttl ? Duration.parse(ttl).milliseconds || undefined : undefined;
};

/** An object of a counted resource that a dry-run create can try: what the quota must refuse. */
function probeFor(resource: string, namespace: string, hard: Record<string, string>): { path: string; body: unknown } {
  const name = "operator-chaos-quota-probe";
  const metadata = { name, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } };
  switch (resource) {
    case "configmaps": return { path: `/api/v1/namespaces/${namespace}/configmaps`, body: { apiVersion: "v1", kind: "ConfigMap", metadata } };
    case "secrets": return { path: `/api/v1/namespaces/${namespace}/secrets`, body: { apiVersion: "v1", kind: "Secret", metadata } };
    case "services": return { path: `/api/v1/namespaces/${namespace}/services`, body: { apiVersion: "v1", kind: "Service", metadata, spec: { ports: [{ port: 80 }] } } };
    default: {
      // pods, cpu, memory: a pod asking for a little more than the hard limit (pods: any pod).
      const requests: Record<string, string> = {};
      if (hard.cpu !== undefined) requests.cpu = "1000";
      if (hard.memory !== undefined) requests.memory = "1Pi";
      const resources = Object.keys(requests).length > 0 ? { requests, limits: requests } : undefined;
      return {
        path: `/api/v1/namespaces/${namespace}/pods`,
        body: { apiVersion: "v1", kind: "Pod", metadata, spec: { containers: [{ name: "probe", image: "operator-chaos/quota-probe:none", ...(resources ? { resources } : {}) }] } },
      };
    }
  }
}

/** Creates a ResourceQuota with the given hard limits for the hold; proves it by a refused dry-run create. */
export const quotaExhaustion = defineRunnableFault<QuotaData, QuotaRecord>(quotaExhaustionSpec, {
  permissions: (parameters, namespace) => {
    const probe = QUOTA_RESOURCES.find((resource) => (parameters[resource] ?? "") !== "") ?? "pods";
    const probeResource = ["configmaps", "secrets", "services"].includes(probe) ? probe : "pods";
    return [
      ...["create", "get", "list", "watch", "delete"].map((verb) => ({ verb, group: "", resource: "resourcequotas", namespace })),
      { verb: "create", group: "", resource: probeResource, namespace },
    ];
  },

  /** Refuses a quantity that does not parse and a quota name already taken (never shares or replaces a quota). */
  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const name = parameters.quotaName ?? "";
    const hard: Record<string, string> = {};
    for (const resource of QUOTA_RESOURCES) {
      const quantity = parameters[resource];
      if (quantity === undefined || quantity === "") continue;
      if (!QUANTITY.test(quantity)) {
        throw new Error(`QuotaExhaustion: parameters.${resource} ${JSON.stringify(quantity)} is not a resource quantity (expected e.g. 0, 100m, 1.5, 64Mi); nothing was changed`);
      }
      hard[resource] = quantity;
    }
    if (Object.keys(hard).length === 0) throw new Error(`QuotaExhaustion needs at least one of ${QUOTA_RESOURCES.join(", ")}`);
    const existing = await readOptional<QuotaObject>(context.cluster.rest, quotaPath(context.namespace, name));
    if (existing) {
      throw new Error(`the ResourceQuota ${context.namespace}/${name} already exists (made by ${madeBy(existing)}); QuotaExhaustion neither shares nor replaces it. ` +
        "If it is a leftover, `operator-chaos clean` removes it");
    }
    return {
      type: InjectionType.QuotaExhaustion,
      targets: [quotaRef(context.namespace, name)],
      summary: `limit ${context.namespace} with the ResourceQuota ${name} (${Object.entries(hard).map(([k, v]) => `${k}=${v}`).join(", ")})`,
      data: { name, hard },
    };
  },

  async inject(context, plan) {
    const data = plan.data;
    const runId = context.journal.owner.runId;
    const record = await context.journal.write<QuotaRecord>(InjectionType.QuotaExhaustion, quotaRef(context.namespace, data.name), { ...data, runId },
      ttlOf(context) ? { ttlMs: ttlOf(context)! } : {});
    try {
      await context.cluster.rest.create(`/api/v1/namespaces/${context.namespace}/resourcequotas`, {
        apiVersion: "v1", kind: "ResourceQuota",
        metadata: { name: data.name, namespace: context.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TYPE_LABEL]: InjectionType.QuotaExhaustion, [RUN_LABEL]: runId } },
        spec: { hard: data.hard },
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
      await removeRecord(context.cluster.rest, record).catch(() => {});
      throw new Error(`the ResourceQuota ${context.namespace}/${data.name} appeared after the plan; QuotaExhaustion neither shares nor replaces it, and injected nothing`);
    }
    return [record];
  },

  /**
   * Confirmed once the quota controller has computed the quota's usage (a watch) and a dry-run
   * create of an object the quota counts is refused by the API server's quota admission.
   */
  async confirm(context, plan) {
    const { name, hard } = plan.data;
    let used: Record<string, string> | undefined;
    try {
      used = await context.cluster.waitForCollection({
        path: `/api/v1/namespaces/${context.namespace}/resourcequotas`, fieldSelector: `metadata.name=${name}`,
        timeoutMs: 30_000, signal: context.signal, what: `the quota controller to compute ResourceQuota ${name}`,
      }, (quotas) => {
        const quota = quotas.get(`${context.namespace}/${name}`) as QuotaObject | undefined;
        const computed = quota?.status?.hard && Object.keys(hard).every((resource) => quota.status!.hard![resource] !== undefined);
        return computed ? quota!.status!.used ?? {} : undefined;
      });
    } catch (error) {
      return { confirmed: false, reason: (error as Error).message };
    }
    const resource = Object.keys(hard).find((key) => ["pods", "configmaps", "secrets", "services"].includes(key)) ?? Object.keys(hard)[0]!;
    const probe = probeFor(resource, context.namespace, hard);
    const usage = Object.keys(hard).map((key) => `${key} ${used?.[key] ?? "?"}/${hard[key]}`).join(", ");
    try {
      await context.cluster.rest.create(probe.path, probe.body, { query: { dryRun: "All" } });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 403 && /exceeded quota|must specify/i.test(error.message)) {
        return { confirmed: true, evidence: `ResourceQuota ${name} in force (used ${usage}); a dry-run create of ${resource} was refused: ${error.message.replace(/^POST \S+: /, "")}` };
      }
      return { confirmed: false, reason: `the dry-run create of ${resource} failed for another reason than the quota: ${(error as Error).message}` };
    }
    return { confirmed: false, reason: `ResourceQuota ${name} (used ${usage}) did not refuse a dry-run create of ${resource}: its limits leave room` };
  },

  async revert(context, record) {
    const data = record.data;
    await deleteOwned(context.cluster.rest, quotaPath(record.target.namespace!, record.target.name), "leftover" in data ? data : { runId: data.runId });
  },

  /** Quotas labelled by either tool as QuotaExhaustion that no journal record accounts for (the Go tool's `clean` leaves them). */
  async leftovers(context, namespace) {
    const { rest } = context.cluster;
    const path = namespace ? `/api/v1/namespaces/${namespace}/resourcequotas` : "/api/v1/resourcequotas";
    const quotas = await rest.get<{ items: QuotaObject[] }>(path, { query: { labelSelector: `${managedBySelector},${TYPE_LABEL}=QuotaExhaustion` } });
    if (quotas.items.length === 0) return [];
    const journaled = new Set((await listRecords(rest, namespace)).filter((r) => r.target.kind === "ResourceQuota").map((r) => `${r.target.namespace}/${r.target.name}`));
    return quotas.items
      .filter((item) => !journaled.has(`${item.metadata.namespace}/${item.metadata.name}`))
      .map((item) => ({ type: InjectionType.QuotaExhaustion, target: quotaRef(item.metadata.namespace!, item.metadata.name), data: { leftover: { uid: item.metadata.uid } } }));
  },
});
