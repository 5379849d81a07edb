// Shape and document-level rules of experiments: each case is one failing document, checked for
// the rule's code, message, severity and position.

import { describe, expect, it } from "vitest";
import { formatDiagnostic, type Diagnostic, type SourcePosition } from "./diagnostic.js";
import { experimentText, positionIn } from "./testing.js";
import { allDiagnostics, loadExperimentFile, validateExperimentValue, validateText, type FileResult } from "./validate.js";

const VALID = experimentText({ type: "PodKill", parameters: { labelSelector: "app=x" } });

function find(result: FileResult, code: string, path: string): Diagnostic {
  const diagnostics = allDiagnostics(result);
  const found = diagnostics.find((diagnostic) => diagnostic.code === code && diagnostic.path === path);
  expect(found, `no ${code} at ${path} among:\n${diagnostics.map(formatDiagnostic).join("\n")}`).toBeDefined();
  return found!;
}

function expectAt(diagnostic: Diagnostic, position: SourcePosition): void {
  expect({ line: diagnostic.line, column: diagnostic.column }).toEqual(position);
}

interface ShapeCase {
  readonly rule: string;
  readonly edit: (text: string) => string;
  readonly code: string;
  readonly path: string;
  readonly message: string;
  readonly expected?: string;
  readonly got?: string;
  readonly at: (text: string) => SourcePosition;
  readonly severity?: "error" | "warning";
}

const replace = (from: string, to: string) => (text: string): string => {
  if (!text.includes(from)) throw new Error(`${from} not in document`);
  return text.replace(from, to);
};

