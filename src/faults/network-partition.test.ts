import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { selectorMatches } from "../lab/runner/network-policy.js";
import { parseLabelSelector, type SelectorRequirement } from "./label-selector.js";
import { networkPartition, partitionPolicyName, podSelectorFor, type PodSelector } from "./network-partition.js";

/** What a label selector string selects, by the API server's documented rules (the reference here). */
function stringSelects(requirements: readonly SelectorRequirement[], labels: Record<string, string>): boolean {
  return requirements.every(({ key, operator, values }) => {
    const present = Object.prototype.hasOwnProperty.call(labels, key);
    switch (operator) {
      case "=": case "==": case "in": return present && values.includes(labels[key]!);
      case "!=": case "notin": return !present || !values.includes(labels[key]!);
      case "exists": return present;
      case "!": return !present;
      default: throw new Error(`no reference for ${operator}`);
    }
  });
}

/** Every label set over three keys, each absent or one of three values (64 sets). */
function labelSets(): Record<string, string>[] {
  let sets: Record<string, string>[] = [{}];
  for (const key of ["app", "tier", "legacy"]) {
    sets = sets.flatMap((set) => [set, ...["", "x", "y"].map((value) => ({ ...set, [key]: value }))]);
  }
  return sets;
}

const converted = (selector: string): PodSelector => {
  const result = podSelectorFor(selector);
  if (!result.ok) throw new Error(result.error);
  return result.podSelector;
};

describe("NetworkPartition: selector → podSelector", () => {
  it("puts equalities in matchLabels and every other requirement in matchExpressions", () => {
    expect(converted("app=x,tier==y")).toEqual({ matchLabels: { app: "x", tier: "y" } });
    expect(converted("app=x,tier!=y,zone in (a, b),team notin (q),has,!legacy,empty=")).toEqual({
      matchLabels: { app: "x", empty: "" },
      matchExpressions: [
        { key: "tier", operator: "NotIn", values: ["y"] },
        { key: "zone", operator: "In", values: ["a", "b"] },
        { key: "team", operator: "NotIn", values: ["q"] },
        { key: "has", operator: "Exists" },
        { key: "legacy", operator: "DoesNotExist" },
      ],
    });
  });

  it("keeps a second equality on the same key (matchLabels holds one value per key)", () => {
    expect(converted("app=x,app=y")).toEqual({ matchLabels: { app: "x" }, matchExpressions: [{ key: "app", operator: "In", values: ["y"] }] });
    expect(converted("app=x,app==x")).toEqual({ matchLabels: { app: "x" } });
  });

  const exact = [
    "app=x", "app!=x", "app==", "app in (x,y)", "app notin (x,y)", "app", "!app", "app=x,tier!=y", "app in (x),!legacy",
    "tier notin (),app", "app in (x,y),app=y,app==y", "app!=x,app!=y,tier", "legacy in (,x),tier=y", "!app,!tier,!legacy", "app=x,tier in (x,y),legacy notin (y)",
  ];
  it.each(exact)("%j selects exactly the pods the selector string selects", (selector) => {
    const parsed = parseLabelSelector(selector);
    if (!parsed.ok) throw new Error(parsed.error);
    const podSelector = converted(selector);
    const sets = labelSets();
    const differing = sets.filter((labels) => selectorMatches(podSelector, labels) !== stringSelects(parsed.requirements, labels));
    expect(differing).toEqual([]);
    // Not vacuous: each selector both selects and excludes some label sets.
    expect(sets.some((labels) => stringSelects(parsed.requirements, labels))).toBe(true);
    expect(sets.some((labels) => !stringSelects(parsed.requirements, labels))).toBe(true);
  });

  it.each([
    ["app=x,rank>3", "cannot express rank > 3"],
    ["size<10", "cannot express size < 10"],
  ])("refuses %j rather than widening it", (selector, message) => {
    const result = podSelectorFor(selector);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain(message);
    expect(result.error).toMatch(/would isolate pods that labelSelector .* excludes/);
  });

  it("refuses an empty selector (every pod) and one that does not parse", () => {
    expect(podSelectorFor("  ")).toMatchObject({ ok: false, error: expect.stringContaining("every pod of the namespace") });
    expect(podSelectorFor("app in (x")).toMatchObject({ ok: false, error: expect.stringContaining("does not parse") });
  });
});

describe("NetworkPartition: policy name", () => {
  // Computed with the Go tool's algorithm run by the Go toolchain (strings.ToLower, regexp, sha256).
  it.each([
    ["app=x", "operator-chaos-np-app-x"],
    ["app.kubernetes.io/name=my-operator", "operator-chaos-np-app-kubernetes-io-name-my-operator"],
    ["app in (a)", "operator-chaos-np-app-in--a"],
    ["Tier in (A, B),!legacy", "operator-chaos-np-tier-in--a--b---legacy"],
    ["app.kubernetes.io/name=operator-chaos-demo-00", "operator-chaos-np-app-kubernetes-io-name-operator-chaos-demo-00"],
    ["app.kubernetes.io/name=operator-chaos-demo-000", "operator-chaos-np-app-kubernetes-io-name-operator-chao-3b52a574"],
    ["app.kubernetes.io/name=a-very-long-component-name,app.kubernetes.io/part-of=platform", "operator-chaos-np-app-kubernetes-io-name-a-very-long-c-67f8a45d"],
    ["environment notin (prod,staging),app.kubernetes.io/component=api-server", "operator-chaos-np-environment-notin--prod-staging--app-e9e2d45c"],
    ["environment notin (prod,staging),ap.kubernetes.io/component=api-server", "operator-chaos-np-environment-notin--prod-staging--ap--622dfb09"],
  ])("%j → %s, as the Go tool names it", (selector, name) => {
    expect(partitionPolicyName(selector)).toBe(name);
  });

  it("is a valid object name of at most 63 characters, the same every time", () => {
    const selector = `app.kubernetes.io/name=${"a".repeat(60)},tier notin (x,y)`;
    const name = partitionPolicyName(selector);
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(name.endsWith(createHash("sha256").update(selector).digest("hex").slice(0, 8))).toBe(true);
    expect(partitionPolicyName(selector)).toBe(name);
  });

  it("tells long selectors that differ only past the cut apart by the hash", () => {
    const base = `app.kubernetes.io/name=${"b".repeat(50)}`;
    expect(partitionPolicyName(`${base},x=1`)).not.toBe(partitionPolicyName(`${base},x=2`));
  });
});

describe("NetworkPartition: driver", () => {
  it("asks for exactly the permissions its operations use", () => {
    expect(networkPartition.permissions({ labelSelector: "app=x" }, "ns")).toEqual([
      ...["create", "get", "delete", "list", "watch"].map((verb) => ({ verb, group: "networking.k8s.io", resource: "networkpolicies", namespace: "ns" })),
      { verb: "list", group: "", resource: "pods", namespace: "ns" },
    ]);
  });

  it("warns at validation that > and < will be refused", () => {
    const issues = networkPartition.spec.validateParameters({ labelSelector: "app=x,rank>3" }, { dangerLevel: undefined, count: 1, maxPodsAffected: 1, allowedNamespaces: ["ns"] });
    expect(issues).toEqual([expect.objectContaining({ severity: "warning", message: expect.stringContaining("the run will refuse this selector") })]);
  });
});
