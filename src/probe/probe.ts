// The reconcile probe, pure part: which object to change, how, and what counts as the operator's
// repair. Steady-state checks cannot tell a working controller from a dead one when nothing needs
// repairing; the probe makes something need repairing. No I/O here (src/experiment/purity.test.ts).
import type { ManagedResourceSpec } from "../observe/managed.js";
import { parseFieldPath, readField } from "../observe/checks.js";

/** The journal's record type of a probe (not a fault type: `clean` reverts it through src/probe). */
export const PROBE_RECORD_TYPE = "ReconcileProbe";
/** The value a probed label or string field gets: unmistakably ours in any diff or log. */
export const PROBE_VALUE = "operator-chaos-probe";

export interface ProbeObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** label: a label moved away from its value; field: a field set to another value; delete: the object deleted. */
export type ProbeChange =
  | { kind: "label"; key: string; value: string }
  | { kind: "field"; path: string; value: unknown }
  | { kind: "delete" };

export interface ProbeSpec {
  object: ProbeObject;
  change: ProbeChange;
  /** Where the probe came from, for the report. */
  source: "knowledge" | "experiment";
}

/** spec.probe of an experiment: the object, and exactly one change (label, fieldPath + value, or delete). */
export interface ProbeField {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  label?: string;
  fieldPath?: string;
  value?: string;
  delete?: boolean;
}

/** Kinds whose changes are not the operator's to repair, or whose change would hurt more than probe. */
const NOT_PROBED = new Set(["Lease", "ServiceAccount", "ClusterRoleBinding", "RoleBinding", "ClusterRole", "Role", "Namespace", "CustomResourceDefinition"]);

export const objectText = (object: ProbeObject) => `${object.kind}/${object.namespace ? `${object.namespace}/` : ""}${object.name}`;

export function describeProbe(spec: ProbeSpec): string {
  const where = objectText(spec.object);
  switch (spec.change.kind) {
    case "label":
      return `label ${spec.change.key} of ${where} set to ${JSON.stringify(spec.change.value)}`;
    case "field":
      return `${spec.change.path} of ${where} set to ${JSON.stringify(spec.change.value)}`;
    case "delete":
      return `${where} deleted`;
  }
}

/** Workload kinds: the one named like the component is the component itself, which cannot repair itself. */
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Pod"]);

/**
 * The probe a knowledge model allows: the first managed resource whose model says what the operator
 * keeps — a label moved away from its modelled value, else a scalar expectedSpec field set to another
 * value, else (a ConfigMap only: cheap to recreate, never secret) the object deleted. Skipped: the
 * component's own workload (named like the component) and `exclude` ("Kind/name", e.g. the
 * experiment's target.resource) — the component cannot repair itself —, Leases, RBAC objects and
 * the like. Undefined when the model names nothing probe-able.
 */
export function probeFromKnowledge(resources: readonly ManagedResourceSpec[], options: { component?: string; exclude?: readonly string[] } = {}): ProbeSpec | undefined {
  const excluded = new Set(options.exclude ?? []);
  for (const resource of resources) {
    const object: ProbeObject = { apiVersion: resource.apiVersion, kind: resource.kind, name: resource.name, ...(resource.namespace ? { namespace: resource.namespace } : {}) };
    if (NOT_PROBED.has(resource.kind) || excluded.has(`${resource.kind}/${resource.name}`)) continue;
    if (WORKLOADS.has(resource.kind) && resource.name === options.component) continue;
    const label = Object.keys(resource.labels ?? {})[0];
    if (label !== undefined) return { object, change: { kind: "label", key: label, value: PROBE_VALUE }, source: "knowledge" };
    for (const [key, value] of Object.entries(resource.expectedSpec ?? {})) {
      const other = otherScalar(value);
      if (other !== undefined) return { object, change: { kind: "field", path: `spec.${key}`, value: other }, source: "knowledge" };
    }
    if (resource.kind === "ConfigMap" && resource.apiVersion === "v1") return { object, change: { kind: "delete" }, source: "knowledge" };
  }
  return undefined;
}

function otherScalar(value: unknown): unknown {
  if (typeof value === "string") return value === PROBE_VALUE ? `${PROBE_VALUE}-2` : PROBE_VALUE;
  if (typeof value === "number") return value + 1;
  if (typeof value === "boolean") return !value;
  return undefined;
}

