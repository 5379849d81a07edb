import { isDeepStrictEqual } from "node:util";
import { API_GROUP, InjectionType } from "../experiment/enums.js";
import { fieldText } from "../observe/checks.js";
import { defineFaultSpec, defineRunnableFault, type FaultParameters, type RevertContext, type RevertRecord } from "./driver.js";
import { unwrapGoRollback } from "../journal/go-rollback.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, ROLLBACK_ANNOTATION, TYPE_LABEL } from "../journal/labels.js";
import { describeObject, findAnyObject, groupOf, guardedReplace, guessResource, ttlOf, type KubeObjectBody } from "./object-target.js";
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

export const crdMutationSpec = defineFaultSpec({
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

/**
 * Sets one field of any object (typically the operator's custom resource, cluster-scoped ones
 * included) to another value. The original is journaled apart from the object (no rollback
 * annotation, no chaos labels on it); the revert is ONE resourceVersion-guarded write that restores
 * the field exactly (objects and arrays as they were, an absent field absent again) — only while the
 * field still holds the injected value, so an operator's repair is kept. (The Go tool's revert is two
 * unguarded patches: a crash between them loses the original.)
 */
export const crdMutation = defineRunnableFault<CrdMutationData, CrdMutationRecord>(crdMutationSpec, {
  permissions: (parameters, namespace) => {
    const apiVersion = parameters.apiVersion ?? "";
    const cluster = isClusterScopedObject(apiVersion, parameters.kind);
    return ["get", "list", "watch", "update"].map((verb) => ({
      verb, group: groupOf(apiVersion), resource: guessResource(parameters.kind ?? ""), ...(cluster ? {} : { namespace }),
    }));
  },

  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const found = await findAnyObject(context.cluster, parameters.apiVersion ?? "", parameters.kind ?? "", parameters.name ?? "", context.namespace);
    const segments = segmentsOf(parameters);
    const original = readAt(found.object, segments);
    const injected = parseValue(parameters.value ?? "");
    if (injected === null ? !original.found : original.found && isDeepStrictEqual(original.value, injected)) {
      throw new Error(`${segments.join(".")} of ${describeObject(found.ref)} is already ${injected === null ? "absent" : JSON.stringify(injected)}: the fault would change nothing`);
    }
    return {
      type: InjectionType.CRDMutation,
      targets: [found.ref],
      summary: `set ${segments.join(".")} of ${describeObject(found.ref)} to ${truncate(JSON.stringify(injected))} (was ${original.found ? truncate(JSON.stringify(original.value)) : "absent"})`,
      data: { path: found.path, segments, original, injected },
    };
  },

  /** The operator's repair: the field has its original value again (scalars; an object or array is compared by the revert). */
  repairChecks(plan) {
    const target = plan.targets[0]!;
    const { original, segments } = plan.data;
    if (!original.found || (typeof original.value === "object" && original.value !== null)) return [];
    return [{
      type: "fieldEquals", apiVersion: target.apiVersion, kind: target.kind, name: target.name, ...(target.namespace ? { namespace: target.namespace } : {}),
      fieldPath: segments.join("."), expectedValue: fieldText(original.value),
    }];
  },

  async inject(context, plan) {
    const data = plan.data;
    const ttlMs = ttlOf(context);
    const record = await context.journal.write<CrdMutationRecord>(InjectionType.CRDMutation, plan.targets[0]!, data, ttlMs ? { ttlMs } : {});
    const written = await guardedReplace(context.cluster, data.path, (object) => writeAt(object, data.segments, data.injected));
    if (written) data.acceptedAt = new Date().toISOString();
    return [record];
  },

  async confirm(_context, plan) {
    return plan.data.acceptedAt !== undefined;
  },

  async revert(context, record) {
    const data = record.data;
    if ("goTool" in data) {
      await revertGoLeftover(context.cluster, data.path, data.goTool);
      return;
    }
    await guardedReplace(context.cluster, data.path, (object) => {
      const current = readAt(object, data.segments);
      const stillInjected = data.injected === null ? !current.found : current.found && isDeepStrictEqual(current.value, data.injected);
      if (!stillInjected) return undefined; // repaired or changed since: not ours to overwrite
      return writeAt(object, data.segments, data.original.found ? data.original.value : null);
    });
  },

  /**
   * The Go tool's CRDMutation leftovers on the kinds its `clean` scans (Deployments, ConfigMaps,
   * Secrets, Services, StatefulSets): its rollback annotation with the original value at the path.
   */
  async leftovers(context, namespace) {
    const found: RevertRecord<CrdMutationRecord>[] = [];
    for (const [apiVersion, kind] of GO_CLEAN_KINDS) {
      const base = apiVersion === "v1" ? "/api/v1" : `/apis/${apiVersion}`;
      const resource = guessResource(kind);
      const list = await context.cluster.rest.get<{ items: KubeObjectBody[] }>(namespace ? `${base}/namespaces/${namespace}/${resource}` : `${base}/${resource}`, {
        query: { labelSelector: `${TYPE_LABEL}=${InjectionType.CRDMutation}` },
      });
      for (const item of list.items) {
        const annotation = item.metadata.annotations?.[ROLLBACK_ANNOTATION];
        if (!annotation) continue;
        let goTool: GoRollback;
        try {
          goTool = unwrapGoRollback(annotation) as GoRollback;
        } catch (error) {
          goTool = { problem: (error as Error).message };
        }
        const where = item.metadata.namespace ?? "";
        found.push({
          type: InjectionType.CRDMutation,
          target: { apiVersion, kind, name: item.metadata.name, namespace: where },
          data: { path: `${base}/namespaces/${where}/${resource}/${item.metadata.name}`, goTool },
        });
      }
    }
    return found;
  },
});

const GO_CLEAN_KINDS = [["apps/v1", "Deployment"], ["v1", "ConfigMap"], ["v1", "Secret"], ["v1", "Service"], ["apps/v1", "StatefulSet"]] as const;

interface FieldValue {
  found: boolean;
  value?: unknown;
}

/** The plan and the journal record: the object, the field, its original and the injected value (null: deleted). */
interface CrdMutationData {
  path: string;
  segments: string[];
  original: FieldValue;
  injected: unknown;
  /** Set by inject once the API server accepted the change (not journaled). */
  acceptedAt?: string;
}

/** What the Go tool put in its rollback annotation for CRDMutation (or why it cannot be read). */
interface GoRollback {
  path?: string;
  field?: string;
  originalValue?: unknown;
  problem?: string;
}

type CrdMutationRecord = CrdMutationData | { path: string; goTool: GoRollback };

const truncate = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);

