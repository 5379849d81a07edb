import { describe, expect, it } from "vitest";
import {
  allows, cidrContains, evaluatePodNetwork, policyTypesOf, selectorMatches,
  type NamespaceObject, type NetworkPolicyObject, type PodObject,
} from "./network-policy.js";

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, ports: Array<{ name: string; containerPort: number; protocol?: string }> = []): PodObject => ({
  metadata: { namespace, name, uid: `uid-${namespace}-${name}`, labels },
  spec: { containers: [{ name: "main", ports }] },
  status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
});
const ns = (name: string, labels: Record<string, string> = {}): NamespaceObject => ({
  metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } },
});
const policy = (namespace: string, name: string, spec: NonNullable<NetworkPolicyObject["spec"]>): NetworkPolicyObject => ({
  metadata: { namespace, name }, spec,
});

const operator = pod("app", "operator", { app: "operator", tier: "control" }, "10.250.3.6", [{ name: "metrics", containerPort: 8443 }]);
const web = pod("app", "web", { app: "web" }, "10.244.0.7", [{ name: "http", containerPort: 8080 }]);
const other = pod("other", "db", { app: "db" }, "10.244.0.9", [{ name: "http", containerPort: 5432 }]);
const namespaces = [ns("app", { team: "a" }), ns("other", { team: "b" })];
const API = "10.250.3.1";

describe("label selectors", () => {
  it("matchLabels and every matchExpressions operator", () => {
    const labels = { app: "x", tier: "web" };
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "x" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "y" } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["web", "db"] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "app", operator: "Exists" }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { app: "x" }, matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }] }, labels)).toBe(false);
  });
});

describe("policyTypes defaulting", () => {
  it("defaults to Ingress, adding Egress only when egress rules exist", () => {
    expect(policyTypesOf(policy("a", "p", { podSelector: {} }))).toEqual({ ingress: true, egress: false });
    expect(policyTypesOf(policy("a", "p", { podSelector: {}, egress: [{}] }))).toEqual({ ingress: true, egress: true });
    expect(policyTypesOf(policy("a", "p", { podSelector: {}, policyTypes: ["Egress"] }))).toEqual({ ingress: false, egress: true });
  });
});