const SHAPE_CASES: readonly ShapeCase[] = [
  { rule: "unknown top-level field, with a suggestion", edit: replace("metadata:", "metdata:"), code: "schema.unknown-field", path: "metdata", message: 'unknown field "metdata"; did you mean "metadata"?', at: (t) => positionIn(t, "metdata:") },
  { rule: "unknown nested field, with a suggestion", edit: replace("    type: PodKill", "    tpye: PodKill"), code: "schema.unknown-field", path: "spec.injection.tpye", message: 'did you mean "type"?', at: (t) => positionIn(t, "tpye:") },
  { rule: "a field at the wrong level says where it belongs", edit: replace("    type: PodKill", "    type: PodKill\n    recoveryTimeout: 60s"), code: "schema.unknown-field", path: "spec.injection.recoveryTimeout", message: '"recoveryTimeout" belongs in spec.hypothesis', at: (t) => positionIn(t, "recoveryTimeout:") },
  { rule: "a missing required field is reported at its parent's key", edit: replace("    operator: test-operator\n", ""), code: "schema.required", path: "spec.target.operator", message: 'required field "operator" is missing', expected: "string", at: (t) => positionIn(t, "target:") },
  { rule: "a missing top-level section is reported at the document start", edit: replace("  hypothesis:\n    description: the operator recovers\n", ""), code: "schema.required", path: "spec.hypothesis", message: 'required field "hypothesis" is missing', at: (t) => positionIn(t, "spec:") },
  { rule: "wrong type: number for a string parameter, with a hint", edit: replace('labelSelector: "app=x"', "labelSelector: 5"), code: "schema.type", path: "spec.injection.parameters.labelSelector", message: "wrong type; quote the value", expected: "string", got: "integer 5", at: (t) => positionIn(t, "labelSelector: ", "after") },
  { rule: "wrong type: string for an integer", edit: replace("maxPodsAffected: 5", 'maxPodsAffected: "5"'), code: "schema.type", path: "spec.blastRadius.maxPodsAffected", message: "wrong type", expected: "integer", got: '"5"', at: (t) => positionIn(t, "maxPodsAffected: ", "after") },
  { rule: "YAML 1.1 booleans are booleans, as in the Go tool", edit: replace('labelSelector: "app=x"', "labelSelector: yes"), code: "schema.type", path: "spec.injection.parameters.labelSelector", message: "quote the value", got: "boolean true", at: (t) => positionIn(t, "labelSelector: ", "after") },
  { rule: "unknown injection type, with a suggestion", edit: replace("type: PodKill", "type: Podkill"), code: "schema.enum", path: "spec.injection.type", message: 'unknown injection type; did you mean "PodKill"?', got: '"Podkill"', at: (t) => positionIn(t, "\n    type: ", "after") },
  { rule: "unknown danger level", edit: replace("    type: PodKill", "    type: PodKill\n    dangerLevel: hihg"), code: "schema.enum", path: "spec.injection.dangerLevel", message: 'did you mean "high"?', expected: 'one of "", low, medium, high', at: (t) => positionIn(t, "dangerLevel: ", "after") },
  { rule: "empty injection type", edit: replace("type: PodKill", 'type: ""'), code: "schema.empty", path: "spec.injection.type", message: "must not be empty", at: (t) => positionIn(t, "\n    type: ", "after") },
  { rule: "duration syntax: missing unit", edit: replace("    type: PodKill", "    type: PodKill\n    ttl: \"300\""), code: "duration.syntax", path: "spec.injection.ttl", message: "missing unit", at: (t) => positionIn(t, "ttl: ", "after") },
  { rule: "duration syntax: words", edit: replace("description: the operator recovers", "description: the operator recovers\n    recoveryTimeout: 5 minutes"), code: "duration.syntax", path: "spec.hypothesis.recoveryTimeout", message: "invalid duration", expected: "a Go duration such as 300s, 1m30s or 500ms", at: (t) => positionIn(t, "recoveryTimeout: ", "after") },
  { rule: "target names are RFC 1123", edit: replace("operator: test-operator", "operator: Test_Operator"), code: "schema.format", path: "spec.target.operator", message: "lowercase RFC 1123 name", at: (t) => positionIn(t, "operator: ", "after") },
  { rule: "metadata.name is required", edit: replace("  name: rule-test\n", "  labels: {}\n"), code: "schema.required", path: "metadata.name", message: 'required field "name" is missing', at: (t) => positionIn(t, "metadata:") },
  { rule: "hypothesis.description must not be empty", edit: replace("description: the operator recovers", 'description: ""'), code: "schema.empty", path: "spec.hypothesis.description", message: "must not be empty", at: (t) => positionIn(t, "description: ", "after") },
  { rule: "maxPodsAffected is at least 1", edit: replace("maxPodsAffected: 5", "maxPodsAffected: 0"), code: "schema.range", path: "spec.blastRadius.maxPodsAffected", message: "too small", expected: "at least 1", at: (t) => positionIn(t, "maxPodsAffected: ", "after") },
  { rule: "tier is at most 6", edit: replace("spec:\n", "spec:\n  tier: 7\n"), code: "schema.range", path: "spec.tier", message: "too large", expected: "at most 6", at: (t) => positionIn(t, "tier: ", "after") },
  { rule: "tier 0 means unset (a warning, as the Go tool accepts it)", edit: replace("spec:\n", "spec:\n  tier: 0\n"), code: "schema.range", path: "spec.tier", message: "0 means unset", at: (t) => positionIn(t, "tier: ", "after"), severity: "warning" },
  { rule: "count outside 1..100 is a warning (the Go tool reads <= 0 as 1)", edit: replace("    type: PodKill", "    type: PodKill\n    count: 0"), code: "schema.range", path: "spec.injection.count", message: "the Go tool reads it as 1", at: (t) => positionIn(t, "count: ", "after"), severity: "warning" },
  { rule: "count beyond 32 bits is an error", edit: replace("    type: PodKill", "    type: PodKill\n    count: 5000000000"), code: "schema.range", path: "spec.injection.count", message: "too large", at: (t) => positionIn(t, "count: ", "after") },
  { rule: "a foreign apiVersion is a warning", edit: replace("chaos.operatorchaos.io/v1alpha1", "chaos.operatorchaos.io/v1"), code: "schema.enum", path: "apiVersion", message: "the Go tool ignores apiVersion", at: (t) => positionIn(t, "apiVersion: ", "after"), severity: "warning" },
  { rule: "a misspelt kind is an error, with a suggestion", edit: replace("kind: ChaosExperiment", "kind: ChaosExperment"), code: "schema.enum", path: "kind", message: "unknown value", expected: '"ChaosExperiment"', at: (t) => positionIn(t, "kind: ", "after") },
  { rule: "metadata.name should be a DNS name", edit: replace("name: rule-test", "name: Rule_Test"), code: "lint.name-format", path: "metadata.name", message: "lowercase RFC 1123 name", at: (t) => positionIn(t, "name: ", "after"), severity: "warning" },
  { rule: "ttl is not negative", edit: replace("    type: PodKill", "    type: PodKill\n    ttl: -5s"), code: "safety.duration-limit", path: "spec.injection.ttl", message: "must not be negative", at: (t) => positionIn(t, "ttl: ", "after") },
  { rule: "ttl is at most 1h", edit: replace("    type: PodKill", "    type: PodKill\n    ttl: 61m"), code: "safety.duration-limit", path: "spec.injection.ttl", message: "exceeds the maximum of 1h0m0s", at: (t) => positionIn(t, "ttl: ", "after") },
  { rule: "recoveryTimeout is at most 1h", edit: replace("description: the operator recovers", "description: the operator recovers\n    recoveryTimeout: 2h"), code: "safety.duration-limit", path: "spec.hypothesis.recoveryTimeout", message: "exceeds the maximum", got: "2h", at: (t) => positionIn(t, "recoveryTimeout: ", "after") },
];

