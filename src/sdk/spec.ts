// The fault configuration an SDK-instrumented operator reads from its ConfigMap: the Go tool's
// format (ConfigMap `operator-chaos-config`, data key `config`, JSON {"active": …, "faults": {op: spec}})
// accepted as is, plus optional fields of our own. One parser serves the SDK at run time and the
// ClientFault validator, so what `validate` accepts is exactly what an operator will apply.
// No imports beyond the Duration value object: operators load this.
import { Duration } from "../experiment/duration.js";

export const DEFAULT_CONFIG_MAP_NAME = "operator-chaos-config";
export const CONFIG_DATA_KEY = "config";
export const CONFIG_MAP_PREFIX = "operator-chaos-";

/** The Go tool's nine operations, plus `watch` (ours: the Go transport folds watches into `list`). */
export enum Operation {
  Get = "get",
  List = "list",
  Watch = "watch",
  Create = "create",
  Update = "update",
  Patch = "patch",
  Delete = "delete",
  DeleteAllOf = "deleteAllOf",
  Reconcile = "reconcile",
  Apply = "apply",
}
export const OPERATIONS: readonly Operation[] = Object.values(Operation);
/** The operations the Go tool knows; `watch` is ours. */
export const GO_OPERATIONS: readonly Operation[] = OPERATIONS.filter((operation) => operation !== Operation.Watch);

/** How an injected failure looks to the operator. */
export enum FailureKind {
  /** An HTTP error status with a Kubernetes Status body (409 Conflict, 429 with Retry-After, 500 …). */
  Status = "status",
  /** No answer: the request times out. */
  Timeout = "timeout",
  /** The connection is reset before an answer. */
  ConnectionReset = "connectionReset",
}

/** The Go transport's status per operation (pkg/sdk/transport.go), used when `code` is not given. */
export const DEFAULT_STATUS: Readonly<Record<Operation, number>> = {
  [Operation.Get]: 503, [Operation.List]: 503, [Operation.Watch]: 503, [Operation.Create]: 429,
  [Operation.Update]: 409, [Operation.Patch]: 409, [Operation.Delete]: 403,
  [Operation.DeleteAllOf]: 500, [Operation.Reconcile]: 500, [Operation.Apply]: 500,
};

/** Kubernetes Status reasons of the codes an API server returns. */
export const STATUS_REASONS: Readonly<Record<number, string>> = {
  400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
  409: "Conflict", 410: "Expired", 413: "RequestEntityTooLarge", 422: "Invalid", 429: "TooManyRequests",
  500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout",
};

/** Longest delay a fault may hold a call (the Go validator's limit). */
export const MAX_DELAY = Duration.parse("5m");

/** One operation's fault, normalized (durations in milliseconds, defaults filled in). */
export interface FaultSpec {
  /** Probability that a matching call fails, 0..1 (Go: absent means 0, so a spec may only delay). */
  readonly errorRate: number;
  /** The error text; the failure's message is `chaos(<op>): <error>`. */
  readonly error: string;
  /** Every matching call waits this long (maxDelay > 0: a uniform random wait in [0, maxDelay)). */
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly kind: FailureKind;
  /** HTTP status of a status failure (default per operation, as the Go transport). */
  readonly code: number;
  readonly reason: string;
  /** Retry-After of a 429/503, in whole seconds as the header carries it. */
  readonly retryAfterSeconds?: number;
  /** Only calls on these resources (`deployments`, `deployments/status`, `deployments.apps`); all when absent. */
  readonly resources?: readonly string[];
  /** The first N matching calls after activation pass untouched. */
  readonly failAfter: number;
  /** At most this many calls are faulted (failed or delayed) per activation. */
  readonly maxCount?: number;
}

export interface FaultConfig {
  readonly active: boolean;
  readonly faults: Readonly<Partial<Record<Operation, FaultSpec>>>;
}

export const INACTIVE: FaultConfig = Object.freeze({ active: false, faults: Object.freeze({}) });

export interface SpecIssue {
  /** Where in the JSON: `faults.update.errorRate`. */
  readonly path: string;
  readonly message: string;
  readonly expected?: string;
  readonly got?: string;
  /** Warnings are ignored fields; the config still applies. */
  readonly severity: "error" | "warning";
}

export type ParseResult = { ok: true; config: FaultConfig; warnings: SpecIssue[] } | { ok: false; issues: SpecIssue[] };

