import { describe, expect, it } from "vitest";
import { describeIssue, describeValue, formatDiagnostic, formatPath } from "./diagnostic.js";

describe("diagnostics", () => {
  it("format paths with list indexes and quoted odd keys", () => {
    expect(formatPath(["spec", "steadyState", "checks", 0, "namespace"])).toBe("spec.steadyState.checks[0].namespace");
    expect(formatPath(["metadata", "labels", "app.kubernetes.io/name"])).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(formatPath([])).toBe("");
  });

  it("format file:line:col: path: message (expected …, got …)", () => {
    const base = { file: "a.yaml", document: 0, line: 3, column: 7, code: "x", severity: "error" as const };
    expect(formatDiagnostic({ ...base, path: "spec.tier", message: "too large", expected: "at most 6", got: "integer 7" })).toBe(
      "a.yaml:3:7: spec.tier: too large (expected at most 6, got integer 7)",
    );
    expect(formatDiagnostic({ ...base, path: "", message: "no such file" })).toBe("a.yaml:3:7: no such file");
    expect(formatDiagnostic({ ...base, path: "x", message: "odd", severity: "warning" })).toBe("a.yaml:3:7: x: warning: odd");
    expect(describeIssue({ message: "m", got: "g" })).toBe("m (got g)");
  });

  it("describe values by type, showing short values", () => {
    expect([describeValue("ab"), describeValue(5), describeValue(1.5), describeValue(true), describeValue(null), describeValue([]), describeValue({})]).toEqual([
      '"ab"',
      "integer 5",
      "number 1.5",
      "boolean true",
      "null",
      "a list",
      "a mapping",
    ]);
    expect(describeValue("x".repeat(61))).toBe("a string of 61 characters");
  });
});
