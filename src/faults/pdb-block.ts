import { Duration } from "../experiment/duration.js";
import { InjectionType } from "../experiment/enums.js";
import { listRecords, removeRecord } from "../journal/journal.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL, TYPE_LABEL, managedBySelector } from "../journal/labels.js";
import { KubeApiError, isConflict, isNotFound } from "../kube/errors.js";
import { defineFaultSpec, defineRunnableFault, type FaultContext, type ObjectReference } from "./driver.js";
import { labelKeyProblem, labelValueProblem } from "./label-selector.js";
import { deleteOwned, madeBy, readOptional, type OwnedObjectMeta } from "./owned-object.js";
import { checker, isKubernetesName } from "./parameters.js";
import { labelValueFrom } from "./skeleton-values.js";

/**
 * Reads the `k=v[,k=v…]` form PDBBlock accepts: each part split at its first "=", both sides
 * non-empty. (So `a==b` reads as key a, value "=b", as in the Go tool.)
 */
export function parseEqualityPairs(selector: string): { ok: true; labels: Map<string, string> } | { ok: false; error: string } {
  const labels = new Map<string, string>();
  for (const rawPart of selector.split(",")) {
    const part = rawPart.trim();
    const equals = part.indexOf("=");
    if (equals <= 0 || equals === part.length - 1) {
      return { ok: false, error: `${JSON.stringify(part)} is not of the form key=value` };
    }
    labels.set(part.slice(0, equals), part.slice(equals + 1));
  }
  return { ok: true, labels };
}

/** Creates a PodDisruptionBudget with maxUnavailable 0, so evictions (drains, autoscaler) of the pods are refused. */
export const pdbBlockSpec = defineFaultSpec({
  type: InjectionType.PDBBlock,
  summary: "Creates a PodDisruptionBudget with maxUnavailable: 0 over the selected pods, blocking evictions.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "high",
  defaultTier: 3,
  parameterDocs: [
    { name: "labelSelector", required: true, description: "Pods covered, as key=value pairs separated by commas (no other operators)." },
    { name: "name", required: false, description: "Name of the PodDisruptionBudget; chaos-pdb-<value of the first key> when absent." },
    {
      name: "evict",
      required: false,
      description: "\"true\": once the budget holds, ask the Eviction API to evict one covered pod, so the fault bites; the report says whether it was blocked (this tool only).",
      default: "false",
      values: ["true", "false"],
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.PDBBlock, parameters, context);
    const selector = check.nonEmpty("labelSelector", "key=value pairs such as app=my-operator");
    let labels: Map<string, string> | undefined;
    if (selector !== undefined) {
      const parsed = parseEqualityPairs(selector);
      if (!parsed.ok) {
        check.report("labelSelector", "parameter.label-selector", `invalid labelSelector: ${parsed.error}`, {
          expected: "key=value pairs separated by commas",
          got: JSON.stringify(selector),
        });
      } else {
        labels = parsed.labels;
        for (const [key, value] of labels) {
          const problem = labelKeyProblem(key) ?? labelValueProblem(value);
          if (problem !== undefined) {
            // The Go tool accepts these and the API server then refuses the PodDisruptionBudget.
            check.warn("labelSelector", "parameter.label-selector", `${problem}; the injection would fail`, { got: JSON.stringify(selector) });
          }
        }
      }
    }
    const name = check.value("name");
    if (name !== undefined) {
      check.kubernetesName("name", name);
    } else if (labels !== undefined) {
      const firstKey = [...labels.keys()].sort()[0]!;
      const derived = `chaos-pdb-${labels.get(firstKey)}`;
      if (!isKubernetesName(derived)) {
        check.warn("labelSelector", "parameter.derived-name", `the default PodDisruptionBudget name ${JSON.stringify(derived)} is not a valid name; set name`, {
          expected: "a name parameter",
        });
      }
    }
    const evict = check.value("evict");
    if (evict !== undefined) check.oneOf("evict", evict, ["true", "false"]);
    check.requireHighDanger("PDBBlock");
    return check.issues;
  },
  skeleton: ({ component }) => ({ labelSelector: `app.kubernetes.io/name=${labelValueFrom(component)}` }),
});

