import { spawn } from "node:child_process";
import type { DirectionDecision, PeerRange, PortRange, TrafficRule } from "./network-policy.js";

/** One runner pod as the kernel sees it: the host side of its veth and the two addresses. */
export interface PodFilter {
  /** Used in chain names. */
  slot: number;
  /** The host-side veth: packets from the pod arrive on it, packets to the pod leave through it. */
  hostInterface: string;
  podIp: string;
  /** The host side's address; the runner's probes come from it ("the kubelet is always allowed"). */
  nodeIp: string;
  egress: DirectionDecision;
  ingress: DirectionDecision;
  /** For a comment in the ruleset. */
  pod: string;
}

/**
 * The lab's whole ruleset as one `nft -f` transaction: the table is (re)created from scratch,
 * so applying it is atomic and idempotent.
 *
 * Packets from a pod (prerouting, `iifname` = its veth) and to a pod (postrouting, `oifname`)
 * jump to per-pod chains. Every packet is checked, not only new connections, so a policy
 * created while a connection is open cuts it. Conntrack's direction tells which rules apply:
 * - from the pod, original direction: its egress rules (peer = destination, port = dport);
 * - from the pod, reply direction: its ingress rules (peer = destination, port = sport);
 * - to the pod, original direction: its ingress rules (peer = source, port = dport);
 * - to the pod, reply direction: its egress rules (peer = source, port = sport).
 * Traffic between the pod and its node address (the runner's probes) is always allowed, as the
 * kubelet's is; the pod reaching out to the node address is subject to egress like any peer.
 */
export function renderRuleset(table: string, pods: readonly PodFilter[]): string {
  const lines: string[] = [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    "  chain prerouting {",
    "    type filter hook prerouting priority filter; policy accept;",
    ...pods.map((p) => `    iifname ${quote(p.hostInterface)} jump from_pod_${p.slot}`),
    "  }",
    "  chain postrouting {",
    "    type filter hook postrouting priority filter; policy accept;",
    ...pods.map((p) => `    oifname ${quote(p.hostInterface)} jump to_pod_${p.slot}`),
    "  }",
  ];
  for (const pod of pods) {
    lines.push(
      `  chain from_pod_${pod.slot} {`,
      `    # ${sanitizeComment(pod.pod)}: egress ${describe(pod.egress)}, ingress ${describe(pod.ingress)}`,
      `    ip saddr != ${pod.podIp} drop`,
      `    ct direction reply ip daddr ${pod.nodeIp} accept`,
      ...decisionRules(pod.egress, "ct direction original", "daddr", "dport"),
      ...decisionRules(pod.ingress, "ct direction reply", "daddr", "sport"),
      "    counter drop",
      "  }",
      `  chain to_pod_${pod.slot} {`,
      `    ct direction original ip saddr ${pod.nodeIp} accept`,
      ...decisionRules(pod.ingress, "ct direction original", "saddr", "dport"),
      ...decisionRules(pod.egress, "ct direction reply", "saddr", "sport"),
      "    counter drop",
      "  }",
    );
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** Removes the table (no error when it does not exist). */
export function renderDeleteTable(table: string): string {
  return `table inet ${table}\ndelete table inet ${table}\n`;
}

function describe(decision: DirectionDecision): string {
  if (decision === "all") return "not isolated";
  return decision.length === 0 ? "deny all" : `${decision.length} allow rule(s)`;
}

function decisionRules(decision: DirectionDecision, prefix: string, peerField: "saddr" | "daddr", portField: "sport" | "dport"): string[] {
  if (decision === "all") return [`    ${prefix} accept`];
  const out: string[] = [];
  for (const rule of decision) {
    for (const peer of peerMatches(rule, peerField)) {
      for (const port of portMatches(rule, portField)) {
        out.push(`    ${[prefix, peer, port, "accept"].filter(Boolean).join(" ")}`);
      }
    }
  }
  return out;
}

function peerMatches(rule: TrafficRule, field: "saddr" | "daddr"): string[] {
  if (!rule.peers) return [""];
  return rule.peers.flatMap((peer) => {
    const match = peerMatch(peer, field);
    return match ? [match] : [];
  });
}

function peerMatch(peer: PeerRange, field: "saddr" | "daddr"): string | undefined {
  const cidr = canonicalCidr(peer.cidr);
  if (!cidr) return undefined;
  const family = cidr.includes(":") ? "ip6" : "ip";
  const excepts = peer.except
    .map(canonicalCidr)
    .filter((c): c is string => c !== undefined && c.includes(":") === (family === "ip6"));
  // One `!=` per excluded range: anonymous sets reject overlapping intervals.
  return [`${family} ${field} ${cidr}`, ...excepts.map((e) => `${family} ${field} != ${e}`)].join(" ");
}

function portMatches(rule: TrafficRule, field: "sport" | "dport"): string[] {
  if (!rule.ports) return [""];
  return rule.ports.map((port: PortRange) => {
    const protocol = `meta l4proto ${port.protocol.toLowerCase()}`;
    if (port.port === undefined) return protocol;
    const value = port.endPort !== undefined && port.endPort > port.port ? `${port.port}-${port.endPort}` : `${port.port}`;
    return `${protocol} th ${field} ${value}`;
  });
}

/** A CIDR with its host bits cleared (nft refuses others); undefined when it is not one. */
export function canonicalCidr(cidr: string): string | undefined {
  const [base, bitsText] = cidr.trim().split("/");
  if (!base) return undefined;
  if (base.includes(":")) {
    if (!/^[0-9a-fA-F:]+$/.test(base)) return undefined;
    const bits = bitsText === undefined ? 128 : Number(bitsText);
    return Number.isInteger(bits) && bits >= 0 && bits <= 128 ? `${base.toLowerCase()}/${bits}` : undefined;
  }
  const octets = base.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const network = (value & mask) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (network >>> shift) & 0xff).join(".")}/${bits}`;
}

function quote(name: string): string {
  return `"${name.replace(/[^A-Za-z0-9_.-]/g, "")}"`;
}

function sanitizeComment(text: string): string {
  return text.replace(/[^A-Za-z0-9_./-]/g, "_");
}

/** Applies a ruleset with `nft -f -` (one atomic transaction), on the host or inside a network namespace. */
export function applyNft(ruleset: string, netns?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = netns ? ["ip", "netns", "exec", netns, "nft", "-f", "-"] : ["nft", "-f", "-"];
    const child = spawn(command!, args, { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", (error) => reject(new Error(`cannot run nft (install the nftables package): ${error.message}`)));
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`nft -f failed (exit ${code}): ${stderr.trim()}`))));
    child.stdin.end(ruleset);
  });
}
