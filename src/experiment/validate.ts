// Validation of whole files: recognise each document (experiment, knowledge model, or something
// else to skip), check it completely — shape, the Go tool's loader rules, every fault's parameter
// rules and the safety rules a run enforces — and report every problem at once, placed at its line.
//
// Severity follows compatibility with the Go tool: what its `validate` rejects is an error; what it
// accepts but a run would refuse (or what is merely suspicious) is a warning. With mode "run" the
// run-time rules are errors.

import { issue, formatPath, type Diagnostic, type Issue } from "./diagnostic.js";
import { API_GROUP, API_VERSION, EXPERIMENT_KIND } from "./enums.js";
import { validateKnowledgeValue, type OperatorKnowledge } from "./knowledge.js";
import { placeIssue, readYamlFile, parseYamlText, type LoadedFile, type SourceDocument } from "./load.js";
import { ChaosExperimentSchema } from "./schema.js";
import { fieldIndex, isPlainObject, normalizeNulls, translateZodIssue, valueAt, withoutInvalidParts } from "./schema-issues.js";
import { closestMatch } from "./suggest.js";
import { resolveCount, declaredDangerLevel, type ChaosExperiment, type PartialExperiment } from "./types.js";
import type { FaultParameters } from "../faults/driver.js";
import { findFaultDriver } from "../faults/registry.js";
import { durationLimitIssues, runTimeSafetyIssues } from "../safety/rules.js";

export type ValidationMode = "validate" | "run";
export type DocumentKind = "ChaosExperiment" | "OperatorKnowledge";
export type ValidationStatus = "valid" | "invalid" | "skipped";

export interface ValidateOptions {
  /** "validate" (default): run-time safety rules are warnings. "run": they are errors. */
  readonly mode?: ValidationMode;
  /** Treat warnings as errors. */
  readonly strict?: boolean;
  /** Read every document as this kind instead of recognising it. */
  readonly expectKind?: DocumentKind;
}

export interface DocumentResult {
  readonly file: string;
  readonly index: number;
  readonly line: number;
  readonly column: number;
  /** Undefined for skipped or unrecognisable documents. */
  readonly kind?: DocumentKind;
  readonly name?: string;
  readonly status: ValidationStatus;
  /** Why the document was skipped. */
  readonly reason?: string;
  /** Sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
  /** The experiment, when the document is a valid one. */
  readonly experiment?: ChaosExperiment;
  /** The knowledge model, when the document is a valid one. */
  readonly knowledge?: OperatorKnowledge;
}

export interface FileResult {
  readonly file: string;
  /** invalid when any document is invalid or the file itself has a problem; skipped when every document is. */
  readonly status: ValidationStatus;
  /** Problems with the file as a whole (unreadable, too large, empty, broken YAML stream). */
  readonly diagnostics: readonly Diagnostic[];
  readonly documents: readonly DocumentResult[];
}

export interface ExperimentValidation {
  /** In rule order, paths relative to the document. */
  readonly issues: Issue[];
  /** The experiment, when it has no error. */
  readonly experiment?: ChaosExperiment;
}

const EXPERIMENT_FIELDS = fieldIndex(ChaosExperimentSchema);
const VALUE_NAMES: ReadonlyMap<string, string> = new Map([
  ["spec.injection.type", "injection type"],
  ["spec.injection.dangerLevel", "danger level"],
]);
const KUBERNETES_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RUN_REFUSES = "; run refuses this experiment";

/** Every check of one experiment document (already parsed to plain data). */
export function validateExperimentValue(value: unknown, options: Pick<ValidateOptions, "mode"> = {}): ExperimentValidation {
  const mode = options.mode ?? "validate";
  const normalized = normalizeNulls(value, ChaosExperimentSchema);
  const issues: Issue[] = [];
  const parsed = ChaosExperimentSchema.safeParse(normalized);
  if (!parsed.success) {
    for (const zodIssue of parsed.error.issues) {
      for (const found of translateZodIssue(zodIssue, normalized, ChaosExperimentSchema, EXPERIMENT_FIELDS, { valueNames: VALUE_NAMES })) {
        const adjusted = applyGoCompatibility(found, normalized);
        if (adjusted !== undefined) issues.push(adjusted);
      }
    }
  }
  const view = withoutInvalidParts(normalized, issues) as PartialExperiment;
  issues.push(...experimentRuleIssues(view, normalized, mode));
  const deduplicated = keepMostSevere(issues);
  const hasError = deduplicated.some((found) => found.severity === "error");
  return hasError ? { issues: deduplicated } : { issues: deduplicated, experiment: normalized as ChaosExperiment };
}

