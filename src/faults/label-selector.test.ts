import { describe, expect, it } from "vitest";
import { isEqualityRequirement, labelKeyProblem, labelValueProblem, parseLabelSelector } from "./label-selector.js";

describe("parseLabelSelector", () => {
  it("reads every operator of the Kubernetes syntax", () => {
    const parsed = parseLabelSelector("app=a, tier==b,env!=c,zone in (x, y),team notin (q),has,!legacy,rank>3,size<10,empty=");
    expect(parsed).toEqual({
      ok: true,
      requirements: [
        { key: "app", operator: "=", values: ["a"] },
        { key: "tier", operator: "==", values: ["b"] },
        { key: "env", operator: "!=", values: ["c"] },
        { key: "zone", operator: "in", values: ["x", "y"] },
        { key: "team", operator: "notin", values: ["q"] },
        { key: "has", operator: "exists", values: [] },
        { key: "legacy", operator: "!", values: [] },
        { key: "rank", operator: ">", values: ["3"] },
        { key: "size", operator: "<", values: ["10"] },
        { key: "empty", operator: "=", values: [""] },
      ],
    });
  });

  it("reads the empty selector as no requirement", () => {
    expect(parseLabelSelector("  ")).toEqual({ ok: true, requirements: [] });
  });

  it.each([
    ["app in (a", 'expected "," or ")"'],
    ["app in a", 'expected "(" after in'],
    ["=x", "expected a label key"],
    ["a b", "expected an operator"],
    ["a=b c", 'expected "," between requirements'],
    ["rank>x", "expected an integer"],
    ["a=b,", "expected a label key"],
    ["app=-x", "label value"],
    ["example.com/a/b=x", "prefix of label key"],
  ])("rejects %j", (selector, message) => {
    const parsed = parseLabelSelector(selector);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it("tells which requirements a NetworkPolicy matchLabels can hold", () => {
    const parsed = parseLabelSelector("a=1,b in (2),c in (3,4),d!=5");
    expect(parsed.ok && parsed.requirements.map(isEqualityRequirement)).toEqual([true, true, false, false]);
  });
});

describe("label keys and values", () => {
  it("accept valid ones", () => {
    expect(labelKeyProblem("app.kubernetes.io/name")).toBeUndefined();
    expect(labelValueProblem("")).toBeUndefined();
    expect(labelValueProblem("v1.2_3-x")).toBeUndefined();
  });

  it("reject invalid ones with a reason", () => {
    expect(labelKeyProblem("")).toContain("must not be empty");
    expect(labelKeyProblem("/name")).toContain("empty prefix");
    expect(labelKeyProblem(`${"a".repeat(64)}`)).toContain("1-63");
    expect(labelValueProblem("a".repeat(64))).toContain("at most 63");
  });
});
