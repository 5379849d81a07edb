import { describe, expect, it } from "vitest";
import type { KnowledgeComponent, ManagedResource, OperatorKnowledge } from "../experiment/knowledge.js";
import { ChangeType, componentSimilarity, diffKnowledge, jaccard, onlyBreaking } from "./knowledge-diff.js";
import { formatDiffMarkdown, formatDiffText } from "./format.js";

const deployment = (name: string, labels: Record<string, string> = { app: name, "app.kubernetes.io/part-of": "demo" }, extra: Partial<ManagedResource> = {}): ManagedResource => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  name,
  namespace: "demo",
  labels,
  ...extra,
});

const component = (name: string, extra: Partial<KnowledgeComponent> = {}): KnowledgeComponent => ({
  name,
  controller: "DemoCluster",
  managedResources: [deployment(`${name}-controller`), { apiVersion: "v1", kind: "ServiceAccount", name: `${name}-sa`, namespace: "demo" }],
  ...extra,
});

const model = (components: KnowledgeComponent[], operator: Partial<OperatorKnowledge["operator"]> = {}): OperatorKnowledge => ({
  operator: { name: "demo-operator", namespace: "demo", version: "1.0", platform: "Demo", ...operator },
  components,
  recovery: { reconcileTimeout: "300s", maxReconcileCycles: 10 },
});

