import { API_GROUP, InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker, isClusterScopedObject, MAX_PARAMETER_VALUE_BYTES, type ParameterChecker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

const PATH_SEGMENT = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;

/** Paths that identify the object; changing them is not a mutation but a different object. */
const PROTECTED_PATHS = [
  "apiVersion",
  "kind",
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "metadata.resourceVersion",
  "metadata.generation",
  "metadata.creationTimestamp",
  "metadata.deletionTimestamp",
  "metadata.deletionGracePeriodSeconds",
];

/** Fields that change what runs or with which privileges; mutating them needs dangerLevel: high. */
export const SENSITIVE_FIELDS = [
  "replicas",
  "serviceAccountName",
  "serviceAccount",
  "hostNetwork",
  "hostPID",
  "hostIPC",
  "securityContext",
  "volumes",
  "containers",
  "initContainers",
  "nodeName",
  "nodeSelector",
  "template",
  "selector",
  "strategy",
  "updateStrategy",
  "affinity",
  "tolerations",
  "priorityClassName",
  "runtimeClassName",
  "automountServiceAccountToken",
  "dnsPolicy",
  "shareProcessNamespace",
  "schedulerName",
] as const;

/** API groups of built-in Kubernetes (and OpenShift route) objects; mutating those needs dangerLevel: high. */
const CORE_GROUP_PREFIXES = [
  "apps/",
  "batch/",
  "networking.k8s.io/",
  "policy/",
  "rbac.authorization.k8s.io/",
  "storage.k8s.io/",
  "admissionregistration.k8s.io/",
  "authentication.k8s.io/",
  "authorization.k8s.io/",
  "autoscaling/",
  "certificates.k8s.io/",
  "coordination.k8s.io/",
  "discovery.k8s.io/",
  "events.k8s.io/",
  "flowcontrol.apiserver.k8s.io/",
  "node.k8s.io/",
  "scheduling.k8s.io/",
  "apiextensions.k8s.io/",
  "apiregistration.k8s.io/",
  "route.openshift.io/",
];

export function isCoreApiVersion(apiVersion: string): boolean {
  return apiVersion === "v1" || CORE_GROUP_PREFIXES.some((prefix) => apiVersion.startsWith(prefix));
}

/** Sets one field of any object (typically the operator's custom resource) to another value. */
export const crdMutation = defineFaultDriver({
  type: InjectionType.CRDMutation,
  summary: "Sets one field of an object (typically a custom resource) to another value with a merge patch.",
  scope: "namespaced",
  scopeNote: "cluster-scoped for apiextensions/apiregistration objects and cluster-scoped kinds",
  scopeFor: (parameters) => (isClusterScopedObject(parameters["apiVersion"], parameters["kind"]) ? "cluster" : "namespaced"),
  persistence: "instantaneous",
  defaultDangerLevel: "medium",
  defaultTier: 3,
  parameterDocs: [
    { name: "apiVersion", required: true, description: "apiVersion of the object, e.g. example.com/v1." },
    { name: "kind", required: true, description: "Kind of the object." },
    { name: "name", required: true, description: "Name of the object." },
    { name: "path", required: false, description: "Dot path of the field, e.g. spec.logLevel (give path or field)." },
    { name: "field", required: false, description: "Older form of path: a field directly under spec." },
    {
      name: "value",
      required: true,
      description: "New value: JSON (number, boolean, quoted string) or a bare string. Objects, arrays and null need dangerLevel: high.",
    },
  ],
  requiredOneOf: [["path", "field"]],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.CRDMutation, parameters, context);
    const apiVersion = check.nonEmpty("apiVersion", "the object's apiVersion, e.g. example.com/v1");
    const kind = check.nonEmpty("kind", "the object's kind");
    if (kind === "ChaosExperiment" && apiVersion !== undefined && apiVersion.includes(API_GROUP)) {
      check.report("kind", "parameter.self-target", "operator-chaos's own ChaosExperiments cannot be mutated");
    }
    const name = check.nonEmpty("name", "the object's name");
    if (name !== undefined) check.targetName("name", name);
    const leaf = checkPath(check);
    const value = check.present("value", "the new value");
    if (value !== undefined) {
      check.maxBytes("value", value, MAX_PARAMETER_VALUE_BYTES);
      const shape = jsonShape(value);
      if (shape === "object" || shape === "array") check.requireHighDanger(`CRDMutation with a JSON ${shape} value (it replaces the whole ${shape})`);
      if (shape === "null") check.requireHighDanger("CRDMutation with value null (it deletes the field)");
    }
    if (leaf !== undefined && (SENSITIVE_FIELDS as readonly string[]).includes(leaf)) {
      check.requireHighDanger(`CRDMutation of ${JSON.stringify(leaf)}`);
    }
    if (apiVersion !== undefined && isCoreApiVersion(apiVersion)) {
      check.requireHighDanger(`CRDMutation of a built-in ${apiVersion} object`);
    }
    if (check.has("namespace")) {
      check.warn("namespace", "parameter.ignored", "namespace is ignored: the object is looked up in the experiment's namespace");
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({
    apiVersion: "example.com/v1",
    kind: "ExampleResource",
    name: objectNameFrom(component),
    path: "spec.logLevel",
    value: "chaos",
  }),
});

/** Checks path/field; returns the last segment of the mutated path when it is usable. */
function checkPath(check: ParameterChecker): string | undefined {
  const path = check.value("path");
  const field = check.value("field");
  if (path !== undefined && field !== undefined) {
    check.report("path", "parameter.exclusive", "give either path or field, not both");
    return undefined;
  }
  if (path === undefined && field === undefined) {
    check.report("path", "parameter.required", 'CRDMutation needs the parameter "path" (or the older "field")', {
      expected: "a dot path such as spec.logLevel",
    });
    return undefined;
  }
  if (field !== undefined) {
    if (field.length > 253 || !PATH_SEGMENT.test(field)) {
      check.report("field", "parameter.path", `${JSON.stringify(field)} is not a valid field name`, {
        expected: "letters, digits, '_' and '-', starting with a letter or '_', at most 253 characters",
        got: JSON.stringify(field),
      });
      return undefined;
    }
    return field;
  }
  const text = path!;
  if (text.length > 253) {
    check.report("path", "parameter.path", "path is too long", { expected: "at most 253 characters", got: `${text.length} characters` });
    return undefined;
  }
  const segments = text.split(".");
  const bad = segments.find((segment) => !PATH_SEGMENT.test(segment));
  if (bad !== undefined) {
    check.report("path", "parameter.path", `${JSON.stringify(text)} is not a valid dot path`, {
      expected: "dot-separated field names (letters, digits, '_', '-'; no array indexes), e.g. spec.logLevel",
      got: JSON.stringify(text),
    });
    return undefined;
  }
  if (PROTECTED_PATHS.includes(text)) {
    check.report("path", "parameter.protected-path", `${text} identifies the object and cannot be mutated`);
    return undefined;
  }
  return segments[segments.length - 1];
}

function jsonShape(value: string): "object" | "array" | "null" | "scalar" | "text" {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed === null) return "null";
    if (Array.isArray(parsed)) return "array";
    return typeof parsed === "object" ? "object" : "scalar";
  } catch {
    return "text";
  }
}
