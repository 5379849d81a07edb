import { describe, expect, it } from "vitest";
import { evaluatePodNetwork, type NetworkPolicyObject, type PodObject } from "./network-policy.js";
import { canonicalCidr, renderDeleteTable, renderRuleset, type PodFilter } from "./nftables.js";

const operator: PodObject = {
  metadata: { namespace: "app", name: "op", uid: "u1", labels: { app: "op" } },
  spec: { containers: [{ name: "main" }] },
  status: { phase: "Running", podIP: "10.250.3.6" },
};

function filterFor(policies: NetworkPolicyObject[]): PodFilter {
  const decision = evaluatePodNetwork(operator, { policies, pods: [operator], namespaces: [] });
  return {
    slot: 1, hostInterface: "oc3p1", podIp: "10.250.3.6", nodeIp: "10.250.3.5", pod: "app/op",
    egress: decision.egress, ingress: decision.ingress,
  };
}

const chain = (ruleset: string, name: string) => {
  const start = ruleset.indexOf(`chain ${name} {`);
  return ruleset.slice(start, ruleset.indexOf("  }", start));
};

describe("renderRuleset", () => {
  it("recreates the table in one transaction and hooks each pod's veth", () => {
    const text = renderRuleset("oc_lab_3", [filterFor([])]);
    expect(text.startsWith("table inet oc_lab_3\ndelete table inet oc_lab_3\ntable inet oc_lab_3 {")).toBe(true);
    expect(text).toContain('iifname "oc3p1" jump from_pod_1');
    expect(text).toContain('oifname "oc3p1" jump to_pod_1');
  });

  it("without policies accepts both directions but keeps the anti-spoofing and final drop", () => {
    const from = chain(renderRuleset("t", [filterFor([])]), "from_pod_1");
    expect(from).toContain("ip saddr != 10.250.3.6 drop");
    expect(from).toContain("ct direction original accept");
    expect(from).toContain("ct direction reply accept");
    expect(from.trim().endsWith("counter drop")).toBe(true);
  });

  it("deny-all egress leaves no accept for the pod's own traffic except replies to the node", () => {
    const deny = { metadata: { namespace: "app", name: "x" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } };
    const text = renderRuleset("t", [filterFor([deny])]);
    const from = chain(text, "from_pod_1");
    expect(from).not.toContain("ct direction original accept");
    expect(from).not.toMatch(/ct state established/);
    expect(from).toContain("ct direction reply ip daddr 10.250.3.5 accept");
    const to = chain(text, "to_pod_1");
    expect(to).toContain("ct direction original ip saddr 10.250.3.5 accept");
    expect(to).not.toContain("ct direction reply accept");
  });

  it("renders ipBlock, except, protocol, port and port ranges in both directions", () => {
    const policy = {
      metadata: { namespace: "app", name: "allow" },
      spec: {
        podSelector: {}, policyTypes: ["Egress"],
        egress: [{
          to: [{ ipBlock: { cidr: "10.250.3.1/32" } }, { ipBlock: { cidr: "10.0.0.7/8", except: ["10.244.0.0/16"] } }],
          ports: [{ protocol: "TCP", port: 6443 }, { protocol: "UDP", port: 5000, endPort: 5010 }],
        }],
      },
    };
    const text = renderRuleset("t", [filterFor([policy])]);
    const from = chain(text, "from_pod_1");
    expect(from).toContain("ct direction original ip daddr 10.250.3.1/32 meta l4proto tcp th dport 6443 accept");
    expect(from).toContain("ct direction original ip daddr 10.0.0.0/8 ip daddr != 10.244.0.0/16 meta l4proto udp th dport 5000-5010 accept");
    const to = chain(text, "to_pod_1");
    expect(to).toContain("ct direction reply ip saddr 10.250.3.1/32 meta l4proto tcp th sport 6443 accept");
    expect(to).toContain("ct direction original accept"); // ingress not isolated
  });

  it("deletes the table idempotently", () => {
    expect(renderDeleteTable("oc_lab_3")).toBe("table inet oc_lab_3\ndelete table inet oc_lab_3\n");
  });
});

describe("canonicalCidr", () => {
  it("clears host bits and rejects garbage", () => {
    expect(canonicalCidr("10.250.3.77/24")).toBe("10.250.3.0/24");
    expect(canonicalCidr("10.250.3.77")).toBe("10.250.3.77/32");
    expect(canonicalCidr("0.0.0.0/0")).toBe("0.0.0.0/0");
    expect(canonicalCidr("fd00::/8")).toBe("fd00::/8");
    expect(canonicalCidr("300.1.1.1/8")).toBeUndefined();
    expect(canonicalCidr("10.0.0.0/33")).toBeUndefined();
  });
});
