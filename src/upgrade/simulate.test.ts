import { describe, expect, it } from "vitest";
import type { KnowledgeComponent, OperatorKnowledge } from "../experiment/knowledge.js";
import { validateExperimentValue } from "../experiment/validate.js";
import { diffKnowledge } from "./knowledge-diff.js";
import { generateUpgradeExperiments, primaryDeploymentSelector, sanitizeName } from "./simulate.js";

const component = (name: string, extra: Partial<KnowledgeComponent> = {}): KnowledgeComponent => ({
  name,
  controller: "DemoStack",
  managedResources: [{ apiVersion: "apps/v1", kind: "Deployment", name: `${name}-server`, namespace: "demo", labels: { "app.kubernetes.io/name": "stack", app: name } }],
  ...extra,
});
const model = (components: KnowledgeComponent[], operator: Partial<OperatorKnowledge["operator"]> = {}): OperatorKnowledge => ({
  operator: { name: "demo-operator", namespace: "demo", ...operator },
  components,
  recovery: { reconcileTimeout: "60s", maxReconcileCycles: 5 },
});
const simulate = (source: OperatorKnowledge[], target: OperatorKnowledge[]) => generateUpgradeExperiments(diffKnowledge(source, target), source, target);

describe("upgrade simulation experiments", () => {
  it("sanitizes names and builds sorted selectors", () => {
    expect(sanitizeName("My_Component.v2 x-very-long-name-indeed-and-more")).toBe("my-component-v2-x-very-long-na");
    expect(primaryDeploymentSelector(component("a"))).toBe("app=a,app.kubernetes.io/name=stack");
    expect(primaryDeploymentSelector(component("a", { managedResources: [{ apiVersion: "v1", kind: "Service", name: "s" }] }))).toBe("");
  });

  it("a renamed component gets a PodKill on the old Deployment's labels with the target's steady state", () => {
    const steadyState = { checks: [{ type: "resourceExists" as const, apiVersion: "apps/v1", kind: "Deployment", name: "api-server", namespace: "demo" }], timeout: "30s" };
    const source = [model([component("stack", { managedResources: [{ apiVersion: "apps/v1", kind: "Deployment", name: "d", namespace: "demo", labels: { app: "old" } }] })], { version: "1" })];
    const target = [model([component("api", { managedResources: [{ apiVersion: "apps/v1", kind: "Deployment", name: "d", namespace: "demo", labels: { app: "new" } }], steadyState })], { version: "2" })];
    const [experiment, ...rest] = simulate(source, target);
    expect(rest).toEqual([]);
    expect(experiment?.metadata.name).toBe("rename-api");
    expect(experiment?.metadata.labels).toEqual({
      "chaos.operatorchaos.io/upgrade-simulation": "true",
      "chaos.operatorchaos.io/operator": "demo-operator",
      "chaos.operatorchaos.io/component": "api",
      "chaos.operatorchaos.io/source-version": "1",
      "chaos.operatorchaos.io/target-version": "2",
    });
    expect(experiment?.spec.injection).toEqual({ type: "PodKill", parameters: { labelSelector: "app=old" }, ttl: "300s" });
    expect(experiment?.spec.steadyState).toEqual(steadyState);
    expect(experiment?.spec.blastRadius).toEqual({ maxPodsAffected: 1 });
  });

  it("a namespace move gets a NetworkPartition allowed in both namespaces", () => {
    const [experiment] = simulate([model([component("stack")])], [model([component("stack")], { namespace: "demo-v2" })]);
    expect(experiment?.metadata.name).toBe("ns-move-stack");
    expect(experiment?.spec.injection).toEqual({ type: "NetworkPartition", parameters: { labelSelector: "app=stack,app.kubernetes.io/name=stack" }, ttl: "120s" });
    expect(experiment?.spec.blastRadius.allowedNamespaces).toEqual(["demo", "demo-v2"]);
  });

  it("added and removed webhooks get WebhookDisrupt with Fail and Ignore; a changed path gets none", () => {
    const hook = (name: string, path = "/v") => ({ name, type: "validating" as const, path });
    const experiments = simulate([model([component("stack", { webhooks: [hook("gone.demo.io"), hook("moved.demo.io")] })])], [model([component("stack", { webhooks: [hook("new.demo.io"), hook("moved.demo.io", "/w")] })])]);
    expect(experiments.map((e) => [e.metadata.name, e.spec.injection.parameters.value, e.spec.injection.dangerLevel, e.spec.blastRadius.allowDangerous])).toEqual([
      ["webhook-gone-demo-io", "Ignore", "high", true],
      ["webhook-new-demo-io", "Fail", "high", true],
    ]);
  });

  it("an added dependency on another operator kills that operator's first component's pods; none without labels", () => {
    const db = model([component("db")], { name: "db-operator" });
    const experiments = simulate([model([component("stack")]), db], [model([component("stack", { dependencies: ["db-operator"] })]), db]);
    expect(experiments.map((e) => [e.metadata.name, e.spec.injection.parameters.labelSelector])).toEqual([["dep-stack-db-operator", "app=db,app.kubernetes.io/name=stack"]]);
    expect(simulate([model([component("stack")])], [model([component("stack", { dependencies: ["unknown"] })])])).toEqual([]);
  });

  it("makes duplicate names unique and produces experiments our validator accepts", () => {
    const hooks = [{ name: "a.demo.io", type: "validating" as const, path: "/a" }];
    const source = [model([component("stack", { webhooks: hooks }), component("other", { webhooks: [{ name: "a-demo.io", type: "mutating", path: "/b" }] })])];
    const target = [model([component("stack"), component("other")], { namespace: "moved" })];
    const experiments = simulate(source, target);
    expect(experiments.map((e) => e.metadata.name)).toEqual(["ns-move-other", "webhook-a-demo-io", "ns-move-stack", "webhook-a-demo-io-2"]);
    for (const experiment of experiments) {
      const checked = validateExperimentValue(structuredClone(experiment));
      expect(checked.issues.filter((found) => found.severity === "error"), experiment.metadata.name).toEqual([]);
    }
  });
});
