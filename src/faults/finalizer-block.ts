import { API_GROUP, InjectionType } from "../experiment/enums.js";
import { unwrapGoRollback } from "../journal/go-rollback.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, ROLLBACK_ANNOTATION, TYPE_LABEL } from "../journal/labels.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import { defineFaultSpec, defineRunnableFault, type RevertRecord } from "./driver.js";
import { describeObject, findAnyObject, groupOf, guardedReplace, guessResource, ttlOf, type KubeObjectBody } from "./object-target.js";
import { checker, isClusterScopedObject } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** The finalizer operator-chaos's controller puts on ChaosExperiments; a fault must never add it elsewhere. */
const CONTROLLER_FINALIZER = "chaos.operatorchaos.io/cleanup";
const DEFAULT_FINALIZER = "chaos.operatorchaos.io/block";
/** Core objects whose stuck deletion affects more than the operator under test. */
const SENSITIVE_CORE_KINDS = ["Secret", "ConfigMap", "ServiceAccount", "PersistentVolume", "PersistentVolumeClaim", "Service", "Endpoints"];
const FINALIZER_FORMAT = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export const finalizerBlockSpec = defineFaultSpec({
  type: InjectionType.FinalizerBlock,
  summary: "Adds a finalizer to an object so that deleting it hangs in Terminating until the fault is reverted.",
  scope: "namespaced",
  scopeNote: "cluster-scoped for apiextensions/apiregistration objects and cluster-scoped kinds",
  scopeFor: (parameters) => (isClusterScopedObject(parameters["apiVersion"], parameters["kind"]) ? "cluster" : "namespaced"),
  persistence: "sustained",
  defaultDangerLevel: "low",
  defaultTier: 3,
  parameterDocs: [
    { name: "apiVersion", required: false, description: "apiVersion of the object.", default: "v1" },
    { name: "kind", required: true, description: "Kind of the object (not Namespace or Node)." },
    { name: "name", required: true, description: "Name of the object." },
    { name: "finalizer", required: false, description: "The finalizer to add.", default: DEFAULT_FINALIZER },
    { name: "finalizerName", required: false, description: "Checked by the Go tool but never used; write finalizer instead." },
    {
      name: "deleteAfterInject",
      required: false,
      description: "\"true\" also deletes the object once the finalizer is on, so it hangs in Terminating until the revert lets the deletion finish (the operator must then recreate it).",
      default: "false",
      values: ["true", "false"],
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.FinalizerBlock, parameters, context);
    const apiVersion = check.value("apiVersion") ?? "";
    const kind = check.nonEmpty("kind", "the object's kind");
    if (kind === "Namespace" || kind === "Node") {
      check.report("kind", "parameter.forbidden-kind", `a finalizer on a ${kind} can block the whole cluster; ${kind} cannot be targeted`);
    }
    if (kind === "ChaosExperiment" && (apiVersion === "" || apiVersion.includes(API_GROUP))) {
      check.report("kind", "parameter.self-target", "operator-chaos's own ChaosExperiments cannot be targeted");
    }
    const name = check.nonEmpty("name", "the object's name");
    if (name !== undefined) check.targetName("name", name);
    const finalizerName = check.value("finalizerName");
    if (finalizerName === CONTROLLER_FINALIZER) {
      check.report("finalizerName", "parameter.reserved-finalizer", `${CONTROLLER_FINALIZER} belongs to operator-chaos's controller`);
    } else if (finalizerName !== undefined) {
      check.warn("finalizerName", "parameter.ignored", "finalizerName is never used; the finalizer added is the one in finalizer", {
        expected: "finalizer",
      });
    }
    const finalizer = check.value("finalizer");
    if (finalizer === CONTROLLER_FINALIZER) {
      // The Go tool only guards finalizerName, so this file is accepted there: a warning keeps compatibility.
      check.warn("finalizer", "parameter.reserved-finalizer", `${CONTROLLER_FINALIZER} belongs to operator-chaos's controller; use another finalizer`);
    } else if (finalizer !== undefined && !FINALIZER_FORMAT.test(finalizer)) {
      check.warn("finalizer", "parameter.finalizer-format", "the API server will reject this finalizer", {
        expected: "a qualified name such as example.com/block",
        got: JSON.stringify(finalizer),
      });
    }
    const deleteAfterInject = check.value("deleteAfterInject");
    if (deleteAfterInject !== undefined) check.oneOf("deleteAfterInject", deleteAfterInject, ["true", "false"]);
    if ((apiVersion === "" || apiVersion === "v1") && kind !== undefined && SENSITIVE_CORE_KINDS.includes(kind)) {
      check.requireHighDanger(`FinalizerBlock on a core ${kind}`);
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({ apiVersion: "apps/v1", kind: "Deployment", name: objectNameFrom(component), finalizer: DEFAULT_FINALIZER }),
});

/**
 * Adds a finalizer, so a deletion of the object hangs in Terminating until the fault is reverted.
 * It bites only when something deletes the object: `deleteAfterInject: "true"` asks for that
 * deletion, journaled with the finalizer. Reads `finalizer` (the parameter the validator checks; the
 * Go tool validated `finalizerName` and injected `finalizer`); a finalizer already present is refused.
 * The revert removes exactly that finalizer (nothing else on the object changes), which lets a
 * pending deletion finish.
 */
export const finalizerBlock = defineRunnableFault<FinalizerBlockData, FinalizerBlockRecord>(finalizerBlockSpec, {
  permissions: (parameters, namespace) => {
    const apiVersion = parameters.apiVersion || "v1";
    const cluster = isClusterScopedObject(apiVersion, parameters.kind);
    const verbs = ["get", "list", "watch", "update", ...(parameters.deleteAfterInject === "true" ? ["delete"] : [])];
    return verbs.map((verb) => ({ verb, group: groupOf(apiVersion), resource: guessResource(parameters.kind ?? ""), ...(cluster ? {} : { namespace }) }));
  },

  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const finalizer = parameters.finalizer ?? DEFAULT_FINALIZER;
    if (finalizer === CONTROLLER_FINALIZER) throw new Error(`${CONTROLLER_FINALIZER} belongs to operator-chaos's controller; FinalizerBlock refuses to add it`);
    const found = await findAnyObject(context.cluster, parameters.apiVersion || "v1", parameters.kind ?? "", parameters.name ?? "", context.namespace);
    if (found.object.metadata.deletionTimestamp) throw new Error(`${describeObject(found.ref)} is already being deleted`);
    if ((found.object.metadata.finalizers ?? []).includes(finalizer)) {
      throw new Error(`${describeObject(found.ref)} already carries the finalizer ${finalizer}: the fault would change nothing, and its revert would remove a finalizer it did not add`);
    }
    const deleteAfterInject = parameters.deleteAfterInject === "true";
    return {
      type: InjectionType.FinalizerBlock,
      targets: [found.ref],
      summary: `add the finalizer ${finalizer} to ${describeObject(found.ref)}${deleteAfterInject ? ", then delete it (it hangs in Terminating until the revert)" : ""}`,
      data: { path: found.path, uid: found.object.metadata.uid ?? "", finalizer, deleteAfterInject },
    };
  },

  async inject(context, plan) {
    const data = plan.data;
    const ttlMs = ttlOf(context);
    const record = await context.journal.write<FinalizerBlockRecord>(InjectionType.FinalizerBlock, plan.targets[0]!, data, ttlMs ? { ttlMs } : {});
    const added = await guardedReplace(context.cluster, data.path, (object) => {
      if (object.metadata.uid !== data.uid || (object.metadata.finalizers ?? []).includes(data.finalizer)) return undefined;
      object.metadata.finalizers = [...(object.metadata.finalizers ?? []), data.finalizer];
      return object;
    });
    if (!added) return [record];
    data.acceptedAt = new Date().toISOString();
    if (data.deleteAfterInject) {
      try {
        await context.cluster.rest.delete(data.path, { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: data.uid } });
      } catch (error) {
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
    }
    return [record];
  },

  /**
   * Confirmed once the finalizer was accepted; with deleteAfterInject, once a watch sees the object
   * (same UID) in Terminating, held there by the finalizer.
   */
  async confirm(context, plan) {
    const data = plan.data;
    if (data.acceptedAt === undefined) return false;
    if (!data.deleteAfterInject) return true;
    const target = plan.targets[0]!;
    try {
      return await context.cluster.waitForCollection({
        path: data.path.slice(0, data.path.lastIndexOf("/")), fieldSelector: `metadata.name=${target.name}`,
        timeoutMs: 30_000, signal: context.signal, what: `${describeObject(target)} to hang in Terminating`,
      }, (objects) => {
        const object = [...objects.values()].find((each) => each.metadata?.uid === data.uid);
        return object?.metadata?.deletionTimestamp ? true : undefined;
      });
    } catch {
      return false;
    }
  },

  /** Removes the finalizer it added (and nothing else); a pending deletion then finishes. Idempotent. */
  async revert(context, record) {
    const data = record.data;
    const finalizer = "goTool" in data ? data.goTool.finalizer : data.finalizer;
    if (finalizer === undefined) throw new Error(`the Go tool's rollback data on ${data.path} names no finalizer; left unchanged`);
    await guardedReplace(context.cluster, data.path, (object) => {
      const goTool = "goTool" in data;
      const has = (object.metadata.finalizers ?? []).includes(finalizer);
      if (!has && !(goTool && object.metadata.annotations?.[ROLLBACK_ANNOTATION] !== undefined)) return undefined;
      object.metadata.finalizers = (object.metadata.finalizers ?? []).filter((each) => each !== finalizer);
      if (goTool) {
        if (object.metadata.annotations) delete object.metadata.annotations[ROLLBACK_ANNOTATION];
        if (object.metadata.labels) {
          delete object.metadata.labels[TYPE_LABEL];
          if (object.metadata.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) delete object.metadata.labels[MANAGED_BY_LABEL];
        }
      }
      return object;
    });
  },

  /** The Go tool's FinalizerBlock leftovers on the kinds its `clean` scans: its rollback annotation naming the finalizer. */
  async leftovers(context, namespace) {
    const found: RevertRecord<FinalizerBlockRecord>[] = [];
    for (const [apiVersion, kind] of GO_CLEAN_KINDS) {
      const base = apiVersion === "v1" ? "/api/v1" : `/apis/${apiVersion}`;
      const resource = guessResource(kind);
      const list = await context.cluster.rest.get<{ items: KubeObjectBody[] }>(namespace ? `${base}/namespaces/${namespace}/${resource}` : `${base}/${resource}`, {
        query: { labelSelector: `${TYPE_LABEL}=${InjectionType.FinalizerBlock}` },
      });
      for (const item of list.items) {
        const annotation = item.metadata.annotations?.[ROLLBACK_ANNOTATION];
        if (!annotation) continue;
        let payload: { finalizer?: unknown };
        try {
          payload = unwrapGoRollback(annotation) as { finalizer?: unknown };
        } catch {
          continue; // not readable as the Go tool's data: left for a person
        }
        if (typeof payload.finalizer !== "string") continue;
        const where = item.metadata.namespace ?? "";
        found.push({
          type: InjectionType.FinalizerBlock,
          target: { apiVersion, kind, name: item.metadata.name, namespace: where },
          data: { path: `${base}/namespaces/${where}/${resource}/${item.metadata.name}`, goTool: { finalizer: payload.finalizer } },
        });
      }
    }
    return found;
  },
});

const GO_CLEAN_KINDS = [
  ["apps/v1", "Deployment"], ["v1", "ConfigMap"], ["v1", "Secret"], ["v1", "Service"], ["apps/v1", "StatefulSet"], ["apps/v1", "DaemonSet"], ["batch/v1", "Job"],
] as const;

/** The plan and the journal record: the object (by UID), the finalizer added, whether it was also deleted. */
interface FinalizerBlockData {
  path: string;
  uid: string;
  finalizer: string;
  deleteAfterInject: boolean;
  /** Set by inject once the API server accepted the finalizer (not journaled). */
  acceptedAt?: string;
}

type FinalizerBlockRecord = FinalizerBlockData | { path: string; goTool: { finalizer?: string } };