/**
 * Shape problems the Go tool's loader lets through become warnings (or are left to a later rule),
 * so that every file it accepts stays valid here.
 */
function applyGoCompatibility(found: Issue, value: unknown): Issue | undefined {
  const path = formatPath(found.path);
  if (path === "apiVersion") {
    return { ...found, severity: "warning", message: `${found.message}; the Go tool ignores apiVersion, the cluster does not` };
  }
  if (path === "kind" && found.code === "schema.required") return { ...found, severity: "warning" };
  if (path === "spec.injection.count" && found.code === "schema.range") {
    const count = valueAt(value, found.path) as number;
    // Only the CRD's 1..100 range is lenient; values beyond 32 bits were never readable.
    if (Math.abs(count) <= 2 ** 31 - 1) {
      return {
        ...found,
        severity: "warning",
        message: `${found.message}: outside the CRD's range 1..100${count <= 0 ? "; the Go tool reads it as 1" : ""}`,
      };
    }
  }
  if (path === "spec.tier" && found.code === "schema.range" && valueAt(value, found.path) === 0) {
    return { ...found, severity: "warning", message: "0 means unset (tier 1); the CRD requires 1 to 6" };
  }
  // A check's type is judged by the steady-state check rule, with run-time severity.
  if (/^spec\.steadyState\.checks\[\d+\]\.type$/.test(path)) return undefined;
  return found;
}

/** The rules beyond the shape, run on whatever part of the document is well-formed. */
function experimentRuleIssues(experiment: PartialExperiment, normalized: unknown, mode: ValidationMode): Issue[] {
  const issues: Issue[] = [...durationLimitIssues(experiment)];
  const type = experiment.spec?.injection?.type;
  const driver = type === undefined ? undefined : findFaultDriver(type);
  const parameters = parameterView(valueAt(normalized, ["spec", "injection", "parameters"]));
  if (driver !== undefined) {
    const context = {
      dangerLevel: declaredDangerLevel(experiment),
      count: resolveCount(experiment),
      maxPodsAffected: experiment.spec?.blastRadius?.maxPodsAffected,
      allowedNamespaces: (experiment.spec?.blastRadius?.allowedNamespaces ?? []).filter((entry): entry is string => typeof entry === "string"),
    };
    for (const found of driver.validateParameters(parameters, context)) {
      issues.push({ ...found, path: ["spec", "injection", ...found.path] });
    }
    const known = driver.parameterDocs.map((doc) => doc.name);
    for (const name of Object.keys(parameters)) {
      if (known.includes(name) || issues.some((found) => found.path[3] === name && found.path[2] === "parameters")) continue;
      const suggestion = closestMatch(name, known);
      issues.push(
        issue(
          ["spec", "injection", "parameters", name],
          "parameter.unknown",
          `${driver.type} has no parameter ${JSON.stringify(name)}; it is ignored${suggestion === undefined ? "" : `; did you mean ${JSON.stringify(suggestion)}?`}`,
          { severity: "warning", target: "key", expected: known.length === 0 ? "no parameters" : `one of ${known.join(", ")}` },
        ),
      );
    }
  }
  const name = experiment.metadata?.name;
  if (name !== undefined && name !== "" && (name.length > 253 || !KUBERNETES_SUBDOMAIN.test(name))) {
    issues.push(
      issue(["metadata", "name"], "lint.name-format", "metadata.name is used in cluster object names and should be a lowercase RFC 1123 name", {
        severity: "warning",
        got: JSON.stringify(name),
      }),
    );
  }
  const scope = driver?.scopeFor(parameters);
  for (const found of runTimeSafetyIssues(experiment, scope)) {
    issues.push(mode === "run" ? found : { ...found, severity: "warning", message: `${found.message}${RUN_REFUSES}` });
  }
  return issues;
}