/** Fields of a fault spec: the Go tool's four, then ours. */
export const GO_SPEC_FIELDS = ["errorRate", "error", "delay", "maxDelay"] as const;
export const EXTENDED_SPEC_FIELDS = ["code", "reason", "kind", "retryAfter", "resources", "failAfter", "maxCount"] as const;
const SPEC_FIELDS: readonly string[] = [...GO_SPEC_FIELDS, ...EXTENDED_SPEC_FIELDS];

const shown = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value) ?? String(value));
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * The `faults` map (the ClientFault parameter, or the `faults` member of the ConfigMap's JSON).
 * Every problem is reported, not only the first.
 */
export function parseFaults(value: unknown, path = "faults"): { faults: Partial<Record<Operation, FaultSpec>>; issues: SpecIssue[] } {
  const issues: SpecIssue[] = [];
  const faults: Partial<Record<Operation, FaultSpec>> = {};
  if (!isObject(value)) {
    issues.push({ path, message: `${path} must be a JSON object keyed by operation`, expected: "a JSON object", got: Array.isArray(value) ? "a JSON array" : `JSON ${value === null ? "null" : typeof value}`, severity: "error" });
    return { faults, issues };
  }
  const entries = Object.entries(value);
  if (entries.length === 0) {
    issues.push({ path, message: `${path} must name at least one operation`, expected: `some of ${OPERATIONS.join(", ")}`, severity: "error" });
  }
  for (const [name, raw] of entries) {
    const where = `${path}.${name}`;
    if (!(OPERATIONS as readonly string[]).includes(name)) {
      issues.push({ path: where, message: `${JSON.stringify(name)} is not an operation the SDK can fault`, expected: `one of ${OPERATIONS.join(", ")}`, got: JSON.stringify(name), severity: "error" });
      continue;
    }
    const spec = parseSpec(name as Operation, raw, where, issues);
    if (spec) faults[name as Operation] = spec;
  }
  return { faults, issues };
}

function parseSpec(operation: Operation, raw: unknown, where: string, issues: SpecIssue[]): FaultSpec | undefined {
  if (!isObject(raw)) {
    issues.push({ path: where, message: `${where} must be a JSON object`, expected: '{"errorRate": …, "error": …}', got: shown(raw), severity: "error" });
    return undefined;
  }
  const before = issues.length;
  const error = (field: string, message: string, expected: string) =>
    issues.push({ path: `${where}.${field}`, message: `${where}.${field} ${message}`, expected, got: shown(raw[field]), severity: "error" });

  const errorRate = raw.errorRate ?? 0;
  if (typeof errorRate !== "number" || !Number.isFinite(errorRate) || errorRate < 0 || errorRate > 1) error("errorRate", "must be a number from 0 to 1", "a number from 0 to 1");
  const message = raw.error ?? "";
  if (typeof message !== "string") error("error", "must be a string", "a string");
  const delayMs = durationField(raw, "delay", where, issues);
  const maxDelayMs = durationField(raw, "maxDelay", where, issues);

  const kind = raw.kind ?? FailureKind.Status;
  if (!(Object.values(FailureKind) as unknown[]).includes(kind)) error("kind", "is not a failure kind", `one of ${Object.values(FailureKind).join(", ")}`);
  const code = raw.code ?? DEFAULT_STATUS[operation];
  if (!Number.isInteger(code) || (code as number) < 400 || (code as number) > 599) error("code", "must be an HTTP error status", "an integer from 400 to 599");
  const reason = raw.reason ?? STATUS_REASONS[code as number] ?? "InternalError";
  if (typeof reason !== "string" || reason === "") error("reason", "must be a non-empty string", 'a Kubernetes Status reason such as "Conflict"');
  const retryAfterMs = durationField(raw, "retryAfter", where, issues);
  const resources = raw.resources;
  if (resources !== undefined && (!Array.isArray(resources) || resources.length === 0 || resources.some((r) => typeof r !== "string" || r === ""))) {
    error("resources", "must be a non-empty list of resource names", 'e.g. ["deployments", "leases"]');
  }
  const failAfter = raw.failAfter ?? 0;
  if (!Number.isInteger(failAfter) || (failAfter as number) < 0) error("failAfter", "must be a whole number", "an integer ≥ 0");
  const maxCount = raw.maxCount;
  if (maxCount !== undefined && (!Number.isInteger(maxCount) || (maxCount as number) < 1)) error("maxCount", "must be a whole number above 0", "an integer ≥ 1");

  for (const field of Object.keys(raw)) {
    if (!SPEC_FIELDS.includes(field)) {
      issues.push({ path: `${where}.${field}`, message: `${where}.${field} is not a fault setting and is ignored`, expected: `one of ${SPEC_FIELDS.join(", ")}`, severity: "warning" });
    }
  }
  if (issues.slice(before).some((issue) => issue.severity === "error")) return undefined;
  return {
    errorRate: errorRate as number,
    error: message as string,
    delayMs: delayMs ?? 0,
    maxDelayMs: maxDelayMs ?? 0,
    kind: kind as FailureKind,
    code: code as number,
    reason: reason as string,
    ...(retryAfterMs !== undefined ? { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : {}),
    ...(resources !== undefined ? { resources: resources as string[] } : {}),
    failAfter: failAfter as number,
    ...(maxCount !== undefined ? { maxCount: maxCount as number } : {}),
  };
}

/**
 * A duration as the ClientFault injector writes it ("500ms", a Go duration string) or as a Go
 * `time.Duration` marshals (integer nanoseconds). The Go SDK reads only the latter and so fails on
 * every file the Go injector writes; both are accepted here.
 */
function durationField(raw: Record<string, unknown>, field: string, where: string, issues: SpecIssue[]): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  const path = `${where}.${field}`;
  let duration: Duration;
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) {
      issues.push({ path, message: `${path} must be a duration`, expected: 'a duration string such as "500ms" or whole nanoseconds', got: shown(value), severity: "error" });
      return undefined;
    }
    // Clamped: anything that large is refused below as too long, not as an overflow.
    duration = Duration.fromNanoseconds(BigInt(Math.min(value, 9e18)));
  } else if (typeof value === "string") {
    const parsed = Duration.tryParse(value);
    if (!parsed.ok || parsed.value.isNegative()) {
      issues.push({ path, message: `${path} is not a valid duration${parsed.ok ? "" : `: ${parsed.error}`}`, expected: 'a non-negative duration such as "500ms"', got: shown(value), severity: "error" });
      return undefined;
    }
    duration = parsed.value;
  } else {
    issues.push({ path, message: `${path} must be a duration`, expected: 'a duration string such as "500ms" or whole nanoseconds', got: shown(value), severity: "error" });
    return undefined;
  }
  if (duration.compare(MAX_DELAY) > 0) {
    issues.push({ path, message: `${path} is too long`, expected: `at most ${MAX_DELAY.toString()}`, got: shown(value), severity: "error" });
    return undefined;
  }
  return duration.milliseconds;
}

