// Issues (what is wrong, where in the document tree) and diagnostics (the same, placed at a line and
// column of a file). Rules produce issues; only the loader knows the source text, so only it turns
// them into diagnostics.

export type Severity = "error" | "warning";
export type PathSegment = string | number;
export type IssuePath = readonly PathSegment[];

export interface Issue {
  /** Where in the validated value; relative to whatever the rule was given (documents: the root). */
  readonly path: IssuePath;
  readonly message: string;
  readonly expected?: string;
  readonly got?: string;
  readonly severity: Severity;
  /** Stable identifier of the rule, for tests, JSON output and de-duplication. */
  readonly code: string;
  /** "key" for problems with a field name itself (unknown fields); the value otherwise. */
  readonly target?: "key" | "value";
}

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface Diagnostic extends SourcePosition {
  readonly file: string;
  /** 0-based index of the YAML document within the file. */
  readonly document: number;
  /** Dotted path as text, e.g. `spec.injection.parameters.labelSelector` ("" for the whole file). */
  readonly path: string;
  readonly severity: Severity;
  readonly message: string;
  readonly expected?: string;
  readonly got?: string;
  readonly code: string;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.steadyState.checks[0].namespace`; keys that are not plain words are quoted: `labels["app.kubernetes.io/name"]`. */
export function formatPath(path: IssuePath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** The message with its `(expected …, got …)` tail. */
export function describeIssue(issue: Pick<Issue, "message" | "expected" | "got">): string {
  const details: string[] = [];
  if (issue.expected !== undefined) details.push(`expected ${issue.expected}`);
  if (issue.got !== undefined) details.push(`got ${issue.got}`);
  return details.length === 0 ? issue.message : `${issue.message} (${details.join(", ")})`;
}

/** `file:LINE:COL: path: message (expected …, got …)`; warnings say so after the path. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}:`;
  const path = diagnostic.path === "" ? "" : ` ${diagnostic.path}:`;
  const severity = diagnostic.severity === "warning" ? " warning:" : "";
  return `${where}${path}${severity} ${describeIssue(diagnostic)}`;
}

/** How a value is named in "got …": its type, and the value itself when it is short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return value.length <= 60 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (typeof value === "number") return Number.isInteger(value) ? `integer ${value}` : `number ${value}`;
  if (typeof value === "boolean") return `boolean ${value}`;
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a timestamp";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

export function issue(
  path: IssuePath,
  code: string,
  message: string,
  extra: { expected?: string; got?: string; severity?: Severity; target?: "key" | "value" } = {},
): Issue {
  return {
    path,
    code,
    message,
    severity: extra.severity ?? "error",
    ...(extra.expected !== undefined ? { expected: extra.expected } : {}),
    ...(extra.got !== undefined ? { got: extra.got } : {}),
    ...(extra.target !== undefined ? { target: extra.target } : {}),
  };
}

export function countBySeverity(items: readonly { severity: Severity }[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const item of items) {
    if (item.severity === "error") errors++;
    else warnings++;
  }
  return { errors, warnings };
}
