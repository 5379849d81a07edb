import { createHash } from "node:crypto";
import { Duration } from "../experiment/duration.js";
import { InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault, type FaultContext, type ObjectReference, type RevertRecord } from "./driver.js";
import { parseLabelSelector, type SelectorRequirement } from "./label-selector.js";
import { checker } from "./parameters.js";
import { labelValueFrom } from "./skeleton-values.js";
import { listRecords, removeRecord } from "../journal/journal.js";
import { EXPIRES_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL, TYPE_LABEL, managedBySelector } from "../journal/labels.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";

/** The prefix of every partition policy's name, shared with the Go tool so either tool's `clean` finds the other's. */
export const POLICY_NAME_PREFIX = "operator-chaos-np-";
const MAX_POLICY_NAME = 63;
const POLICIES = "/apis/networking.k8s.io/v1";

/** metav1.LabelSelector, as a NetworkPolicy's podSelector. */
export interface PodSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export type PodSelectorResult = { ok: true; podSelector: PodSelector } | { ok: false; error: string };

/**
 * Translates a label selector string into a podSelector that selects exactly the same pods, or says
 * why it cannot. Every requirement has an exact counterpart (`!=` is NotIn, which like `!=` also
 * matches pods without the key) except `>` and `<`, which a podSelector cannot express: those are
 * refused, never dropped, because dropping a requirement would isolate pods the selector excludes.
 */
export function podSelectorFor(selector: string): PodSelectorResult {
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) return { ok: false, error: `labelSelector ${JSON.stringify(selector)} does not parse: ${parsed.error}` };
  if (parsed.requirements.length === 0) {
    return { ok: false, error: "an empty labelSelector would partition every pod of the namespace; name the pods to isolate" };
  }
  const numeric = parsed.requirements.filter((requirement) => requirement.operator === ">" || requirement.operator === "<");
  if (numeric.length > 0) {
    return {
      ok: false,
      error: `a NetworkPolicy podSelector cannot express ${numeric.map(requirementText).join(", ")} (only =, !=, in, notin, exists and !), ` +
        `and leaving it out would isolate pods that labelSelector ${JSON.stringify(selector)} excludes; list the values with "in (…)" instead`,
    };
  }
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<PodSelector["matchExpressions"]> = [];
  const expression = (key: string, operator: "In" | "NotIn" | "Exists" | "DoesNotExist", values?: readonly string[]) => {
    matchExpressions.push({ key, operator, ...(values ? { values: [...new Set(values)] } : {}) });
  };
  for (const requirement of parsed.requirements) {
    const { key, values } = requirement;
    switch (requirement.operator) {
      case "=":
      case "==": {
        const value = values[0]!;
        // matchLabels holds one value per key; a second equality on the same key is the same requirement as In.
        if (!(key in matchLabels)) matchLabels[key] = value;
        else if (matchLabels[key] !== value) expression(key, "In", [value]);
        break;
      }
      case "!=":
        expression(key, "NotIn", values);
        break;
      case "in":
        expression(key, "In", values);
        break;
      case "notin":
        expression(key, "NotIn", values);
        break;
      case "exists":
        expression(key, "Exists");
        break;
      case "!":
        expression(key, "DoesNotExist");
        break;
      default:
        return { ok: false, error: `a NetworkPolicy podSelector cannot express ${requirementText(requirement)}` };
    }
  }
  return {
    ok: true,
    podSelector: {
      ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
      ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
    },
  };
}

/**
 * The partition policy's name, derived from the selector by the Go tool's rule so that the same
 * experiment gets the same name from either tool: lower-case, every character other than a-z, 0-9
 * and '-' becomes '-'; past 63 characters, the first 54 are kept and '-' plus the first 8 hex digits
 * of the SHA-256 of the selector (as written) are appended; trailing '-' and '.' are trimmed.
 */
export function partitionPolicyName(selector: string): string {
  const hash = createHash("sha256").update(selector, "utf8").digest("hex");
  // One '-' per code point, as a regular expression over runes does.
  let name = POLICY_NAME_PREFIX + selector.toLowerCase().replace(/[^a-z0-9-]/gu, "-");
  if (name.length > MAX_POLICY_NAME) name = `${name.slice(0, 54)}-${hash.slice(0, 8)}`;
  name = name.replace(/[-.]+$/, "");
  return name === "" ? POLICY_NAME_PREFIX + hash.slice(0, 16) : name;
}

