import { InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault, type FaultContext, type RevertRecord } from "./driver.js";
import { checker, MAX_PARAMETER_VALUE_BYTES } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";
import { Duration } from "../experiment/duration.js";
import { unwrapGoRollback } from "../journal/go-rollback.js";
import { MANAGED_BY_LABEL, ROLLBACK_ANNOTATION, TYPE_LABEL } from "../journal/labels.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";

const RESOURCE_TYPES = ["ConfigMap", "Secret"] as const;

export const configDriftSpec = defineFaultSpec({
  type: InjectionType.ConfigDrift,
  summary: "Overwrites one data key of a ConfigMap or Secret with another value.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "medium",
  defaultTier: 2,
  parameterDocs: [
    { name: "name", required: true, description: "Name of the ConfigMap or Secret." },
    { name: "key", required: true, description: "The data key to overwrite (created if missing; may be empty)." },
    { name: "value", required: true, description: "The value to write (at most 64 KiB; may be empty)." },
    {
      name: "resourceType",
      required: false,
      description: "ConfigMap or Secret. A Secret needs dangerLevel: high (its value is backed up in a Secret).",
      default: "ConfigMap",
      values: RESOURCE_TYPES,
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.ConfigDrift, parameters, context);
    const resourceType = check.value("resourceType");
    if (resourceType !== undefined) check.oneOf("resourceType", resourceType, RESOURCE_TYPES);
    const kind = resourceType === "Secret" ? "Secret" : "ConfigMap";
    const name = check.nonEmpty("name", `the name of the ${kind}`);
    if (name !== undefined && check.targetName("name", name)) check.notSystemCritical("name", name, kind);
    const key = check.present("key", "the data key to overwrite");
    if (kind === "Secret" && key !== undefined) {
      if (key.includes("/") || key.includes("..")) {
        check.report("key", "parameter.secret-key", 'a Secret key must not contain "/" or ".."', { got: JSON.stringify(key) });
      }
      if (name !== undefined) check.maxLength("key", "the rollback Secret's name (chaos-rollback-<name>-<key>)", `chaos-rollback-${name}-${key}`, 253);
    }
    const value = check.present("value", "the value to write");
    if (value !== undefined) check.maxBytes("value", value, MAX_PARAMETER_VALUE_BYTES);
    if (kind === "Secret") check.requireHighDanger("ConfigDrift on a Secret");
    if (check.has("namespace")) {
      check.warn("namespace", "parameter.ignored", "namespace is ignored: the object is looked up in the experiment's namespace");
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({
    name: objectNameFrom(component, "-config"),
    key: "log-level",
    value: "chaos-drifted",
    resourceType: "ConfigMap",
  }),
});

/** Overwrites one key of a ConfigMap or Secret; the operator is expected to restore it. */
export const configDrift = defineRunnableFault<ConfigDriftData, ConfigDriftRecord>(configDriftSpec, {
  permissions: (parameters, namespace) => {
    const resource = parameters.resourceType === "Secret" ? "secrets" : "configmaps";
    const needs = ["get", "list", "watch", "update"].map((verb) => ({ verb, group: "", resource, namespace }));
    // A Secret's original value is journaled in a Secret.
    return parameters.resourceType === "Secret" ? [...needs, ...["create", "delete"].map((verb) => ({ verb, group: "", resource: "secrets", namespace }))] : needs;
  },

  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const kind = parameters.resourceType === "Secret" ? "Secret" : "ConfigMap";
    const name = parameters.name ?? "";
    const key = parameters.key ?? "";
    const current = await readTarget(context.cluster.rest, kind, context.namespace, name);
    const keyExists = current.data !== undefined && key in current.data;
    const data: ConfigDriftData = {
      resourceType: kind, key, keyExists,
      originalValue: keyExists ? current.data![key]! : "",
      driftedValue: kind === "Secret" ? Buffer.from(parameters.value ?? "").toString("base64") : parameters.value ?? "",
    };
    return {
      type: InjectionType.ConfigDrift,
      targets: [{ apiVersion: "v1", kind, name, namespace: context.namespace }],
      summary: `overwrite key ${JSON.stringify(key)} of ${kind} ${context.namespace}/${name}${kind === "Secret" ? "" : ` with ${JSON.stringify(truncate(parameters.value ?? ""))}`}`,
      data,
    };
  },

  /** The operator's repair: the key holds its original value again (a Secret's value stays out of reports). */
  repairChecks(plan) {
    const data = plan.data;
    const target = plan.targets[0]!;
    if (!data.keyExists) return [];
    return [{
      type: "fieldEquals", apiVersion: "v1", kind: target.kind, name: target.name, namespace: target.namespace,
      fieldPath: `data[${JSON.stringify(data.key)}]`, expectedValue: data.originalValue, redact: data.resourceType === "Secret",
    }];
  },

  /** Journals the original (in a Secret when it is secret), then writes only the one data key. */
  async inject(context, plan) {
    const data = plan.data;
    const target = plan.targets[0]!;
    const record = await context.journal.write<ConfigDriftRecord>(InjectionType.ConfigDrift, target, data, {
      sensitive: data.resourceType === "Secret",
      ...(ttlOf(context) ? { ttlMs: ttlOf(context)! } : {}),
    });
    const written = await updateKey(context.cluster.rest, data.resourceType, target.namespace!, target.name, (object) => {
      object.data = { ...object.data, [data.key]: data.driftedValue };
    });
    if (written) data.acceptedAt = new Date().toISOString();
    return [record];
  },

  /**
   * Confirmed when the API server accepted the write of the drifted value. (Reading it back could
   * miss it: a resilient operator may have repaired it already, which is the point.)
   */
  async confirm(_context, plan) {
    return plan.data.acceptedAt !== undefined;
  },

  /** Puts the original value back (or removes a key that did not exist); idempotent. */
  async revert(context, record) {
    const data = record.data;
    const { rest } = context.cluster;
    if ("goTool" in data) {
      await revertGoLeftover(rest, record.target, data.goTool);
      return;
    }
    await updateKey(rest, data.resourceType, record.target.namespace!, record.target.name, (object) => {
      const next = { ...object.data };
      if (data.keyExists) next[data.key] = data.originalValue;
      else delete next[data.key];
      object.data = next;
    });
  },

  /** ConfigMaps and Secrets carrying the Go tool's ConfigDrift rollback annotation. */
  async leftovers(context, namespace) {
    const { rest } = context.cluster;
    const found: RevertRecord<ConfigDriftRecord>[] = [];
    for (const kind of ["ConfigMap", "Secret"] as const) {
      const path = namespace ? `/api/v1/namespaces/${namespace}/${kind === "Secret" ? "secrets" : "configmaps"}` : `/api/v1/${kind === "Secret" ? "secrets" : "configmaps"}`;
      const list = await rest.get<{ items: TargetObject[] }>(path, { query: { labelSelector: `${TYPE_LABEL}=ConfigDrift` } });
      for (const item of list.items) {
        const annotation = item.metadata.annotations?.[ROLLBACK_ANNOTATION];
        if (!annotation) continue;
        const payload = unwrapGoRollback(annotation) as GoRollbackPayload;
        if (payload.resourceType !== undefined && payload.resourceType !== kind) continue;
        found.push({
          type: InjectionType.ConfigDrift,
          target: { apiVersion: "v1", kind, name: item.metadata.name, namespace: item.metadata.namespace },
          data: { goTool: payload },
        });
      }
    }
    return found;
  },
});

interface ConfigDriftData {
  resourceType: "ConfigMap" | "Secret";
  key: string;
  keyExists: boolean;
  /** As stored in `data` (base64 for a Secret). */
  originalValue: string;
  driftedValue: string;
  /** Set by inject once the API server accepted the drifted value. */
  acceptedAt?: string;
}

/** A journal record holds our plan data; a Go-tool leftover, what the Go tool recorded. */
type ConfigDriftRecord = ConfigDriftData | { goTool: GoRollbackPayload };

/** What the Go tool put in its rollback annotation for ConfigDrift. */
interface GoRollbackPayload {
  resourceType?: string;
  key: string;
  originalValue?: string;
  keyExists?: string;
  rollbackSecretRef?: string;
}

interface TargetObject {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

const collectionOf = (kind: string, namespace: string) => `/api/v1/namespaces/${namespace}/${kind === "Secret" ? "secrets" : "configmaps"}`;
const truncate = (text: string) => (text.length > 40 ? `${text.slice(0, 37)}...` : text);
const ttlOf = (context: FaultContext) => {
  const ttl = context.experiment.spec.injection.ttl;
  return ttl ? Duration.parse(ttl).milliseconds || undefined : undefined;
};

async function readTarget(rest: KubeRest, kind: string, namespace: string, name: string): Promise<TargetObject> {
  try {
    return await rest.get<TargetObject>(`${collectionOf(kind, namespace)}/${name}`);
  } catch (error) {
    if (isNotFound(error)) throw new Error(`${kind} ${namespace}/${name} does not exist`);
    throw error;
  }
}

/**
 * Read-modify-write of one object, guarded by resourceVersion: the operator under test may write
 * the same object at the same moment, so a conflict is retried on fresh data.
 */
async function updateKey(rest: KubeRest, kind: string, namespace: string, name: string, change: (object: TargetObject) => void): Promise<TargetObject | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    let object: TargetObject;
    try {
      object = await rest.get<TargetObject>(`${collectionOf(kind, namespace)}/${name}`);
    } catch (error) {
      if (isNotFound(error)) return undefined; // deleted meanwhile: nothing left to change back
      throw error;
    }
    change(object);
    try {
      return await rest.replace<TargetObject>(`${collectionOf(kind, namespace)}/${name}`, object);
    } catch (error) {
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}

/** Restores what the Go tool recorded, then removes its annotation and both of its labels (as it would). */
async function revertGoLeftover(rest: KubeRest, target: { kind: string; name: string; namespace?: string }, payload: GoRollbackPayload): Promise<void> {
  const namespace = target.namespace!;
  let original: string | undefined = payload.originalValue;
  let keyExists = payload.keyExists !== "false";
  if (target.kind === "Secret" && payload.rollbackSecretRef) {
    try {
      const backup = await rest.get<TargetObject>(`${collectionOf("Secret", namespace)}/${payload.rollbackSecretRef}`);
      original = backup.data?.[payload.key];
      keyExists = backup.data?.keyExists !== Buffer.from("false").toString("base64");
    } catch (error) {
      if (!isNotFound(error)) throw error;
      original = undefined;
    }
  }
  await updateKey(rest, target.kind, namespace, target.name, (object) => {
    const data = { ...object.data };
    if (original !== undefined) {
      if (keyExists) data[payload.key] = original;
      else delete data[payload.key];
    }
    object.data = data;
    const annotations = { ...object.metadata.annotations };
    delete annotations[ROLLBACK_ANNOTATION];
    const labels = { ...object.metadata.labels };
    delete labels[MANAGED_BY_LABEL];
    delete labels[TYPE_LABEL];
    object.metadata.annotations = annotations;
    object.metadata.labels = labels;
  });
  if (target.kind === "Secret" && payload.rollbackSecretRef) {
    await rest.delete(`${collectionOf("Secret", namespace)}/${payload.rollbackSecretRef}`).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
}
