// Pure evaluation of one steady-state check against the object the watch last delivered.
import type { CheckDetail, SteadyStateCheckRef } from "./timeline.js";

export interface CheckEvaluation {
  passed: boolean;
  /** What was seen, for reports: "Available=True", `expected "3", got "2"`, … */
  value: string;
}

/** A stable identifier for a check, used in timeline events: `conditionTrue:Deployment/ns/name:Available`. */
export function checkId(check: SteadyStateCheckRef & { redact?: boolean }, index: number): string {
  const where = `${check.kind ?? "?"}/${check.namespace ?? ""}/${check.name ?? "?"}`;
  const what = check.conditionType ?? check.fieldPath ?? "";
  return `${index}:${check.type}:${where}${what ? `:${what}` : ""}`;
}

/**
 * Splits a field path into keys and array indices: `status.conditions[0].type` and
 * `spec.containers.0.image` both work (the Go tool supports neither indices form).
 */
export function parseFieldPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  // Tokens: a plain key, [N] (index), or ['key.with.dots'] / ["key"] (a key taken verbatim).
  const token = /\[(\d+)\]|\[(['"])((?:(?!\2).)*)\2\]|([^.[\]]+)/g;
  for (const match of path.matchAll(token)) {
    if (match[1] !== undefined) segments.push(Number(match[1]));
    else if (match[3] !== undefined) segments.push(match[3]);
    else if (match[4] !== undefined) segments.push(/^\d+$/.test(match[4]) ? Number(match[4]) : match[4]);
  }
  return segments;
}

export function readField(object: unknown, path: string): { found: boolean; value?: unknown } {
  let current: unknown = object;
  for (const segment of parseFieldPath(path)) {
    if (typeof segment === "number") {
      if (!Array.isArray(current) || segment >= current.length) return { found: false };
      current = current[segment];
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current) || !(segment in current)) return { found: false };
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}

/** Renders a field value the way a user writes expectedValue: strings bare, others as JSON. */
export function fieldText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function evaluateCheck(check: SteadyStateCheckRef & { redact?: boolean }, object: Record<string, unknown> | undefined): CheckEvaluation {
  switch (check.type) {
    case "resourceExists":
      return object ? { passed: true, value: "exists" } : { passed: false, value: "resource not found" };
    case "conditionTrue": {
      if (!object) return { passed: false, value: "resource not found" };
      const conditions = (object.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions;
      if (!Array.isArray(conditions) || conditions.length === 0) return { passed: false, value: "no conditions found" };
      const condition = conditions.find((c) => c.type === check.conditionType);
      if (!condition) return { passed: false, value: `condition ${check.conditionType} not found` };
      return { passed: condition.status === "True", value: `${condition.type}=${condition.status}` };
    }
    case "fieldEquals": {
      if (!object) return { passed: false, value: "resource not found" };
      const field = readField(object, check.fieldPath ?? "");
      if (!field.found) return { passed: false, value: `field ${check.fieldPath} not found` };
      const actual = fieldText(field.value);
      // A redacted check (a Secret's value) must never put the value into a report.
      if (check.redact) {
        return actual === check.expectedValue ? { passed: true, value: "matches the original" } : { passed: false, value: "differs from the original" };
      }
      return actual === check.expectedValue
        ? { passed: true, value: actual }
        : { passed: false, value: `expected ${JSON.stringify(check.expectedValue)}, got ${JSON.stringify(actual)}` };
    }
    default:
      return { passed: false, value: `unknown check type ${check.type}` };
  }
}

export function checkDetail(check: SteadyStateCheckRef & { redact?: boolean }, object: Record<string, unknown> | undefined): CheckDetail {
  const { passed, value } = evaluateCheck(check, object);
  if (check.redact) {
    const { redact: _redact, expectedValue: _secret, ...shown } = check;
    return { check: shown, passed, value };
  }
  return { check, passed, value };
}