export const networkPartitionSpec = defineFaultSpec({
  type: InjectionType.NetworkPartition,
  summary: "Isolates pods matching a label selector with a deny-all (ingress and egress) NetworkPolicy.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "medium",
  defaultTier: 2,
  parameterDocs: [
    {
      name: "labelSelector",
      required: true,
      description: "Selects the pods to isolate, e.g. app=my-operator. Must have at least one requirement.",
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.NetworkPartition, parameters, context);
    const requirements = check.labelSelector("labelSelector");
    // A NetworkPolicy podSelector has no "greater than"/"less than"; the run refuses such a selector.
    const numeric = requirements?.filter((requirement) => requirement.operator === ">" || requirement.operator === "<") ?? [];
    if (numeric.length > 0) {
      check.warn("labelSelector", "parameter.label-selector", "a NetworkPolicy cannot express > or < requirements; the run will refuse this selector rather than isolate more pods than it selects", {
        got: numeric.map(requirementText).join(", "),
      });
    }
    if (check.has("direction")) {
      check.warn("direction", "parameter.ignored", "direction is ignored: the partition always blocks both ingress and egress", {
        got: JSON.stringify(check.value("direction")),
      });
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({ labelSelector: `app.kubernetes.io/name=${labelValueFrom(component)}` }),
});

/** Cuts the selected pods off the network with a deny-all NetworkPolicy until reverted. */
export const networkPartition = defineRunnableFault<NetworkPartitionData, NetworkPartitionRecord | LeftoverData>(networkPartitionSpec, {
  permissions: (_parameters, namespace) => [
    ...["create", "get", "delete", "list", "watch"].map((verb) => ({ verb, group: "networking.k8s.io", resource: "networkpolicies", namespace })),
    { verb: "list", group: "", resource: "pods", namespace },
  ],

  observedPods: (context) => ({ namespace: context.namespace, labelSelector: selectorOf(context) }),

  /**
   * The policy and the pods it will isolate (the targets, so blastRadius.maxPodsAffected counts the
   * real pods). Refuses a selector a podSelector cannot express exactly, a selector that matches no
   * pod, and a name already taken by another policy (never shares or replaces it).
   */
  async plan(context) {
    const selector = selectorOf(context);
    const converted = podSelectorFor(selector);
    if (!converted.ok) throw new Error(`NetworkPartition refuses this selector: ${converted.error}`);
    const policy = partitionPolicyName(selector);
    const { rest } = context.cluster;
    const existing = await readPolicy(rest, context.namespace, policy);
    if (existing) {
      const run = existing.metadata.labels?.[RUN_LABEL];
      const owner = run ? `run ${run} of operator-chaos` : "another tool or a person";
      throw new Error(`the NetworkPolicy ${context.namespace}/${policy} already exists (made by ${owner}); ` +
        "NetworkPartition neither shares nor replaces it. If it is a leftover, `operator-chaos clean` removes it");
    }
    const pods = await rest.get<{ items: { metadata: { name: string } }[] }>(`/api/v1/namespaces/${context.namespace}/pods`, { query: { labelSelector: selector } });
    if (pods.items.length === 0) throw new Error(`no pods match ${selector} in ${context.namespace}: the partition would isolate nothing`);
    const names = pods.items.map((pod) => pod.metadata.name).sort();
    const data: NetworkPartitionData = { policy, selector, podSelector: converted.podSelector, pods: names };
    return {
      type: InjectionType.NetworkPartition,
      targets: names.map((name) => ({ apiVersion: "v1", kind: "Pod", name, namespace: context.namespace })),
      summary: `isolate ${names.length} pod(s) matching ${selector} in ${context.namespace} (${names.join(", ")}) with the deny-all NetworkPolicy ${policy}`,
      data,
      // Isolated, not killed: a pod replaced meanwhile was restarted by something else.
      podsSurvive: true,
    };
  },

  /** Journals the policy, then creates it. A policy of that name made meanwhile by anyone else is refused. */
  async inject(context, plan) {
    const journal = context.journal;
    const data = plan.data;
    const ttlMs = ttlOf(context);
    const runId = journal.owner.runId;
    const record = await journal.write(InjectionType.NetworkPartition, policyRef(context.namespace, data.policy), { ...data, runId } satisfies NetworkPartitionRecord, ttlMs ? { ttlMs } : {});
    const expires = ttlMs ? rfc3339(new Date(context.now().getTime() + ttlMs)) : undefined;
    try {
      await context.cluster.rest.create(`${POLICIES}/namespaces/${context.namespace}/networkpolicies`, {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: {
          name: data.policy,
          namespace: context.namespace,
          labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TYPE_LABEL]: InjectionType.NetworkPartition, [RUN_LABEL]: runId },
          ...(expires ? { annotations: { [EXPIRES_ANNOTATION]: expires } } : {}),
        },
        // No ingress or egress rule: every connection into and out of the selected pods is denied.
        spec: { podSelector: data.podSelector, policyTypes: ["Ingress", "Egress"] },
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Someone else's policy took the name after the plan; nothing of ours was created.
      await removeRecord(context.cluster.rest, record).catch(() => {});
      throw new Error(`the NetworkPolicy ${context.namespace}/${data.policy} appeared after the plan; NetworkPartition neither shares nor replaces it, and injected nothing`);
    }
    return [record];
  },

  /**
   * Evidence: a watch sees the policy this run created — but a policy proves nothing by itself (a
   * network plugin may not enforce NetworkPolicy), so the confirmation asks for an observed effect
   * while the fault is held: the reconcile probe left unrepaired, the steady state lost, or the
   * partitioned pods' leader Lease no longer renewed. Without one the run says so and is not Resilient.
   */
  async confirm(context, plan) {
    const { policy } = plan.data;
    const runId = context.journal.owner.runId;
    try {
      await context.cluster.waitForCollection({
        path: `${POLICIES}/namespaces/${context.namespace}/networkpolicies`, fieldSelector: `metadata.name=${policy}`,
        timeoutMs: 30_000, signal: context.signal, what: `the NetworkPolicy ${policy}`,
      }, (policies) => {
        const labels = policies.get(`${context.namespace}/${policy}`)?.metadata?.labels as Record<string, string> | undefined;
        return labels?.[RUN_LABEL] === runId ? true : undefined;
      });
      return { confirmed: true, evidence: `NetworkPolicy ${context.namespace}/${policy} in place`, needsObservedEffect: true };
    } catch {
      return { confirmed: false, reason: `the NetworkPolicy ${context.namespace}/${policy} was not seen within 30s` };
    }
  },

  /**
   * Deletes the policy, but only the one this run created (its run label) or, for a Go tool
   * leftover, the very object found (its UID). Gone already is fine; idempotent.
   */
  async revert(context, record) {
    const { rest } = context.cluster;
    const data = record.data;
    const path = `${POLICIES}/namespaces/${record.target.namespace}/networkpolicies/${record.target.name}`;
    let current: PolicyObject;
    try {
      current = await rest.get<PolicyObject>(path);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const ours = "leftover" in data ? current.metadata.uid === data.leftover.uid : current.metadata.labels?.[RUN_LABEL] === data.runId;
    // Not the policy this record describes (the create was refused, or it was replaced): not ours to delete.
    if (!ours) return;
    try {
      await rest.delete(path, { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: current.metadata.uid } });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  },

  /**
   * Partition policies no journal record accounts for: the Go tool's (labelled managed-by
   * operator-chaos and type NetworkPartition, or past their `expires` annotation), and ours whose
   * record was lost. Policies of our own runs, live or dead, are left to their journal records.
   */
  async leftovers(context, namespace) {
    const { rest } = context.cluster;
    const path = namespace ? `${POLICIES}/namespaces/${namespace}/networkpolicies` : `${POLICIES}/networkpolicies`;
    const policies = await rest.get<{ items: PolicyObject[] }>(path, { query: { labelSelector: managedBySelector } });
    if (policies.items.length === 0) return [];
    const journaled = new Set((await listRecords(rest, namespace))
      .filter((record) => record.target.kind === "NetworkPolicy")
      .map((record) => `${record.target.namespace}/${record.target.name}`));
    const now = context.now().getTime();
    const found: RevertRecord<LeftoverData>[] = [];
    for (const item of policies.items) {
      const { name, namespace: policyNamespace, uid } = item.metadata;
      if (journaled.has(`${policyNamespace}/${name}`)) continue;
      const expires = item.metadata.annotations?.[EXPIRES_ANNOTATION];
      // As the Go tool reads it: an unreadable expiry counts as expired.
      const expired = expires !== undefined && !(Date.parse(expires) > now);
      if (item.metadata.labels?.[TYPE_LABEL] !== InjectionType.NetworkPartition && !expired) continue;
      found.push({ type: InjectionType.NetworkPartition, target: policyRef(policyNamespace, name), data: { leftover: { uid } } satisfies LeftoverData });
    }
    return found;
  },
});

/** Kept in plan.data. */
interface NetworkPartitionData {
  policy: string;
  selector: string;
  podSelector: PodSelector;
  /** The pods selected at plan time (the policy also applies to pods created later with those labels). */
  pods: string[];
}

/** The journal record: the plan data and the run whose label the created policy carries. */
interface NetworkPartitionRecord extends NetworkPartitionData {
  runId: string;
}

/** A policy found by `leftovers`: deleted only if it is still that object. */
interface LeftoverData {
  leftover: { uid: string };
}

interface PolicyObject {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

const selectorOf = (context: FaultContext) => context.experiment.spec.injection.parameters?.labelSelector ?? "";
const policyRef = (namespace: string, name: string): ObjectReference => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name, namespace });
const requirementText = (requirement: SelectorRequirement) => `${requirement.key} ${requirement.operator} ${requirement.values.join(",")}`.trim();
/** RFC 3339 in whole seconds, as the Go tool writes (and parses) the expiry. */
const rfc3339 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");
const ttlOf = (context: FaultContext) => {
  const ttl = context.experiment.spec.injection.ttl;
  return ttl ? Duration.parse(ttl).milliseconds || undefined : undefined;
};

async function readPolicy(rest: KubeRest, namespace: string, name: string): Promise<PolicyObject | undefined> {
  try {
    return await rest.get<PolicyObject>(`${POLICIES}/namespaces/${namespace}/networkpolicies/${name}`);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
