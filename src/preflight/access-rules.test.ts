import { describe, expect, it } from "vitest";
import { rulesGrant, type ResourceRule } from "./access-rules.js";

const need = (verb: string, group: string, resource: string) => ({ verb, group, resource, namespace: "ns" });

describe("rulesGrant", () => {
  it("grants through exact names and wildcards of verb, group and resource", () => {
    const rules: ResourceRule[] = [
      { verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"] },
      { verbs: ["*"], apiGroups: ["coordination.k8s.io"], resources: ["*"] },
    ];
    expect(rulesGrant(rules, need("list", "", "configmaps"))).toBe(true);
    expect(rulesGrant(rules, need("delete", "", "configmaps"))).toBe(false);
    expect(rulesGrant(rules, need("update", "coordination.k8s.io", "leases"))).toBe(true);
    expect(rulesGrant(rules, need("get", "apps", "deployments"))).toBe(false);
  });

  it("does not count a rule limited to named objects", () => {
    expect(rulesGrant([{ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["one"] }], need("get", "", "secrets"))).toBe(false);
  });

  it("matches subresources the way RBAC does", () => {
    expect(rulesGrant([{ verbs: ["get"], apiGroups: [""], resources: ["pods/*"] }], need("get", "", "pods/log"))).toBe(true);
    expect(rulesGrant([{ verbs: ["get"], apiGroups: [""], resources: ["*/log"] }], need("get", "", "pods/log"))).toBe(true);
    expect(rulesGrant([{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], need("get", "", "pods/log"))).toBe(false);
  });

  it("grants nothing from no rules", () => {
    expect(rulesGrant([], need("get", "", "pods"))).toBe(false);
  });
});