describe("experiment shape rules", () => {
  it("accepts the base document without any diagnostic", () => {
    const result = validateText(VALID, "valid.yaml");
    expect(allDiagnostics(result)).toEqual([]);
    expect(result.status).toBe("valid");
    expect(result.documents[0]!.experiment?.spec.injection.type).toBe("PodKill");
  });

  it.each(SHAPE_CASES.map((rule) => [rule.rule, rule] as const))("%s", (_name, rule) => {
    const text = rule.edit(VALID);
    const result = validateText(text, "shape.yaml");
    const found = find(result, rule.code, rule.path);
    expect(found.message).toContain(rule.message);
    if (rule.expected !== undefined) expect(found.expected).toBe(rule.expected);
    if (rule.got !== undefined) expect(found.got).toBe(rule.got);
    expectAt(found, rule.at(text));
    expect(found.severity).toBe(rule.severity ?? "error");
    expect(result.status).toBe((rule.severity ?? "error") === "error" ? "invalid" : "valid");
  });

  it("reports every problem of a document at once, sorted by position", () => {
    const text = VALID.replace("operator: test-operator", "operator: ''").replace("maxPodsAffected: 5", "maxPodsAffected: -1").replace("type: PodKill", "type: Nope");
    const diagnostics = allDiagnostics(validateText(text, "many.yaml"));
    expect(diagnostics.map((diagnostic) => diagnostic.path)).toEqual(["spec.target.operator", "spec.injection.type", "spec.blastRadius.maxPodsAffected"]);
    const lines = diagnostics.map((diagnostic) => diagnostic.line);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });

  it("reports an empty value once, not also as badly formatted", () => {
    const diagnostics = allDiagnostics(validateText(VALID.replace("operator: test-operator", 'operator: ""'), "x.yaml"));
    expect(diagnostics.filter((diagnostic) => diagnostic.path === "spec.target.operator").map((diagnostic) => diagnostic.code)).toEqual(["schema.empty"]);
  });

  it("formats diagnostics as file:line:col: path: message (expected …, got …)", () => {
    const text = VALID.replace("maxPodsAffected: 5", 'maxPodsAffected: "5"');
    const found = find(validateText(text, "dir/x.yaml"), "schema.type", "spec.blastRadius.maxPodsAffected");
    const { line, column } = positionIn(text, "maxPodsAffected: ", "after");
    expect(formatDiagnostic(found)).toBe(`dir/x.yaml:${line}:${column}: spec.blastRadius.maxPodsAffected: wrong type (expected integer, got "5")`);
  });

  it("marks warnings in the formatted line", () => {
    const text = VALID.replace('labelSelector: "app=x"', 'labelSelector: "app=x"\n      signal: "SIGKILL"');
    const found = find(validateText(text, "w.yaml"), "parameter.unknown", "spec.injection.parameters.signal");
    expect(formatDiagnostic(found)).toMatch(/^w\.yaml:\d+:\d+: spec\.injection\.parameters\.signal: warning: PodKill has no parameter "signal"/);
  });

  it("reads null fields as absent and null map entries as empty strings, like the Go decoder", () => {
    const text = VALID.replace("  steadyState:", "  tier:\n  steadyState:").replace('labelSelector: "app=x"', 'labelSelector: "app=x"\n      extra: ~');
    const result = validateExperimentValue({
      ...(validateText(text, "n.yaml").documents[0]!.experiment as object),
    });
    expect(result.issues.filter((found) => found.severity === "error")).toEqual([]);
    const reread = validateText(text, "n.yaml").documents[0]!;
    expect(reread.experiment?.spec.tier).toBeUndefined();
    expect(reread.experiment?.spec.injection.parameters?.["extra"]).toBe("");
  });

  it("accepts the metadata and status a cluster adds (kubectl get -o yaml output)", () => {
    const text = VALID.replace(
      "  name: rule-test\n",
      "  name: rule-test\n  namespace: test-ns\n  uid: 1234\n  resourceVersion: \"99\"\n  generation: 2\n  creationTimestamp: 2024-01-01T00:00:00Z\n  annotations:\n    a: b\n",
    ).replace("apiVersion: chaos.operatorchaos.io/v1alpha1\n", "apiVersion: chaos.operatorchaos.io/v1alpha1\nstatus:\n  phase: Complete\n  verdict: Resilient\n");
    const result = validateText(text.replace("uid: 1234", 'uid: "1234"'), "cluster.yaml");
    expect(allDiagnostics(result).map(formatDiagnostic)).toEqual([]);
    expect(result.documents[0]!.experiment?.metadata.creationTimestamp).toBe("2024-01-01T00:00:00Z");
  });
});

