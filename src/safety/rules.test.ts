// The run-time safety rules: one failing document per rule (a warning for `validate`, since the Go
// tool's `validate` accepts these files, an error for a run), plus the namespace resolution itself.

import { describe, expect, it } from "vitest";
import { formatDiagnostic, type SourcePosition } from "../experiment/diagnostic.js";
import { experimentText, positionIn, type ExperimentTextOptions } from "../experiment/testing.js";
import type { PartialExperiment } from "../experiment/types.js";
import { allDiagnostics, validateText } from "../experiment/validate.js";
import {
  allSafetyIssues,
  blastRadiusIssues,
  dangerLevelIssues,
  forbiddenNamespaceIssues,
  namespaceProblem,
  resolveTargetNamespace,
  scopeIssues,
  steadyStateCheckIssues,
  targetResourceKey,
} from "./rules.js";

interface SafetyCase {
  readonly rule: string;
  readonly document: ExperimentTextOptions;
  readonly edit?: (text: string) => string;
  readonly code: string;
  readonly path: string;
  readonly message: string;
  readonly at: (text: string) => SourcePosition;
}

/** Position of a list item's value (after "- "). */
function listItem(text: string, value: string): SourcePosition {
  const dash = positionIn(text, `- ${value}\n`);
  return { line: dash.line, column: dash.column + 2 };
}

const podKill: ExperimentTextOptions = { type: "PodKill", parameters: { labelSelector: "app=x" } };
const webhook: ExperimentTextOptions = {
  type: "WebhookDisrupt",
  parameters: { webhookName: "my-webhook", action: "setFailurePolicy" },
  dangerLevel: "high",
  allowDangerous: true,
  allowedNamespaces: null,
};

