import { describe, expect, it } from "vitest";
import { checkId, evaluateCheck, parseFieldPath, readField } from "./checks.js";

const deployment = {
  metadata: { name: "web", generation: 3 },
  spec: { replicas: 2, paused: false, template: { spec: { containers: [{ name: "c", image: "img:1" }] } } },
  status: { conditions: [{ type: "Progressing", status: "True" }, { type: "Available", status: "False" }], readyReplicas: 2 },
};

describe("steady-state checks", () => {
  it("conditionTrue passes only when the named condition's status is True", () => {
    expect(evaluateCheck({ type: "conditionTrue", conditionType: "Progressing" }, deployment)).toEqual({ passed: true, value: "Progressing=True" });
    expect(evaluateCheck({ type: "conditionTrue", conditionType: "Available" }, deployment)).toEqual({ passed: false, value: "Available=False" });
    expect(evaluateCheck({ type: "conditionTrue", conditionType: "Ready" }, deployment)).toEqual({ passed: false, value: "condition Ready not found" });
    expect(evaluateCheck({ type: "conditionTrue", conditionType: "Ready" }, { status: {} })).toEqual({ passed: false, value: "no conditions found" });
    expect(evaluateCheck({ type: "conditionTrue", conditionType: "Ready" }, undefined)).toEqual({ passed: false, value: "resource not found" });
  });

  it("resourceExists follows the object's presence", () => {
    expect(evaluateCheck({ type: "resourceExists" }, deployment).passed).toBe(true);
    expect(evaluateCheck({ type: "resourceExists" }, undefined)).toEqual({ passed: false, value: "resource not found" });
  });

  it("fieldEquals compares numbers, booleans and array elements by their text (the Go tool reports them as not found)", () => {
    expect(evaluateCheck({ type: "fieldEquals", fieldPath: "spec.replicas", expectedValue: "2" }, deployment).passed).toBe(true);
    expect(evaluateCheck({ type: "fieldEquals", fieldPath: "spec.paused", expectedValue: "false" }, deployment).passed).toBe(true);
    expect(evaluateCheck({ type: "fieldEquals", fieldPath: "status.conditions[1].status", expectedValue: "False" }, deployment).passed).toBe(true);
    expect(evaluateCheck({ type: "fieldEquals", fieldPath: "spec.template.spec.containers.0.image", expectedValue: "img:1" }, deployment).passed).toBe(true);
    expect(evaluateCheck({ type: "fieldEquals", fieldPath: "spec.replicas", expectedValue: "3" }, deployment)).toEqual({ passed: false, value: 'expected "3", got "2"' });
    expect(evaluateCheck({ type: "fieldEquals", fieldPath: "spec.missing", expectedValue: "x" }, deployment)).toEqual({ passed: false, value: "field spec.missing not found" });
    expect(evaluateCheck({ type: "fieldEquals", fieldPath: "status.conditions[5].type", expectedValue: "x" }, deployment).passed).toBe(false);
  });

  it("never shows the value of a redacted check", () => {
    const secret = { data: { token: "c2VjcmV0" } };
    expect(evaluateCheck({ type: "fieldEquals", fieldPath: "data.token", expectedValue: "b3JpZ2luYWw=", redact: true }, secret)).toEqual({ passed: false, value: "differs from the original" });
    expect(evaluateCheck({ type: "fieldEquals", fieldPath: "data.token", expectedValue: "c2VjcmV0", redact: true }, secret)).toEqual({ passed: true, value: "matches the original" });
  });

  it("parses field paths with both index notations", () => {
    expect(parseFieldPath("a.b[0][2].c")).toEqual(["a", "b", 0, 2, "c"]);
    expect(parseFieldPath("a.0.c")).toEqual(["a", 0, "c"]);
    expect(readField({ a: [{ b: null }] }, "a[0].b")).toEqual({ found: true, value: null });
    expect(parseFieldPath("data['config.yaml']")).toEqual(["data", "config.yaml"]);
    expect(readField({ data: { "config.yaml": "x" } }, 'data["config.yaml"]')).toEqual({ found: true, value: "x" });
  });

  it("gives checks stable, distinct ids", () => {
    const a = checkId({ type: "conditionTrue", kind: "Deployment", name: "x", namespace: "n", conditionType: "Available" }, 0);
    expect(a).toBe("0:conditionTrue:Deployment/n/x:Available");
    expect(checkId({ type: "resourceExists", kind: "Deployment", name: "x", namespace: "n" }, 1)).not.toBe(a);
  });
});
