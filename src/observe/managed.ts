// Pure evaluation of a knowledge model's managed resource against the object the watch last saw.
import type { ManagedResourceStatus } from "./timeline.js";

export interface ManagedResourceSpec {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  ownerRef?: string;
  expectedSpec?: Record<string, unknown>;
}

export interface ManagedEvaluation {
  status: ManagedResourceStatus;
  detail: string;
}

/** JSON equality for spec values: a model says `replicas: 1`, the object holds the number 1. */
function sameValue(expected: unknown, actual: unknown): boolean {
  if (typeof expected !== "object" || expected === null) return JSON.stringify(expected) === JSON.stringify(actual);
  if (typeof actual !== "object" || actual === null) return false;
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.length === actual.length && expected.every((v, i) => sameValue(v, actual[i]));
  return Object.entries(expected).every(([key, value]) => sameValue(value, (actual as Record<string, unknown>)[key]));
}

/**
 * ok when the object exists, references an owner of the expected kind, carries the model's labels
 * and has every expected top-level spec value. (The Go tool ignores the labels and compares specs
 * as formatted strings.)
 */
export function evaluateManagedResource(resource: ManagedResourceSpec, object: Record<string, unknown> | undefined): ManagedEvaluation {
  if (!object) return { status: "missing", detail: "not found" };
  const metadata = (object.metadata ?? {}) as { labels?: Record<string, string>; ownerReferences?: { kind: string }[] };
  if (resource.ownerRef && !(metadata.ownerReferences ?? []).some((owner) => owner.kind === resource.ownerRef)) {
    return { status: "ownerRefMissing", detail: `no owner reference of kind ${resource.ownerRef}` };
  }
  for (const [key, value] of Object.entries(resource.labels ?? {})) {
    if (metadata.labels?.[key] !== value) {
      return { status: "specDrift", detail: `label ${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(metadata.labels?.[key] ?? null)}` };
    }
  }
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(resource.expectedSpec ?? {})) {
    if (!(key in spec)) return { status: "specDrift", detail: `spec.${key} not found` };
    if (!sameValue(value, spec[key])) return { status: "specDrift", detail: `spec.${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(spec[key])}` };
  }
  return { status: "ok", detail: "exists and matches the model" };
}

/** The field manager operator-chaos writes with (the reconcile probe); a prefix for every writer of ours. */
export const TOOL_FIELD_MANAGER = "operator-chaos";

/** The manager of an object's most recent write: its managedFields entry with the latest time. */
export function lastManager(object: { metadata?: unknown }): string | undefined {
  const entries = ((object.metadata as { managedFields?: { manager?: string; time?: string }[] } | undefined)?.managedFields ?? [])
    .filter((entry) => entry.time);
  entries.sort((a, b) => Date.parse(a.time!) - Date.parse(b.time!));
  return entries.at(-1)?.manager;
}

/**
 * Whether a watch event on a managed object is a write by someone other than operator-chaos: an
 * update (not the first sight of the object, not a deletion, which names no writer) whose latest
 * managedFields entry is not the tool's.
 */
export function isReconcileWrite(type: "ADDED" | "MODIFIED" | "DELETED", object: { metadata?: unknown }): boolean {
  return type === "MODIFIED" && !(lastManager(object) ?? "").startsWith(TOOL_FIELD_MANAGER);
}