const CASES: readonly SafetyCase[] = [
  { rule: "system namespaces are never allowed", document: { ...podKill, allowedNamespaces: ["kube-system"], checkNamespace: "kube-system" }, code: "safety.forbidden-namespace", path: "spec.blastRadius.allowedNamespaces[0]", message: 'namespace "kube-system" is never a valid target', at: (t) => listItem(t, "kube-system") },
  { rule: "check namespaces are checked too", document: { ...podKill, allowedNamespaces: ["a", "b"], checkNamespace: "default" }, code: "safety.forbidden-namespace", path: "spec.steadyState.checks[0].namespace", message: 'namespace "default" is never a valid target', at: (t) => positionIn(t, "namespace: ", "after") },
  { rule: "openshift- namespaces need allowDangerous", document: { ...podKill, allowedNamespaces: ["openshift-monitoring"], checkNamespace: "openshift-monitoring" }, code: "safety.forbidden-namespace", path: "spec.blastRadius.allowedNamespaces[0]", message: "needs blastRadius.allowDangerous: true", at: (t) => listItem(t, "openshift-monitoring") },
  { rule: "no namespace anywhere falls back to default, which is forbidden", document: { ...webhook }, edit: (t) => t.replace("        namespace: test-ns\n", ""), code: "safety.forbidden-namespace", path: "metadata.namespace", message: "falls back to the default namespace", at: (t) => positionIn(t, "metadata:") },
  { rule: "a steady-state check needs a type", document: podKill, edit: (t) => t.replace("      - type: conditionTrue\n        apiVersion", "      - apiVersion"), code: "safety.check-type", path: "spec.steadyState.checks[0].type", message: "needs a type", at: (t) => positionIn(t, "apiVersion: apps/v1") },
  { rule: "a steady-state check type must be known", document: podKill, edit: (t) => t.replace("type: conditionTrue", "type: conditionTru"), code: "safety.check-type", path: "spec.steadyState.checks[0].type", message: 'did you mean "conditionTrue"?', at: (t) => positionIn(t, "conditionTru", "start") },
  { rule: "conditionTrue needs conditionType", document: podKill, edit: (t) => t.replace("        conditionType: Available\n", ""), code: "safety.check-field", path: "spec.steadyState.checks[0].conditionType", message: "a conditionTrue check needs conditionType", at: (t) => positionIn(t, "type: conditionTrue", "start") },
  { rule: "fieldEquals needs fieldPath and expectedValue", document: podKill, edit: (t) => t.replace("type: conditionTrue", "type: fieldEquals"), code: "safety.check-field", path: "spec.steadyState.checks[0].fieldPath", message: "a fieldEquals check needs fieldPath", at: (t) => positionIn(t, "type: fieldEquals", "start") },
  { rule: "cluster-scoped faults need dangerLevel high", document: { ...webhook, dangerLevel: "medium" }, code: "danger.requires-high", path: "spec.injection.dangerLevel", message: "a cluster-scoped WebhookDisrupt requires dangerLevel: high", at: (t) => positionIn(t, "dangerLevel: ", "after") },
  { rule: "cluster-scoped faults must not list allowedNamespaces", document: { ...webhook, allowedNamespaces: ["test-ns"] }, code: "safety.cluster-scope", path: "spec.blastRadius.allowedNamespaces", message: "must not list allowedNamespaces", at: (t) => positionIn(t, "- test-ns") },
  { rule: "namespaced faults need allowedNamespaces", document: { ...podKill, allowedNamespaces: null }, code: "safety.allowed-namespaces", path: "spec.blastRadius.allowedNamespaces", message: "a namespaced PodKill needs blastRadius.allowedNamespaces", at: (t) => positionIn(t, "blastRadius:") },
  { rule: "count within maxPodsAffected for every namespaced fault", document: { type: "NetworkPartition", parameters: { labelSelector: "app=x" }, count: 4, maxPodsAffected: 2 }, code: "blast-radius.count", path: "spec.injection.count", message: "exceeds blastRadius.maxPodsAffected", at: (t) => positionIn(t, "count: ", "after") },
  { rule: "the target namespace must be allowed", document: { ...podKill, allowedNamespaces: ["a", "b"], checkNamespace: "c" }, code: "blast-radius.namespace", path: "spec.steadyState.checks[0].namespace", message: 'namespace "c" is not in blastRadius.allowedNamespaces', at: (t) => positionIn(t, "namespace: ", "after") },
  { rule: "the target resource must not be forbidden", document: { ...podKill, resource: "Deployment/x", forbiddenResources: ["Deployment/y", "Deployment/x"] }, code: "blast-radius.forbidden-resource", path: "spec.blastRadius.forbiddenResources[1]", message: 'the target resource "Deployment/x" is forbidden', at: (t) => listItem(t, "Deployment/x") },
  { rule: "dangerLevel high needs allowDangerous", document: { ...podKill, dangerLevel: "high" }, code: "danger.allow-dangerous", path: "spec.blastRadius.allowDangerous", message: "requires blastRadius.allowDangerous: true", at: (t) => positionIn(t, "blastRadius:") },
];

describe("run-time safety rules in validate", () => {
  it.each(CASES.map((rule) => [rule.rule, rule] as const))("%s", (_name, rule) => {
    const base = experimentText(rule.document);
    const text = rule.edit === undefined ? base : rule.edit(base);
    if (rule.edit !== undefined) expect(text).not.toBe(base); // the edit must apply
    for (const mode of ["validate", "run"] as const) {
      const result = validateText(text, "safety.yaml", { mode });
      const diagnostics = allDiagnostics(result);
      const found = diagnostics.find((diagnostic) => diagnostic.code === rule.code && diagnostic.path === rule.path);
      expect(found, `no ${rule.code} at ${rule.path} (${mode}) among:\n${diagnostics.map(formatDiagnostic).join("\n")}`).toBeDefined();
      expect(found!.message).toContain(rule.message);
      expect({ line: found!.line, column: found!.column }).toEqual(rule.at(text));
      if (mode === "validate") {
        expect(found!.severity).toBe("warning");
        expect(found!.message).toContain("run refuses this experiment");
      } else {
        expect(found!.severity).toBe("error");
        expect(result.status).toBe("invalid");
      }
    }
  });
});

