import { issue } from "../experiment/diagnostic.js";
import { InjectionType } from "../experiment/enums.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import { defineFaultSpec, defineRunnableFault } from "./driver.js";
import { checker } from "./parameters.js";
import { labelValueFrom } from "./skeleton-values.js";
import { randomSubset } from "./runtime.js";

export const podKillSpec = defineFaultSpec({
  type: InjectionType.PodKill,
  summary: "Deletes `count` random pods matching a label selector, with no grace period.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "low",
  defaultTier: 1,
  parameterDocs: [
    {
      name: "labelSelector",
      required: true,
      description: "Selects the candidate pods, e.g. app=my-operator. Must have at least one requirement.",
    },
    {
      name: "allowBarePods",
      required: false,
      description: "\"true\" also kills pods that no controller owns (nothing will recreate them). Off by default.",
      default: "false",
      values: ["true", "false"],
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.PodKill, parameters, context);
    check.labelSelector("labelSelector");
    if (context.maxPodsAffected !== undefined && context.count > context.maxPodsAffected) {
      check.issues.push(
        issue(["count"], "blast-radius.count", `PodKill would kill ${context.count} pods, more than blastRadius.maxPodsAffected`, {
          expected: `at most ${context.maxPodsAffected}`,
          got: String(context.count),
        }),
      );
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({ labelSelector: `app.kubernetes.io/name=${labelValueFrom(component)}` }),
});

/** Force-deletes pods (grace period 0); their controller is expected to replace them. */
export const podKill = defineRunnableFault<PodKillData, PodKillRecord>(podKillSpec, {
  permissions: (_parameters, namespace) =>
    ["list", "get", "watch", "delete"].map((verb) => ({ verb, group: "", resource: "pods", namespace })),

  observedPods: (context) => ({ namespace: context.namespace, labelSelector: context.experiment.spec.injection.parameters?.labelSelector ?? "" }),

  /**
   * Candidates: pods matching the selector that are not already terminating and that a controller
   * owns (a bare pod would never come back) unless allowBarePods is "true". Then `count` at random.
   */
  async plan(context) {
    const { rest } = context.cluster;
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const selector = parameters.labelSelector ?? "";
    const pods = await rest.get<{ items: PodSummary[] }>(`/api/v1/namespaces/${context.namespace}/pods`, { query: { labelSelector: selector } });
    const live = pods.items.filter((pod) => !pod.metadata.deletionTimestamp);
    const candidates = parameters.allowBarePods === "true" ? live : live.filter((pod) => pod.metadata.ownerReferences?.some((owner) => owner.controller));
    if (candidates.length === 0) {
      const why = live.length > 0 ? ` (${live.length} match but no controller owns them; set allowBarePods: "true" to kill them anyway)` : "";
      throw new Error(`no pods to kill: none matching ${selector} in ${context.namespace}${why}`);
    }
    const count = Math.max(1, context.experiment.spec.injection.count ?? 1);
    const chosen = randomSubset(candidates, count);
    return {
      type: InjectionType.PodKill,
      targets: chosen.map((pod) => ({ apiVersion: "v1", kind: "Pod", name: pod.metadata.name, namespace: context.namespace })),
      summary: `kill ${chosen.length} pod(s) of ${candidates.length} candidate(s) matching ${selector}: ${chosen.map((p) => p.metadata.name).join(", ")}`,
      data: { pods: chosen.map((pod) => ({ name: pod.metadata.name, uid: pod.metadata.uid })) },
    };
  },

  /** Force-deletes each chosen pod, guarded by its UID so a same-named replacement is never hit. */
  async inject(context, plan) {
    const { rest } = context.cluster;
    const records = [];
    for (const pod of plan.data.pods) {
      const target = { apiVersion: "v1", kind: "Pod", name: pod.name, namespace: context.namespace };
      records.push(await context.journal.write<PodKillRecord>(InjectionType.PodKill, target, { uid: pod.uid }));
      try {
        await rest.delete(`/api/v1/namespaces/${context.namespace}/pods/${pod.name}`, {
          apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid: pod.uid },
        });
      } catch (error) {
        // Already gone (or replaced) is what we wanted anyway.
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
    }
    return records;
  },

  /** Confirmed once no chosen pod (by UID) is left, as seen by a watch; bounded by a deadline. */
  async confirm(context, plan) {
    const uids = new Set(plan.data.pods.map((pod) => pod.uid));
    try {
      await context.cluster.waitForCollection({
        path: `/api/v1/namespaces/${context.namespace}/pods`, timeoutMs: 30_000, signal: context.signal, what: "the killed pods to be gone",
      }, (pods) => ([...pods.values()].some((pod) => uids.has(String(pod.metadata?.uid))) ? undefined : true));
      return true;
    } catch {
      return false;
    }
  },

  /** Nothing to restore: a killed pod's controller replaces it. The record only documents the kill. */
  async revert() {},
});

interface PodSummary {
  metadata: {
    name: string;
    uid: string;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
}

interface PodKillData {
  pods: { name: string; uid: string }[];
}

/** One killed pod, by UID. */
interface PodKillRecord {
  uid: string;
}