function segmentsOf(parameters: FaultParameters): string[] {
  return parameters.path !== undefined ? parameters.path.split(".") : ["spec", parameters.field ?? ""];
}

/** A JSON literal is its value; anything else is the text itself (as the Go tool reads it). */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function readAt(object: unknown, segments: readonly string[]): FieldValue {
  let current: unknown = object;
  for (const segment of segments) {
    if (current === null || typeof current !== "object" || Array.isArray(current) || !(segment in current)) return { found: false };
    current = (current as Record<string, unknown>)[segment];
  }
  return { found: true, value: structuredClone(current) };
}

/** Sets (or, for null, removes) the field, creating missing parent objects; the object is changed in place. */
function writeAt<T extends object>(object: T, segments: readonly string[], value: unknown): T {
  let current = object as Record<string, unknown>;
  for (const segment of segments.slice(0, -1)) {
    const next = current[segment];
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      if (value === null) return object; // nothing to remove below a missing parent
      current[segment] = {};
    }
    current = current[segment] as Record<string, unknown>;
  }
  const leaf = segments[segments.length - 1]!;
  if (value === null) delete current[leaf];
  else current[leaf] = structuredClone(value);
  return object;
}

/**
 * Restores what the Go tool recorded at its path and removes its annotation, its type label and
 * its managed-by label (only while that still says operator-chaos, the value the Go tool wrote over
 * the original), in one guarded write.
 */
async function revertGoLeftover(cluster: RevertContext["cluster"], path: string, goTool: GoRollback): Promise<void> {
  if (goTool.problem !== undefined) throw new Error(`the Go tool's rollback data on ${path} cannot be read (${goTool.problem}); left unchanged`);
  const segments = goTool.path ? goTool.path.split(".") : ["spec", goTool.field ?? ""];
  await guardedReplace(cluster, path, (object) => {
    if (object.metadata.annotations?.[ROLLBACK_ANNOTATION] === undefined) return undefined;
    writeAt(object, segments, goTool.originalValue ?? null);
    delete object.metadata.annotations[ROLLBACK_ANNOTATION];
    if (object.metadata.labels) {
      delete object.metadata.labels[TYPE_LABEL];
      if (object.metadata.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) delete object.metadata.labels[MANAGED_BY_LABEL];
    }
    return object;
  });
}

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