describe("namespace resolution", () => {
  const experiment = (spec: object, metadata: object = { name: "x" }): PartialExperiment => ({ metadata, spec }) as PartialExperiment;

  it("prefers the only allowed namespace, then the first check namespace, then metadata.namespace, then default", () => {
    expect(resolveTargetNamespace(experiment({ blastRadius: { allowedNamespaces: ["a"] }, steadyState: { checks: [{ namespace: "b" }] } })).namespace).toBe("a");
    expect(resolveTargetNamespace(experiment({ blastRadius: { allowedNamespaces: ["a", "z"] }, steadyState: { checks: [{}, { namespace: "b" }] } }))).toEqual({
      namespace: "b",
      path: ["spec", "steadyState", "checks", 1, "namespace"],
    });
    expect(resolveTargetNamespace(experiment({}, { name: "x", namespace: "m" })).namespace).toBe("m");
    expect(resolveTargetNamespace(experiment({}))).toEqual({ namespace: "default", path: undefined });
  });

  it("keys forbidden resources by target.resource, else component/name", () => {
    expect(targetResourceKey(experiment({ target: { component: "c", resource: "Deployment/d" } }))).toBe("Deployment/d");
    expect(targetResourceKey(experiment({ target: { component: "c" } }, { name: "exp" }))).toBe("c/exp");
  });

  it("allows openshift- namespaces only with allowDangerous", () => {
    expect(namespaceProblem("openshift-x", false)?.message).toContain("allowDangerous");
    expect(namespaceProblem("openshift-x", true)).toBeUndefined();
    expect(namespaceProblem("kube-public", true)?.message).toContain("never a valid target");
    expect(namespaceProblem("my-ns", false)).toBeUndefined();
  });
});

describe("safety predicates on their own", () => {
  const safe = {
    metadata: { name: "x" },
    spec: {
      injection: { type: "PodKill" as const, count: 1 },
      blastRadius: { maxPodsAffected: 1, allowedNamespaces: ["ns"] },
      steadyState: { checks: [{ type: "resourceExists" as const, apiVersion: "v1", kind: "ConfigMap", name: "c", namespace: "ns" }] },
    },
  } satisfies PartialExperiment;

  it("find nothing wrong with a safe experiment", () => {
    expect(allSafetyIssues(safe, "namespaced")).toEqual([]);
  });

  it("return issues with paths, severity error and stable codes", () => {
    const unsafe: PartialExperiment = { ...safe, spec: { ...safe.spec, injection: { type: "PodKill", dangerLevel: "high", count: 3 } } };
    expect(dangerLevelIssues(unsafe).map((found) => [found.code, found.path.join("."), found.severity])).toEqual([
      ["danger.allow-dangerous", "spec.blastRadius.allowDangerous", "error"],
    ]);
    expect(blastRadiusIssues(unsafe, "namespaced").map((found) => found.code)).toEqual(["blast-radius.count"]);
    expect(blastRadiusIssues(unsafe, "cluster")).toEqual([]);
    expect(scopeIssues(unsafe, "cluster").map((found) => found.code)).toEqual(["safety.cluster-scope"]);
    expect(forbiddenNamespaceIssues(safe)).toEqual([]);
  });

  it("check steady-state checks wherever they live (knowledge models too)", () => {
    const issues = steadyStateCheckIssues([{ type: "resourceExists", kind: "Deployment" }, undefined], ["components", 0, "steadyState", "checks"]);
    expect(issues.map((found) => found.path.join("."))).toEqual(["components.0.steadyState.checks.0.apiVersion", "components.0.steadyState.checks.0.name"]);
  });
});