/** Parameters as the drivers see them: scalars as text (a wrongly typed value is reported once, by the schema). */
function parameterView(parameters: unknown): FaultParameters {
  if (!isPlainObject(parameters)) return {};
  const view: Record<string, string> = {};
  for (const [key, entry] of Object.entries(parameters)) {
    if (typeof entry === "string") view[key] = entry;
    else if (typeof entry === "number" || typeof entry === "boolean") view[key] = String(entry);
  }
  return view;
}

/** Findings that make every other shape finding at the same place redundant ("" is also not a name). */
const PRIMARY_SHAPE_CODES = new Set(["schema.required", "schema.empty", "schema.type"]);

/**
 * Two rules may find the same thing (e.g. PodKill's count and the blast radius): keep the most
 * severe. An empty or missing value is reported once, not also as badly formatted.
 */
function keepMostSevere(issues: readonly Issue[]): Issue[] {
  const primaryPaths = new Set(issues.filter((found) => PRIMARY_SHAPE_CODES.has(found.code)).map((found) => formatPath(found.path)));
  issues = issues.filter(
    (found) => PRIMARY_SHAPE_CODES.has(found.code) || !found.code.startsWith("schema.") || !primaryPaths.has(formatPath(found.path)),
  );
  const chosen = new Map<string, Issue>();
  for (const found of issues) {
    const key = `${found.code}\u0000${formatPath(found.path)}`;
    const previous = chosen.get(key);
    if (previous === undefined || (previous.severity === "warning" && found.severity === "error")) chosen.set(key, found);
  }
  return issues.filter((found) => chosen.get(`${found.code}\u0000${formatPath(found.path)}`) === found);
}

type Recognised =
  | { readonly kind: DocumentKind }
  | { readonly skip: string }
  | { readonly problem: Issue };

/** Which kind of document this is, from apiVersion/kind or, for knowledge models, their top-level fields. */
export function recogniseDocument(value: unknown): Recognised {
  if (!isPlainObject(value)) {
    return {
      problem: issue([], "document.not-mapping", "a document must be a mapping", {
        expected: "a ChaosExperiment or an operator knowledge model",
        got: Array.isArray(value) ? "a list" : typeof value === "string" ? "a string" : `${value === null ? "null" : typeof value}`,
      }),
    };
  }
  const apiVersion = typeof value["apiVersion"] === "string" ? value["apiVersion"] : undefined;
  const kind = typeof value["kind"] === "string" ? value["kind"] : undefined;
  if (kind === EXPERIMENT_KIND || apiVersion?.startsWith(`${API_GROUP}/`)) return { kind: "ChaosExperiment" };
  if (kind !== undefined && closestMatch(kind, [EXPERIMENT_KIND]) !== undefined) return { kind: "ChaosExperiment" };
  if (apiVersion !== undefined || kind !== undefined) {
    return { skip: `${[apiVersion, kind].filter(Boolean).join(" ")} is not an operator-chaos document` };
  }
  if ("operator" in value || "components" in value || "recovery" in value) return { kind: "OperatorKnowledge" };
  if ("spec" in value || "metadata" in value) return { kind: "ChaosExperiment" };
  return {
    problem: issue([], "document.unrecognised", "not a ChaosExperiment or an operator knowledge model", {
      expected: `apiVersion: ${API_VERSION} and kind: ${EXPERIMENT_KIND}, or a knowledge model (operator, components, recovery)`,
    }),
  };
}