const POLICY = "/apis/policy/v1";
const pdbPath = (namespace: string, name: string) => `${POLICY}/namespaces/${namespace}/poddisruptionbudgets/${name}`;
const pdbRef = (namespace: string, name: string): ObjectReference => ({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", name, namespace });

/** The budget's name: the parameter, else chaos-pdb-<value of the alphabetically first key> (the Go tool's rule). */
export function budgetName(parameters: Record<string, string>, labels: Map<string, string>): string {
  if (parameters.name !== undefined) return parameters.name;
  const firstKey = [...labels.keys()].sort()[0]!;
  return `chaos-pdb-${labels.get(firstKey)}`;
}

interface PdbBlockData {
  name: string;
  matchLabels: Record<string, string>;
  pods: string[];
  /** The pod the run asks to evict once the budget holds (parameter evict). */
  evict?: string;
}
type PdbBlockRecord = (PdbBlockData & { runId: string }) | { leftover: { uid: string } };

interface PdbObject extends OwnedObjectMeta {
  metadata: OwnedObjectMeta["metadata"] & { generation?: number };
  status?: { observedGeneration?: number; disruptionsAllowed?: number; expectedPods?: number; currentHealthy?: number };
}

const ttlOf = (context: FaultContext) => {
  const ttl = context.experiment.spec.injection.ttl;
  return ttl ? Duration.parse(ttl).milliseconds || undefined : undefined;
};

/** Holds a PodDisruptionBudget with maxUnavailable 0 over the selected pods; optionally proves it with an eviction. */
export const pdbBlock = defineRunnableFault<PdbBlockData, PdbBlockRecord>(pdbBlockSpec, {
  permissions: (parameters, namespace) => [
    ...["create", "get", "list", "watch", "delete"].map((verb) => ({ verb, group: "policy", resource: "poddisruptionbudgets", namespace })),
    { verb: "list", group: "", resource: "pods", namespace },
    ...(parameters.evict === "true" ? [{ verb: "get", group: "", resource: "pods", namespace }, { verb: "create", group: "", resource: "pods/eviction", namespace }] : []),
  ],

  observedPods: (context, plan) => ({ namespace: context.namespace, labelSelector: Object.entries(plan.data.matchLabels).map(([k, v]) => `${k}=${v}`).join(",") }),

  /**
   * The budget and the pods it covers. Refuses a selector that selects no pod, a name taken by a
   * budget that is not this run's (never shares or replaces one), and an invalid derived name.
   */
  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const parsed = parseEqualityPairs(parameters.labelSelector ?? "");
    if (!parsed.ok) throw new Error(`PDBBlock: invalid labelSelector: ${parsed.error}`);
    const name = budgetName(parameters, parsed.labels);
    if (!isKubernetesName(name)) throw new Error(`PDBBlock: the PodDisruptionBudget name ${JSON.stringify(name)} is not a valid object name; set the name parameter`);
    const { rest } = context.cluster;
    const existing = await readOptional<PdbObject>(rest, pdbPath(context.namespace, name));
    if (existing) {
      throw new Error(`the PodDisruptionBudget ${context.namespace}/${name} already exists (made by ${madeBy(existing)}); PDBBlock neither shares nor replaces it. ` +
        "If it is a leftover, `operator-chaos clean` removes it");
    }
    const matchLabels = Object.fromEntries(parsed.labels);
    const selector = Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`).join(",");
    const pods = await rest.get<{ items: { metadata: { name: string; deletionTimestamp?: string } }[] }>(`/api/v1/namespaces/${context.namespace}/pods`, { query: { labelSelector: selector } });
    const names = pods.items.filter((pod) => !pod.metadata.deletionTimestamp).map((pod) => pod.metadata.name).sort();
    if (names.length === 0) throw new Error(`PDBBlock: labelSelector ${selector} selects no pods in ${context.namespace}: the budget would block nothing; nothing was changed`);
    const evict = parameters.evict === "true" ? names[0]! : undefined;
    return {
      type: InjectionType.PDBBlock,
      targets: [pdbRef(context.namespace, name)],
      summary: `block evictions of ${names.length} pod(s) matching ${selector} in ${context.namespace} (${names.join(", ")}) with the PodDisruptionBudget ${name} (maxUnavailable 0)` +
        (evict ? `, then ask to evict ${evict}` : ""),
      data: { name, matchLabels, pods: names, ...(evict ? { evict } : {}) },
    };
  },

  /** Journals the budget, then creates it (labelled with the run). */
  async inject(context, plan) {
    const data = plan.data;
    const runId = context.journal.owner.runId;
    const record = await context.journal.write<PdbBlockRecord>(InjectionType.PDBBlock, pdbRef(context.namespace, data.name), { ...data, runId },
      ttlOf(context) ? { ttlMs: ttlOf(context)! } : {});
    try {
      await context.cluster.rest.create(`${POLICY}/namespaces/${context.namespace}/poddisruptionbudgets`, {
        apiVersion: "policy/v1", kind: "PodDisruptionBudget",
        metadata: { name: data.name, namespace: context.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TYPE_LABEL]: InjectionType.PDBBlock, [RUN_LABEL]: runId } },
        spec: { maxUnavailable: 0, selector: { matchLabels: data.matchLabels } },
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
      await removeRecord(context.cluster.rest, record).catch(() => {});
      throw new Error(`the PodDisruptionBudget ${context.namespace}/${data.name} appeared after the plan; PDBBlock neither shares nor replaces it, and injected nothing`);
    }
    return [record];
  },

  /**
   * Confirmed once the disruption controller has processed the budget and allows no disruption
   * (a watch); with evict, once an eviction of a covered pod is refused (HTTP 429). An eviction
   * that goes through means the budget does not bite: not confirmed, with that reason.
   */
  async confirm(context, plan) {
    const { name, evict } = plan.data;
    let status: PdbObject["status"];
    try {
      status = await context.cluster.waitForCollection({
        path: `${POLICY}/namespaces/${context.namespace}/poddisruptionbudgets`, fieldSelector: `metadata.name=${name}`,
        timeoutMs: 30_000, signal: context.signal, what: `the disruption controller to process PodDisruptionBudget ${name}`,
      }, (budgets) => {
        const budget = budgets.get(`${context.namespace}/${name}`) as PdbObject | undefined;
        const processed = budget?.status?.observedGeneration !== undefined && budget.status.observedGeneration >= (budget.metadata.generation ?? 1);
        return processed && budget!.status!.disruptionsAllowed === 0 ? budget!.status : undefined;
      });
    } catch (error) {
      return { confirmed: false, reason: (error as Error).message };
    }
    const held = `PodDisruptionBudget ${name} allows 0 disruptions (expectedPods ${status?.expectedPods ?? 0}, currentHealthy ${status?.currentHealthy ?? 0})`;
    if (!evict) return { confirmed: true, evidence: held };
    // The API server lets any terminating pod be "evicted" whatever the budget: a pod someone else is
    // deleting proves nothing either way. The resourceVersion precondition makes a deletion that
    // starts between this read and the eviction a 409 rather than an eviction that seems allowed.
    const podPath = `/api/v1/namespaces/${context.namespace}/pods/${evict}`;
    const beingDeleted = `${held}; pod ${evict} was being deleted by someone else before the eviction request`;
    const pod = await readOptional<{ metadata: { resourceVersion?: string; deletionTimestamp?: string } }>(context.cluster.rest, podPath);
    if (!pod) return { confirmed: true, evidence: `${held}; pod ${evict} was gone before the eviction request` };
    if (pod.metadata.deletionTimestamp) return { confirmed: true, evidence: beingDeleted };
    try {
      await context.cluster.rest.create(`${podPath}/eviction`, {
        apiVersion: "policy/v1", kind: "Eviction", metadata: { name: evict, namespace: context.namespace },
        deleteOptions: { preconditions: { resourceVersion: pod.metadata.resourceVersion } },
      });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 429) {
        return { confirmed: true, evidence: `${held}; eviction of pod ${evict} blocked (HTTP 429: ${error.message.replace(/^POST \S+: /, "")})` };
      }
      if (isNotFound(error)) return { confirmed: true, evidence: `${held}; pod ${evict} was gone before the eviction request` };
      if (isConflict(error)) {
        const now = await readOptional<{ metadata: { deletionTimestamp?: string } }>(context.cluster.rest, podPath);
        if (!now || now.metadata.deletionTimestamp) return { confirmed: true, evidence: beingDeleted };
      }
      return { confirmed: false, reason: `the eviction of pod ${evict} failed unexpectedly: ${(error as Error).message}` };
    }
    return { confirmed: false, reason: `the eviction of pod ${evict} was allowed despite PodDisruptionBudget ${name}: the budget does not block evictions` };
  },

  /** Deletes the budget this run created (or the Go leftover found); idempotent. */
  async revert(context, record) {
    const data = record.data;
    await deleteOwned(context.cluster.rest, pdbPath(record.target.namespace!, record.target.name), "leftover" in data ? data : { runId: data.runId });
  },

  /** Budgets labelled by either tool as PDBBlock that no journal record accounts for (the Go tool's, or ours whose record was lost). */
  async leftovers(context, namespace) {
    const { rest } = context.cluster;
    const path = namespace ? `${POLICY}/namespaces/${namespace}/poddisruptionbudgets` : `${POLICY}/poddisruptionbudgets`;
    const budgets = await rest.get<{ items: PdbObject[] }>(path, { query: { labelSelector: `${managedBySelector},${TYPE_LABEL}=PDBBlock` } });
    if (budgets.items.length === 0) return [];
    const journaled = new Set((await listRecords(rest, namespace)).filter((r) => r.target.kind === "PodDisruptionBudget").map((r) => `${r.target.namespace}/${r.target.name}`));
    return budgets.items
      .filter((item) => !journaled.has(`${item.metadata.namespace}/${item.metadata.name}`))
      .map((item) => ({ type: InjectionType.PDBBlock, target: pdbRef(item.metadata.namespace!, item.metadata.name), data: { leftover: { uid: item.metadata.uid } } }));
  },
});