/** The probe an experiment's spec.probe names (validated by the schema: one change exactly). */
export function probeFromExperiment(field: ProbeField): ProbeSpec {
  const object: ProbeObject = { apiVersion: field.apiVersion, kind: field.kind, name: field.name, ...(field.namespace ? { namespace: field.namespace } : {}) };
  if (field.delete) return { object, change: { kind: "delete" }, source: "experiment" };
  if (field.label !== undefined) return { object, change: { kind: "label", key: field.label, value: field.value ?? PROBE_VALUE }, source: "experiment" };
  return { object, change: { kind: "field", path: field.fieldPath ?? "", value: field.value ?? PROBE_VALUE }, source: "experiment" };
}

/** What the probed object held before the change: all the revert and the repair test need. */
export interface ProbeOriginal {
  /** The object existed (a probe of a missing object is refused). */
  uid: string;
  /** label/field: the value before (undefined = absent). */
  value?: unknown;
  present: boolean;
  /** delete: the object as it was, without server-set fields, to recreate it if nobody does. */
  object?: Record<string, unknown>;
}

export function originalOf(spec: ProbeSpec, object: Record<string, unknown>): ProbeOriginal {
  const uid = String((object.metadata as { uid?: string } | undefined)?.uid ?? "");
  switch (spec.change.kind) {
    case "label": {
      const labels = (object.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
      return { uid, present: spec.change.key in labels, ...(spec.change.key in labels ? { value: labels[spec.change.key] } : {}) };
    }
    case "field": {
      const read = readField(object, spec.change.path);
      return { uid, present: read.found, ...(read.found ? { value: read.value } : {}) };
    }
    case "delete":
      return { uid, present: true, object: recreatable(object) };
  }
}

/** The merge patch that makes the change (label, field). */
export function changePatch(spec: ProbeSpec): Record<string, unknown> {
  if (spec.change.kind === "label") return { metadata: { labels: { [spec.change.key]: spec.change.value } } };
  if (spec.change.kind === "field") return nested(parseFieldPath(spec.change.path), spec.change.value);
  throw new Error("a delete probe has no patch");
}

/** The merge patch that puts the original back (null removes what was absent). */
export function restorePatch(spec: ProbeSpec, original: ProbeOriginal): Record<string, unknown> {
  const value = original.present ? original.value : null;
  if (spec.change.kind === "label") return { metadata: { labels: { [spec.change.key]: value } } };
  if (spec.change.kind === "field") return nested(parseFieldPath(spec.change.path), value);
  throw new Error("a delete probe is restored by recreating the object");
}

function nested(path: (string | number)[], value: unknown): Record<string, unknown> {
  if (path.length === 0 || path.some((segment) => typeof segment === "number")) {
    throw new Error("a probe field path must name object keys only (a merge patch cannot address list items)");
  }
  let result: unknown = value;
  for (const segment of [...path].reverse()) result = { [segment as string]: result };
  return result as Record<string, unknown>;
}

/** Whether the probe's change still stands on `object` (undefined: the object is gone). */
export function changeStands(spec: ProbeSpec, original: ProbeOriginal, object: Record<string, unknown> | undefined): boolean {
  if (spec.change.kind === "delete") return object === undefined || String((object.metadata as { uid?: string }).uid) === original.uid;
  if (!object) return false;
  const now = originalOf(spec, object);
  return now.present && JSON.stringify(now.value) === JSON.stringify(spec.change.value);
}

/**
 * Repaired: label/field back to the original value; delete: the object exists again (a new one).
 * Anything else — still the probe's value, or some third value — is not the repair.
 */
export function isRepaired(spec: ProbeSpec, original: ProbeOriginal, object: Record<string, unknown> | undefined): boolean {
  if (!object) return false;
  if (spec.change.kind === "delete") return String((object.metadata as { uid?: string }).uid) !== original.uid;
  const now = originalOf(spec, object);
  return now.present === original.present && JSON.stringify(now.value) === JSON.stringify(original.value);
}

/** An object as it can be created again: no uid, resourceVersion, managed fields, timestamps or status. */
export function recreatable(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = { ...(object.metadata as Record<string, unknown>) };
  for (const key of ["uid", "resourceVersion", "managedFields", "creationTimestamp", "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"]) delete metadata[key];
  const { status: _status, ...rest } = object;
  return { ...rest, metadata };
}

/** The API permissions the probe needs (verb, for the preflight; the resource is resolved by discovery). */
export function probeVerbs(spec: ProbeSpec): string[] {
  return spec.change.kind === "delete" ? ["get", "list", "watch", "delete", "create"] : ["get", "list", "watch", "patch"];
}