function validateDocument(file: string, document: SourceDocument, options: ValidateOptions): DocumentResult | undefined {
  const base = { file, index: document.index, line: document.start.line, column: document.start.column };
  if (document.empty && document.diagnostics.length === 0) return undefined;
  const finish = (kind: DocumentKind | undefined, found: readonly Issue[], extra: Partial<DocumentResult> = {}): DocumentResult => {
    const diagnostics = [...document.diagnostics, ...found.map((item) => placeIssue(file, document, item))].sort(
      (a, b) => a.line - b.line || a.column - b.column,
    );
    const failing = diagnostics.some((diagnostic) => diagnostic.severity === "error" || options.strict === true);
    // Under --strict a warning makes the document invalid: then it yields no experiment or model.
    const { experiment, knowledge, ...described } = extra;
    return {
      ...base,
      ...(kind === undefined ? {} : { kind }),
      ...described,
      ...(failing ? {} : { ...(experiment ? { experiment } : {}), ...(knowledge ? { knowledge } : {}) }),
      status: failing ? "invalid" : "valid",
      diagnostics,
    };
  };
  if (document.value === undefined) return finish(undefined, []);
  const recognised: Recognised = options.expectKind !== undefined ? { kind: options.expectKind } : recogniseDocument(document.value);
  if ("skip" in recognised) return { ...base, status: "skipped", reason: recognised.skip, diagnostics: document.diagnostics };
  if ("problem" in recognised) return finish(undefined, [recognised.problem]);
  if (recognised.kind === "OperatorKnowledge") {
    const result = validateKnowledgeValue(document.value, options);
    const name = valueAt(document.value, ["operator", "name"]);
    return finish("OperatorKnowledge", result.issues, {
      ...(typeof name === "string" ? { name } : {}),
      ...(result.knowledge !== undefined ? { knowledge: result.knowledge } : {}),
    });
  }
  const result = validateExperimentValue(document.value, options);
  const name = valueAt(document.value, ["metadata", "name"]);
  return finish("ChaosExperiment", result.issues, {
    ...(typeof name === "string" ? { name } : {}),
    ...(result.experiment !== undefined ? { experiment: result.experiment } : {}),
  });
}

/** Validates every document of a loaded file. */
export function validateLoadedFile(loaded: LoadedFile, options: ValidateOptions = {}): FileResult {
  const documents = loaded.documents
    .map((document) => validateDocument(loaded.file, document, options))
    .filter((result): result is DocumentResult => result !== undefined);
  const fileFails = loaded.diagnostics.some((diagnostic) => diagnostic.severity === "error" || options.strict === true);
  let status: ValidationStatus;
  if (fileFails || documents.some((document) => document.status === "invalid")) status = "invalid";
  else if (documents.length > 0 && documents.every((document) => document.status === "skipped")) status = "skipped";
  else status = "valid";
  return { file: loaded.file, status, diagnostics: loaded.diagnostics, documents };
}

/** Reads and validates one file; never throws. */
export async function validateFile(file: string, options: ValidateOptions = {}): Promise<FileResult> {
  return validateLoadedFile(await readYamlFile(file), options);
}

/** Validates YAML text; `file` labels the diagnostics. */
export function validateText(text: string, file: string, options: ValidateOptions = {}): FileResult {
  return validateLoadedFile(parseYamlText(text, file), options);
}

/** Every diagnostic of a file result, file-level first, then by document. */
export function allDiagnostics(result: FileResult): Diagnostic[] {
  return [...result.diagnostics, ...result.documents.flatMap((document) => document.diagnostics)];
}

export interface LoadedExperiments {
  /** The experiments of the file, in order; empty unless the whole file is valid. */
  readonly experiments: readonly ChaosExperiment[];
  readonly result: FileResult;
}

/**
 * For the run engine: loads a file and checks it with the run-time rules as errors. `experiments` is
 * empty when anything is wrong; `result` says what.
 */
export async function loadExperimentFile(file: string, options: Omit<ValidateOptions, "expectKind"> = {}): Promise<LoadedExperiments> {
  const result = await validateFile(file, { mode: "run", ...options, expectKind: "ChaosExperiment" });
  const experiments = result.status === "valid" ? result.documents.flatMap((document) => (document.experiment ? [document.experiment] : [])) : [];
  return { experiments, result };
}