/** The JSON text of the ConfigMap's `config` key. */
export function parseConfigText(text: string): ParseResult {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ path: CONFIG_DATA_KEY, message: `not valid JSON: ${(error as Error).message}`, severity: "error" }] };
  }
  if (!isObject(document)) {
    return { ok: false, issues: [{ path: CONFIG_DATA_KEY, message: "must be a JSON object", expected: '{"active": true, "faults": {…}}', got: shown(document), severity: "error" }] };
  }
  const issues: SpecIssue[] = [];
  const active = document.active ?? false;
  if (typeof active !== "boolean") issues.push({ path: "active", message: "active must be true or false", got: shown(active), severity: "error" });
  const parsed = document.faults === undefined ? { faults: {}, issues: [] } : parseFaults(document.faults);
  // An empty faults map is a valid (if idle) configuration; only the ClientFault parameter must name one.
  issues.push(...parsed.issues.filter((issue) => !(issue.path === "faults" && Object.keys(document.faults as object).length === 0 && isObject(document.faults))));
  for (const field of Object.keys(document)) {
    if (field !== "active" && field !== "faults") issues.push({ path: field, message: `${field} is not a configuration field and is ignored`, expected: "active, faults", severity: "warning" });
  }
  const errors = issues.filter((issue) => issue.severity === "error");
  if (errors.length > 0) return { ok: false, issues };
  return { ok: true, config: { active: active as boolean, faults: parsed.faults }, warnings: issues };
}

/**
 * A ConfigMap's data as the SDK reads it: no ConfigMap, no `config` key or an empty one mean no
 * faults (the Go libraries disagree here; no faults is the safe reading).
 */
export function parseConfigData(data: Readonly<Record<string, string>> | undefined): ParseResult {
  const text = data?.[CONFIG_DATA_KEY];
  if (text === undefined || text.trim() === "") return { ok: true, config: INACTIVE, warnings: [] };
  return parseConfigText(text);
}

/** What the ClientFault injector writes into data.config (as the Go tool does: the faults verbatim). */
export function configTextFor(faultsParameter: string): string {
  return JSON.stringify({ active: true, faults: JSON.parse(faultsParameter) as unknown });
}