describe("documents and files", () => {
  it("checks every document of a multi-document file, each at its own lines", () => {
    const second = VALID.replace("type: PodKill", "type: Podkill");
    const text = `${VALID}---\n${second}`;
    const result = validateText(text, "multi.yaml");
    expect(result.documents.map((document) => document.status)).toEqual(["valid", "invalid"]);
    const found = find(result, "schema.enum", "spec.injection.type");
    expect(found.document).toBe(1);
    expectAt(found, positionIn(text, "Podkill"));
    expect(result.status).toBe("invalid");
  });

  it("skips Kubernetes documents that are not operator-chaos documents", () => {
    const result = validateText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "cm.yaml");
    expect(result.status).toBe("skipped");
    expect(result.documents[0]!.reason).toBe("v1 ConfigMap is not an operator-chaos document");
  });

  it("recognises knowledge models without apiVersion or kind", () => {
    const result = validateText("operator:\n  name: x\n  namespace: y\ncomponents: []\nrecovery:\n  reconcileTimeout: 60s\n  maxReconcileCycles: 3\n", "k.yaml");
    expect(result.documents[0]!.kind).toBe("OperatorKnowledge");
    expect(find(result, "schema.range", "components").message).toBe("too few items");
  });

  it("rejects a document that is not a mapping, at its start", () => {
    const result = validateText("# comment\n- a\n- b\n", "list.yaml");
    const found = find(result, "document.not-mapping", "");
    expectAt(found, { line: 2, column: 1 });
    expect(found.got).toBe("a list");
  });

  it("rejects a mapping that is neither an experiment nor a knowledge model", () => {
    const found = find(validateText("hello: world\n", "x.yaml"), "document.unrecognised", "");
    expect(found.expected).toContain("kind: ChaosExperiment");
  });

  it("treats a misspelt ChaosExperiment kind as an experiment, so its errors are shown", () => {
    const result = validateText(VALID.replace("kind: ChaosExperiment", "kind: ChaosExperimnt"), "x.yaml");
    expect(result.documents[0]!.kind).toBe("ChaosExperiment");
    expect(result.status).toBe("invalid");
  });

  it("reads every document as a knowledge model when asked to", () => {
    const result = validateText(VALID, "x.yaml", { expectKind: "OperatorKnowledge" });
    expect(result.documents[0]!.kind).toBe("OperatorKnowledge");
    expect(find(result, "schema.unknown-field", "apiVersion").message).toBe('unknown field "apiVersion"');
  });

  it("treats warnings as errors with strict", () => {
    const text = VALID.replace('labelSelector: "app=x"', 'labelSelector: "app=x"\n      signal: "KILL"');
    expect(validateText(text, "x.yaml").status).toBe("valid");
    const strict = validateText(text, "x.yaml", { strict: true });
    expect(strict.status).toBe("invalid");
    expect(strict.documents[0]!.experiment).toBeUndefined();
  });
});

describe("loadExperimentFile (run engine entry)", () => {
  it("returns the experiments of a valid file and refuses run-time safety problems", async () => {
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const directory = await mkdtemp(path.join(tmpdir(), "oc-load-"));
    const good = path.join(directory, "good.yaml");
    const unsafe = path.join(directory, "unsafe.yaml");
    await writeFile(good, VALID);
    await writeFile(unsafe, VALID.replace("      - test-ns", "      - kube-system"));
    const loaded = await loadExperimentFile(good);
    expect(loaded.experiments.map((experiment) => experiment.metadata.name)).toEqual(["rule-test"]);
    const refused = await loadExperimentFile(unsafe);
    expect(refused.experiments).toEqual([]);
    expect(find(refused.result, "safety.forbidden-namespace", "spec.blastRadius.allowedNamespaces[0]").severity).toBe("error");
  });
});
