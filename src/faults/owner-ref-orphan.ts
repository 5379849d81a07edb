import { API_GROUP, InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault } from "./driver.js";
import { findNamespacedObject, guardedMergePatch, liveOwnerReferences, objectPermissions, ttlOf, type OwnerReference } from "./object-target.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

export const ownerRefOrphanSpec = defineFaultSpec({
  type: InjectionType.OwnerRefOrphan,
  summary: "Clears an object's ownerReferences, orphaning it from its owner.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "medium",
  defaultTier: 3,
  parameterDocs: [
    { name: "apiVersion", required: true, description: "apiVersion of the object." },
    { name: "kind", required: true, description: "Kind of the object (not Namespace or Node)." },
    { name: "name", required: true, description: "Name of the object." },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.OwnerRefOrphan, parameters, context);
    const apiVersion = check.nonEmpty("apiVersion", "the object's apiVersion");
    const kind = check.nonEmpty("kind", "the object's kind");
    if (kind === "Namespace" || kind === "Node") {
      check.report("kind", "parameter.forbidden-kind", `${kind} objects cannot be targeted`);
    }
    if (kind === "ChaosExperiment" && (apiVersion === undefined || apiVersion.includes(API_GROUP))) {
      check.report("kind", "parameter.self-target", "operator-chaos's own ChaosExperiments cannot be targeted");
    }
    const name = check.nonEmpty("name", "the object's name");
    if (name !== undefined) check.targetName("name", name);
    return check.issues;
  },
  skeleton: ({ component }) => ({ apiVersion: "apps/v1", kind: "Deployment", name: objectNameFrom(component) }),
});

/**
 * Removes every ownerReference of an object; the operator is expected to adopt it again. The
 * original references are journaled apart (nothing but the references changes on the target), and
 * the revert puts them back only while the object is still orphaned, and only those whose owner
 * still exists (a reference to a deleted owner would make the garbage collector delete the object).
 */
export const ownerRefOrphan = defineRunnableFault<OwnerRefOrphanData, OwnerRefOrphanData>(ownerRefOrphanSpec, {
  permissions: (parameters, namespace) => objectPermissions(parameters.apiVersion ?? "", parameters.kind ?? "", namespace, ["get", "list", "watch", "patch"]),

  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const found = await findNamespacedObject(context.cluster, parameters.apiVersion ?? "", parameters.kind ?? "", parameters.name ?? "", context.namespace);
    const ownerReferences = found.object.metadata.ownerReferences ?? [];
    if (ownerReferences.length === 0) throw new Error(`${found.ref.kind} ${context.namespace}/${found.ref.name} has no ownerReferences to orphan`);
    return {
      type: InjectionType.OwnerRefOrphan,
      targets: [found.ref],
      summary: `remove the ${ownerReferences.length} ownerReference(s) of ${found.ref.kind} ${context.namespace}/${found.ref.name} (${ownerReferences.map((o) => `${o.kind}/${o.name}`).join(", ")})`,
      data: { path: found.path, ownerReferences },
    };
  },

  /** The operator's repair: the object is owned again by its first (normally its controller) owner. */
  repairChecks(plan) {
    const target = plan.targets[0]!;
    const controller = plan.data.ownerReferences.findIndex((owner) => owner.controller);
    const index = controller >= 0 ? controller : 0;
    return [{
      type: "fieldEquals", apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace,
      fieldPath: `metadata.ownerReferences[${index}].uid`, expectedValue: plan.data.ownerReferences[index]!.uid,
    }];
  },

  async inject(context, plan) {
    const data = plan.data;
    const ttlMs = ttlOf(context);
    const record = await context.journal.write(InjectionType.OwnerRefOrphan, plan.targets[0]!, data, ttlMs ? { ttlMs } : {});
    const written = await guardedMergePatch(context.cluster, data.path, (object) => (object ? { metadata: { ownerReferences: [] } } : undefined));
    if (written) data.acceptedAt = new Date().toISOString();
    return [record];
  },

  async confirm(_context, plan) {
    return plan.data.acceptedAt !== undefined;
  },

  /** Restores the references while the object has none (an operator that re-adopted it is left alone); idempotent. */
  async revert(context, record) {
    const { path, ownerReferences } = record.data;
    const live = await liveOwnerReferences(context.cluster, record.target.namespace ?? context.namespace, ownerReferences);
    if (live.length === 0) return;
    await guardedMergePatch(context.cluster, path, (object) => {
      if (!object || (object.metadata.ownerReferences ?? []).length > 0) return undefined;
      return { metadata: { ownerReferences: live } };
    });
  },
});

/** The plan and the journal record: the object's path and its references before the fault. */
interface OwnerRefOrphanData {
  path: string;
  ownerReferences: OwnerReference[];
  /** Set by inject once the API server accepted the change (not journaled). */
  acceptedAt?: string;
}