describe("evaluatePodNetwork", () => {
  const inputs = (policies: NetworkPolicyObject[]) => ({ policies, pods: [operator, web, other], namespaces });

  it("allows everything when no policy selects the pod", () => {
    const decision = evaluatePodNetwork(operator, inputs([]));
    expect(decision.egress).toBe("all");
    expect(decision.ingress).toBe("all");
  });

  it("the chaos NetworkPartition policy (Ingress+Egress, no rules) denies both directions", () => {
    const partition = policy("app", "chaos-partition-xyz", {
      podSelector: { matchLabels: { app: "operator" } }, policyTypes: ["Ingress", "Egress"],
    });
    const decision = evaluatePodNetwork(operator, inputs([partition]));
    expect(decision.egress).toEqual([]);
    expect(decision.ingress).toEqual([]);
    expect(decision.egressPolicies).toEqual(["chaos-partition-xyz"]);
    expect(allows(decision.egress, API, "TCP", 6443)).toBe(false);
  });

  it("the same policy under any name has the same effect (semantics, not names)", () => {
    const renamed = policy("app", "totally-unrelated-name", {
      podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["control"] }] }, policyTypes: ["Egress"],
    });
    const decision = evaluatePodNetwork(operator, inputs([renamed]));
    expect(decision.egress).toEqual([]);
    expect(decision.ingress).toBe("all");
  });

  it("a policy selecting other pods, or in another namespace, does not affect the pod", () => {
    const onWeb = policy("app", "deny-web", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress", "Egress"] });
    const elsewhere = policy("other", "deny-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const decision = evaluatePodNetwork(operator, inputs([onWeb, elsewhere]));
    expect(decision.egress).toBe("all");
    expect(decision.ingress).toBe("all");
    expect(evaluatePodNetwork(web, inputs([onWeb])).egress).toEqual([]);
  });

  it("an Ingress-only policy leaves egress open", () => {
    const decision = evaluatePodNetwork(operator, inputs([policy("app", "in", { podSelector: {}, policyTypes: ["Ingress"] })]));
    expect(decision.egress).toBe("all");
    expect(decision.ingress).toEqual([]);
  });

  it("an egress ipBlock rule allows the API server's address and nothing else", () => {
    const allowApi = policy("app", "allow-api", {
      podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: `${API}/32` } }] }],
    });
    const decision = evaluatePodNetwork(operator, inputs([allowApi]));
    expect(allows(decision.egress, API, "TCP", 6443)).toBe(true);
    expect(allows(decision.egress, "10.250.3.2", "TCP", 6443)).toBe(false);
  });

  it("ipBlock except cuts ranges out; ports and endPort restrict protocol and port", () => {
    const p = policy("app", "p", {
      podSelector: {}, policyTypes: ["Egress"],
      egress: [{
        to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.244.0.0/16"] } }],
        ports: [{ protocol: "TCP", port: 443 }, { protocol: "UDP", port: 5000, endPort: 5010 }, { protocol: "SCTP" }],
      }],
    });
    const egress = evaluatePodNetwork(operator, inputs([p])).egress;
    expect(allows(egress, "10.1.2.3", "TCP", 443)).toBe(true);
    expect(allows(egress, "10.1.2.3", "TCP", 80)).toBe(false);
    expect(allows(egress, "10.244.0.7", "TCP", 443)).toBe(false);
    expect(allows(egress, "10.1.2.3", "UDP", 5005)).toBe(true);
    expect(allows(egress, "10.1.2.3", "UDP", 5011)).toBe(false);
    expect(allows(egress, "10.1.2.3", "SCTP", 9)).toBe(true);
    expect(allows(egress, "192.168.0.1", "TCP", 443)).toBe(false);
  });

  it("a rule without `to` allows every destination on its ports; an empty rule allows all", () => {
    const portsOnly = policy("app", "dns", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "UDP", port: 53 }] }] });
    const egress = evaluatePodNetwork(operator, inputs([portsOnly])).egress;
    expect(allows(egress, "1.2.3.4", "UDP", 53)).toBe(true);
    expect(allows(egress, "1.2.3.4", "TCP", 53)).toBe(false);
    const open = policy("app", "open", { podSelector: {}, policyTypes: ["Egress"], egress: [{}] });
    expect(evaluatePodNetwork(operator, inputs([open])).egress).toBe("all");
  });

  it("unions the rules of all policies selecting the pod", () => {
    const deny = policy("app", "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const allowApi = policy("app", "allow-api", {
      podSelector: { matchLabels: { app: "operator" } }, policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: `${API}/32` } }], ports: [{ port: 6443 }] }],
    });
    const decision = evaluatePodNetwork(operator, inputs([deny, allowApi]));
    expect(decision.egressPolicies).toEqual(["allow-api", "deny"]);
    expect(allows(decision.egress, API, "TCP", 6443)).toBe(true);
    expect(allows(decision.egress, API, "TCP", 443)).toBe(false);
    expect(decision.ingress).toEqual([]);
    // The web pod is only under `deny`.
    expect(allows(evaluatePodNetwork(web, inputs([deny, allowApi])).egress, API, "TCP", 6443)).toBe(false);
  });

  it("podSelector peers resolve to the selected pods' addresses in the policy's namespace", () => {
    const toWeb = policy("app", "to-web", {
      podSelector: { matchLabels: { app: "operator" } }, policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: { matchLabels: { app: "web" } } }] }],
    });
    const egress = evaluatePodNetwork(operator, inputs([toWeb])).egress;
    expect(allows(egress, "10.244.0.7", "TCP", 8080)).toBe(true);
    expect(allows(egress, "10.244.0.9", "TCP", 5432)).toBe(false); // same labels would not matter: other namespace
    expect(allows(egress, API, "TCP", 6443)).toBe(false);
  });

  it("namespaceSelector peers select pods of matching namespaces; both selectors intersect", () => {
    const toTeamB = policy("app", "to-b", {
      podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: "b" } } }] }],
    });
    expect(allows(evaluatePodNetwork(operator, inputs([toTeamB])).egress, "10.244.0.9", "TCP", 1)).toBe(true);
    expect(allows(evaluatePodNetwork(operator, inputs([toTeamB])).egress, "10.244.0.7", "TCP", 1)).toBe(false);
    const both = policy("app", "both", {
      podSelector: {}, policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "web" } } }] }],
    });
    const egress = evaluatePodNetwork(operator, inputs([both])).egress;
    expect(allows(egress, "10.244.0.7", "TCP", 1)).toBe(true);
    expect(allows(egress, "10.244.0.9", "TCP", 1)).toBe(false);
    const byName = policy("app", "by-name", {
      podSelector: {}, policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } } }] }],
    });
    expect(allows(evaluatePodNetwork(operator, inputs([byName])).egress, "10.244.0.9", "TCP", 1)).toBe(true);
  });

  it("peers that select no pod allow nothing", () => {
    const toNobody = policy("app", "nobody", {
      podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "ghost" } } }] }],
    });
    expect(evaluatePodNetwork(operator, inputs([toNobody])).egress).toEqual([]);
  });

  it("named ports resolve on the destination pods (egress) and on the pod itself (ingress)", () => {
    const namedEgress = policy("app", "named", {
      podSelector: { matchLabels: { app: "operator" } }, policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: "http" }] }],
    });
    const egress = evaluatePodNetwork(operator, inputs([namedEgress])).egress;
    expect(allows(egress, "10.244.0.7", "TCP", 8080)).toBe(true);
    expect(allows(egress, "10.244.0.9", "TCP", 5432)).toBe(true);
    expect(allows(egress, "10.244.0.9", "TCP", 8080)).toBe(false);
    const namedIngress = policy("app", "metrics", {
      podSelector: { matchLabels: { app: "operator" } }, policyTypes: ["Ingress"],
      ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" } }], ports: [{ port: "metrics" }] }],
    });
    const ingress = evaluatePodNetwork(operator, inputs([namedIngress])).ingress;
    expect(allows(ingress, "10.1.1.1", "TCP", 8443)).toBe(true);
    expect(allows(ingress, "10.1.1.1", "TCP", 8080)).toBe(false);
  });

  it("uses addresses the runner knows before the pod's status shows them", () => {
    const fresh: PodObject = { ...web, status: { phase: "Pending" } };
    const toWeb = policy("app", "to-web", {
      podSelector: { matchLabels: { app: "operator" } }, policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: { matchLabels: { app: "web" } } }] }],
    });
    const withoutIp = evaluatePodNetwork(operator, { policies: [toWeb], pods: [operator, fresh], namespaces });
    expect(withoutIp.egress).toEqual([]);
    const known = evaluatePodNetwork(operator, {
      policies: [toWeb], pods: [operator, fresh], namespaces, extraPodIps: new Map([["uid-app-web", ["10.250.3.10"]]]),
    });
    expect(allows(known.egress, "10.250.3.10", "TCP", 80)).toBe(true);
  });

  it("host-network pods are not subject to policies", () => {
    const hostPod: PodObject = { ...operator, spec: { ...operator.spec, hostNetwork: true } };
    const deny = policy("app", "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(evaluatePodNetwork(hostPod, inputs([deny])).egress).toBe("all");
  });
});

describe("cidrContains", () => {
  it("handles IPv4 and IPv6 prefixes", () => {
    expect(cidrContains("10.250.3.0/24", "10.250.3.77")).toBe(true);
    expect(cidrContains("10.250.3.0/24", "10.250.4.1")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "8.8.8.8")).toBe(true);
    expect(cidrContains("10.250.3.1/32", "10.250.3.1")).toBe(true);
    expect(cidrContains("10.250.3.1/32", "10.250.3.2")).toBe(false);
    expect(cidrContains("fd00::/8", "fd12::1")).toBe(true);
    expect(cidrContains("fd00::/8", "10.0.0.1")).toBe(false);
  });
});
