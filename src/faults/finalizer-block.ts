import { API_GROUP, InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker, isClusterScopedObject } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** The finalizer operator-chaos's controller puts on ChaosExperiments; a fault must never add it elsewhere. */
const CONTROLLER_FINALIZER = "chaos.operatorchaos.io/cleanup";
const DEFAULT_FINALIZER = "chaos.operatorchaos.io/block";
/** Core objects whose stuck deletion affects more than the operator under test. */
const SENSITIVE_CORE_KINDS = ["Secret", "ConfigMap", "ServiceAccount", "PersistentVolume", "PersistentVolumeClaim", "Service", "Endpoints"];
const FINALIZER_FORMAT = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Adds a finalizer, so a deletion of the object (by the operator or a test) hangs until reverted. */
export const finalizerBlock = defineFaultDriver({
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
    if ((apiVersion === "" || apiVersion === "v1") && kind !== undefined && SENSITIVE_CORE_KINDS.includes(kind)) {
      check.requireHighDanger(`FinalizerBlock on a core ${kind}`);
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({ apiVersion: "apps/v1", kind: "Deployment", name: objectNameFrom(component), finalizer: DEFAULT_FINALIZER }),
});
