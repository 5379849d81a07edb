import { describe, expect, it } from "vitest";
import { formatDiagnostic, type Diagnostic } from "./diagnostic.js";
import { positionIn } from "./testing.js";
import { allDiagnostics, validateText, type FileResult } from "./validate.js";

const MODEL = `operator:
  name: demo-operator
  namespace: demo
components:
  - name: manager
    controller: DemoCluster
    managedResources:
      - apiVersion: apps/v1
        kind: Deployment
        name: manager
        namespace: demo
        expectedSpec:
          replicas: 1
    dependencies:
      - other-operator
    steadyState:
      checks:
        - type: conditionTrue
          apiVersion: apps/v1
          kind: Deployment
          name: manager
          conditionType: Available
      timeout: "60s"
    webhooks:
      - name: vdemo.example.com
        type: validating
        path: /validate
recovery:
  reconcileTimeout: "300s"
  maxReconcileCycles: 10
`;

function find(result: FileResult, code: string, path: string): Diagnostic {
  const diagnostics = allDiagnostics(result);
  const found = diagnostics.find((diagnostic) => diagnostic.code === code && diagnostic.path === path);
  expect(found, `no ${code} at ${path} among:\n${diagnostics.map(formatDiagnostic).join("\n")}`).toBeDefined();
  return found!;
}

const CASES = [
  { rule: "operator.name is required", edit: (t: string) => t.replace("  name: demo-operator\n", ""), code: "schema.required", path: "operator.name", message: 'required field "name" is missing', at: (t: string) => positionIn(t, "operator:") },
  { rule: "components need managedResources", edit: (t: string) => t.replace(/    managedResources:\n(.*\n){6}/, "    managedResources: []\n"), code: "schema.range", path: "components[0].managedResources", message: "too few items", at: (t: string) => positionIn(t, "managedResources: ", "after") },
  { rule: "webhook type is validating or mutating", edit: (t: string) => t.replace("type: validating", "type: validate"), code: "schema.enum", path: "components[0].webhooks[0].type", message: "unknown value", at: (t: string) => positionIn(t, "type: ", "after", 2) },
  { rule: "unknown fields are errors, with a suggestion", edit: (t: string) => t.replace("    controller:", "    controler:"), code: "schema.unknown-field", path: "components[0].controler", message: 'did you mean "controller"?', at: (t: string) => positionIn(t, "controler:") },
  { rule: "component names are unique", edit: (t: string) => t.replace("recovery:", "  - name: manager\n    controller: X\n    managedResources:\n      - {apiVersion: v1, kind: ConfigMap, name: c}\nrecovery:"), code: "knowledge.duplicate-component", path: "components[1].name", message: "already defined by components[0]", at: (t: string) => positionIn(t, "manager\n    controller: X") },
  { rule: "managed resources are unique", edit: (t: string) => t.replace("    dependencies:", "      - {apiVersion: apps/v1, kind: Deployment, name: manager, namespace: demo}\n    dependencies:"), code: "knowledge.duplicate-resource", path: "components[0].managedResources[1]", message: "already listed as managedResources[0]", at: (t: string) => positionIn(t, "{apiVersion: apps/v1", "start") },
  { rule: "a component cannot depend on itself", edit: (t: string) => t.replace("- other-operator", "- manager"), code: "knowledge.self-dependency", path: "components[0].dependencies[0]", message: "cannot depend on itself", at: (t: string) => positionIn(t, "manager\n    steadyState") },
  { rule: "reconcileTimeout is positive", edit: (t: string) => t.replace('reconcileTimeout: "300s"', 'reconcileTimeout: "0s"'), code: "knowledge.reconcile-timeout", path: "recovery.reconcileTimeout", message: "must be greater than zero", at: (t: string) => positionIn(t, "reconcileTimeout: ", "after") },
  { rule: "reconcileTimeout is a duration", edit: (t: string) => t.replace('reconcileTimeout: "300s"', 'reconcileTimeout: "5 min"'), code: "duration.syntax", path: "recovery.reconcileTimeout", message: "invalid duration", at: (t: string) => positionIn(t, "reconcileTimeout: ", "after") },
  { rule: "maxReconcileCycles is positive", edit: (t: string) => t.replace("maxReconcileCycles: 10", "maxReconcileCycles: 0"), code: "schema.range", path: "recovery.maxReconcileCycles", message: "too small", at: (t: string) => positionIn(t, "maxReconcileCycles: ", "after") },
];

describe("knowledge models", () => {
  it("accepts a complete model and recognises its kind", () => {
    const result = validateText(MODEL, "model.yaml");
    expect(allDiagnostics(result).map(formatDiagnostic)).toEqual([]);
    expect(result.documents[0]).toMatchObject({ kind: "OperatorKnowledge", name: "demo-operator", status: "valid" });
    expect(result.documents[0]!.knowledge?.components[0]!.managedResources[0]!.expectedSpec).toEqual({ replicas: 1 });
  });

  it.each(CASES.map((rule) => [rule.rule, rule] as const))("%s", (_name, rule) => {
    const text = rule.edit(MODEL);
    expect(text).not.toBe(MODEL);
    const result = validateText(text, "model.yaml");
    const found = find(result, rule.code, rule.path);
    expect(found.message).toContain(rule.message);
    expect({ line: found.line, column: found.column }).toEqual(rule.at(text));
    expect(found.severity).toBe("error");
    expect(result.status).toBe("invalid");
  });

  it("checks steady-state checks as experiments do: a warning for validate, an error for a run", () => {
    const text = MODEL.replace("          conditionType: Available\n", "");
    const warning = find(validateText(text, "m.yaml"), "safety.check-field", "components[0].steadyState.checks[0].conditionType");
    expect(warning.severity).toBe("warning");
    const error = find(validateText(text, "m.yaml", { mode: "run" }), "safety.check-field", "components[0].steadyState.checks[0].conditionType");
    expect(error.severity).toBe("error");
  });
});