describe("knowledge diff", () => {
  it("finds nothing between a model and itself", () => {
    const models = [model([component("api", { webhooks: [{ name: "v.demo.io", type: "validating", path: "/validate" }], finalizers: ["demo/finalizer"], dependencies: ["db"] }), component("db")])];
    const diff = diffKnowledge(models, structuredClone(models));
    expect(diff.components).toEqual([]);
    expect(diff.summary.breakingChanges).toBe(0);
  });

  it("reports a component only in the target as Added and only in the source as Removed, neither breaking", () => {
    const diff = diffKnowledge([model([component("api"), component("old", { controller: "Other", managedResources: [{ apiVersion: "v1", kind: "ConfigMap", name: "x" }] })])], [model([component("api"), component("fresh", { controller: "Else", managedResources: [{ apiVersion: "v1", kind: "Secret", name: "y" }] })])]);
    expect(diff.components.map((c) => [c.component, c.changeType, c.breaking])).toEqual([
      ["fresh", ChangeType.Added, false],
      ["old", ChangeType.Removed, false],
    ]);
  });

  it("treats every component of an operator missing on one side as removed or added", () => {
    const diff = diffKnowledge([model([component("a")], { name: "gone" })], [model([component("b")], { name: "new" })]);
    expect(diff.components.map((c) => `${c.operator}/${c.component}:${c.changeType}`)).toEqual(["gone/a:Removed", "new/b:Added"]);
  });

  it("merges the components of one operator split over several files", () => {
    const diff = diffKnowledge([model([component("a")]), model([component("b")])], [model([component("a"), component("b")])]);
    expect(diff.components).toEqual([]);
  });

  it("scores component similarity as 0.4 kinds + 0.3 label keys + 0.2 controller + 0.1 counts", () => {
    const a = component("a");
    expect(componentSimilarity(a, component("b"))).toBeCloseTo(1);
    // same kinds, no shared label keys, other controller, same count: 0.4 + 0 + 0 + 0.1
    const b = component("b", { controller: "Other", managedResources: [deployment("x", { other: "1" }), { apiVersion: "v1", kind: "ServiceAccount", name: "s" }] });
    expect(componentSimilarity(a, b)).toBeCloseTo(0.5);
    expect(jaccard(new Set(), new Set())).toBe(0);
  });

  it("detects a renamed component by structure (score ≥ 0.6) and calls it breaking", () => {
    const diff = diffKnowledge([model([component("dashboard")])], [model([component("odh-dashboard", { managedResources: component("dashboard").managedResources })])]);
    expect(diff.components).toHaveLength(1);
    expect(diff.components[0]).toMatchObject({ component: "odh-dashboard", changeType: ChangeType.Renamed, renamedFrom: "dashboard", breaking: true });
    expect(diff.summary.componentsRenamed).toBe(1);
  });

  it("does not pair dissimilar components (score < 0.6)", () => {
    const other = component("b", { controller: "Other", managedResources: [{ apiVersion: "v1", kind: "ConfigMap", name: "c", labels: { z: "1" } }] });
    const diff = diffKnowledge([model([component("a")])], [model([other])]);
    expect(diff.components.map((c) => `${c.component}:${c.changeType}`)).toEqual(["a:Removed", "b:Added"]);
  });

  it("pairs the best-scoring candidates first", () => {
    const source = [component("alpha"), component("beta", { controller: "Other" })];
    const target = [component("gamma", { controller: "Other" }), component("delta")];
    const diff = diffKnowledge([model(source)], [model(target)]);
    const renames = Object.fromEntries(diff.components.map((c) => [c.component, c.renamedFrom]));
    expect(renames).toEqual({ delta: "alpha", gamma: "beta" });
  });

  it("detects a renamed resource of the same kind with label-key overlap ≥ 0.6, and calls it breaking", () => {
    const before = component("api", { managedResources: [deployment("api-controller", { app: "api", tier: "control" })] });
    const after = component("api", { managedResources: [deployment("api-manager", { app: "api", tier: "control", extra: "x" })] });
    const [found] = diffKnowledge([model([before])], [model([after])]).components;
    expect(found?.resources).toEqual([
      { kind: "Deployment", name: "api-manager", changeType: ChangeType.Renamed, renamedFrom: "api-controller", fieldChanges: [{ path: "labels.extra", oldValue: "", newValue: "x" }] },
    ]);
    expect(found?.breaking).toBe(true);
  });

  it("does not rename resources without labels or of another kind", () => {
    const before = component("api", { managedResources: [{ apiVersion: "v1", kind: "ConfigMap", name: "one" }, deployment("d1", { app: "x" })] });
    const after = component("api", { managedResources: [{ apiVersion: "v1", kind: "ConfigMap", name: "two" }, { apiVersion: "v1", kind: "Service", name: "d2", labels: { app: "x" } }] });
    const [found] = diffKnowledge([model([before])], [model([after])]).components;
    expect(found?.resources.map((r) => `${r.kind}/${r.name}:${r.changeType}`)).toEqual(["ConfigMap/one:Removed", "Deployment/d1:Removed", "ConfigMap/two:Added", "Service/d2:Added"]);
    expect(found?.breaking).toBe(false);
  });

  it("reports a resource that changed namespace as Moved (breaking) and field changes as Modified (not breaking)", () => {
    const before = component("api", { managedResources: [deployment("a", { app: "a" }, { expectedSpec: { replicas: 1 } }), deployment("b", { app: "b" })] });
    const after = component("api", { managedResources: [deployment("a", { app: "a", tier: "x" }, { expectedSpec: { replicas: 2 } }), deployment("b", { app: "b" }, { namespace: "elsewhere" })] });
    const [found] = diffKnowledge([model([before])], [model([after])]).components;
    expect(found?.resources).toEqual([
      { kind: "Deployment", name: "a", changeType: ChangeType.Modified, fieldChanges: [{ path: "labels.tier", oldValue: "", newValue: "x" }, { path: "spec.replicas", oldValue: "1", newValue: "2" }] },
      { kind: "Deployment", name: "b", changeType: ChangeType.Moved, movedFrom: "demo" },
    ]);
    expect(found?.breaking).toBe(true);
    const modifiedOnly = diffKnowledge([model([before])], [model([{ ...after, managedResources: [after.managedResources[0]!, before.managedResources[1]!] }])]);
    expect(modifiedOnly.components[0]?.breaking).toBe(false);
  });

  it("marks every component breaking when the operator namespace changes", () => {
    const diff = diffKnowledge([model([component("a")])], [model([component("a")], { namespace: "new-ns" })]);
    expect(diff.components[0]).toMatchObject({ changeType: ChangeType.Modified, namespaceChange: { from: "demo", to: "new-ns" }, breaking: true });
    expect(diff.summary.namespaceMoves).toBe(1);
  });

  it("classifies webhook changes: removed or retyped breaks, added or moved path does not", () => {
    const hooks = (list: KnowledgeComponent["webhooks"]) => [model([component("api", { webhooks: list })])];
    const base = [{ name: "a.demo.io", type: "validating" as const, path: "/a" }];
    const cases: Array<[KnowledgeComponent["webhooks"], boolean, string]> = [
      [[], true, "Removed"],
      [[{ name: "a.demo.io", type: "mutating", path: "/a" }], true, "Modified"],
      [[{ name: "a.demo.io", type: "validating", path: "/b" }], false, "Modified"],
      [[...base, { name: "b.demo.io", type: "mutating", path: "/b" }], false, "Added"],
    ];
    for (const [after, breaking, changeType] of cases) {
      const [found] = diffKnowledge(hooks(base), hooks(after)).components;
      expect(found?.breaking, JSON.stringify(after)).toBe(breaking);
      expect(found?.webhooks.map((w) => w.changeType)).toEqual([changeType]);
    }
  });

  it("breaks on a removed finalizer and on any dependency change, not on an added finalizer", () => {
    const with_ = (extra: Partial<KnowledgeComponent>) => [model([component("api", extra)])];
    expect(diffKnowledge(with_({ finalizers: ["f"] }), with_({})).components[0]?.breaking).toBe(true);
    expect(diffKnowledge(with_({}), with_({ finalizers: ["f"] })).components[0]?.breaking).toBe(false);
    expect(diffKnowledge(with_({}), with_({ dependencies: ["db"] })).components[0]?.breaking).toBe(true);
    expect(diffKnowledge(with_({ dependencies: ["db"] }), with_({})).components[0]?.dependencies).toEqual([{ name: "db", changeType: ChangeType.Removed }]);
  });

  it("--breaking keeps only breaking components", () => {
    const diff = diffKnowledge([model([component("a"), component("b")])], [model([component("a", { finalizers: ["new"] }), component("b", { dependencies: ["a"] })])]);
    expect(diff.components).toHaveLength(2);
    expect(onlyBreaking(diff).components.map((c) => c.component)).toEqual(["b"]);
    expect(onlyBreaking(diff).summary.breakingChanges).toBe(1);
  });

  it("renders stable JSON, text and Markdown", () => {
    const before = [model([component("dashboard", { webhooks: [{ name: "v.demo.io", type: "validating", path: "/v" }], finalizers: ["demo/f"] }), component("db")])];
    const after = [
      model(
        [
          component("odh-dashboard", { managedResources: component("dashboard").managedResources, webhooks: [{ name: "v.demo.io", type: "mutating", path: "/v" }] }),
          component("db", { managedResources: [deployment("db-controller", { app: "db-controller", "app.kubernetes.io/part-of": "demo" }, { expectedSpec: { replicas: 2 } }), { apiVersion: "v1", kind: "ServiceAccount", name: "db-sa", namespace: "demo" }] }),
        ],
        { version: "2.0" },
      ),
    ];
    const diff = diffKnowledge(before, after);
    expect(JSON.stringify(diff, null, 2)).toMatchSnapshot("json");
    expect(formatDiffText(diff)).toMatchSnapshot("text");
    expect(formatDiffMarkdown(diff)).toMatchSnapshot("markdown");
  });
});
