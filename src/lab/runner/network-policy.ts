/**
 * NetworkPolicy semantics (networking.k8s.io/v1), evaluated for one pod: which traffic the
 * policies in its namespace allow out of it (egress) and into it (ingress). Pure: the caller
 * passes every policy, pod and namespace it knows; nftables.ts turns the result into rules.
 *
 * The rules implemented are the API's documented ones:
 * - a policy selects the pods of its own namespace that match `spec.podSelector` (empty = all);
 * - `policyTypes` defaults to ["Ingress"], plus "Egress" when the policy has egress rules;
 * - a pod selected by no policy of a type is not isolated for that direction (all allowed);
 *   otherwise what is allowed is the union of the rules of every policy selecting it;
 * - a rule with no `to`/`from` matches every peer, with no `ports` every port; a peer is an
 *   ipBlock (cidr minus except), or pods chosen by podSelector and/or namespaceSelector;
 * - a port has a protocol (default TCP), a number or a named container port, and an optional
 *   endPort (a range); a port without number matches every port of its protocol.
 */

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface PolicyPeer {
  ipBlock?: { cidr: string; except?: string[] };
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
}

export interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface PolicyRule {
  to?: PolicyPeer[];
  from?: PolicyPeer[];
  ports?: PolicyPort[];
}

export interface NetworkPolicyObject {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    podSelector?: LabelSelector;
    policyTypes?: string[];
    ingress?: PolicyRule[];
    egress?: PolicyRule[];
  };
}

export interface PodObject {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string> };
  spec?: {
    hostNetwork?: boolean;
    containers?: Array<{ name?: string; ports?: Array<{ name?: string; containerPort?: number; protocol?: string }> }>;
  };
  status?: { phase?: string; podIP?: string; podIPs?: Array<{ ip?: string }> };
}

export interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string> };
}

export type Protocol = "TCP" | "UDP" | "SCTP";

/** A CIDR and the CIDRs cut out of it. Pods are single-address CIDRs (/32 or /128). */
export interface PeerRange {
  cidr: string;
  except: string[];
}

/** A port (or range) of a protocol; no `port` = every port of the protocol. */
export interface PortRange {
  protocol: Protocol;
  port?: number;
  endPort?: number;
}

/** Traffic to/from these peers (undefined = any peer) on these ports (undefined = any port). */
export interface TrafficRule {
  peers?: PeerRange[];
  ports?: PortRange[];
}

/** "all" when no policy isolates the direction; otherwise the union of these rules (none = deny all). */
export type DirectionDecision = "all" | TrafficRule[];

export interface PodNetworkDecision {
  egress: DirectionDecision;
  ingress: DirectionDecision;
  /** Names of the policies isolating the pod, per direction (for events and logs). */
  egressPolicies: string[];
  ingressPolicies: string[];
}

export interface PolicyInputs {
  policies: readonly NetworkPolicyObject[];
  pods: readonly PodObject[];
  namespaces: readonly NamespaceObject[];
  /** Known addresses of pods whose status does not show them yet (the runner's own pods), by uid. */
  extraPodIps?: ReadonlyMap<string, string[]>;
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(have, requirement.key);
    const value = have[requirement.key];
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case "In":
        if (!present || !values.includes(value as string)) return false;
        break;
      case "NotIn":
        if (present && values.includes(value as string)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
      default:
        // The API server rejects unknown operators; a selector we cannot read selects nothing.
        return false;
    }
  }
  return true;
}

/** policyTypes as the API server defaults them. */
export function policyTypesOf(policy: NetworkPolicyObject): { ingress: boolean; egress: boolean } {
  const types = policy.spec?.policyTypes;
  if (types && types.length > 0) return { ingress: types.includes("Ingress"), egress: types.includes("Egress") };
  return { ingress: true, egress: (policy.spec?.egress?.length ?? 0) > 0 };
}

export function policySelectsPod(policy: NetworkPolicyObject, pod: PodObject): boolean {
  if ((policy.metadata?.namespace ?? "") !== (pod.metadata?.namespace ?? "")) return false;
  return selectorMatches(policy.spec?.podSelector ?? {}, pod.metadata?.labels);
}

export function podIps(pod: PodObject, extra?: ReadonlyMap<string, string[]>): string[] {
  const known = pod.metadata?.uid ? extra?.get(pod.metadata.uid) : undefined;
  if (known && known.length > 0) return known;
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

const isTerminal = (pod: PodObject) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

export function hostCidr(ip: string): string {
  return ip.includes(":") ? `${ip}/128` : `${ip}/32`;
}

function normalizeProtocol(protocol: string | undefined): Protocol {
  const upper = (protocol ?? "TCP").toUpperCase();
  return upper === "UDP" || upper === "SCTP" ? upper : "TCP";
}

function namedPort(pod: PodObject, name: string, protocol: Protocol): number | undefined {
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name === name && normalizeProtocol(port.protocol) === protocol && port.containerPort) return port.containerPort;
    }
  }
  return undefined;
}

interface ResolvedPeers {
  /** undefined = every peer */
  ranges?: PeerRange[];
  /** The pods the peers select (for named ports); undefined when the rule has no pod peers. */
  pods?: PodObject[];
}

/** The pods a podSelector/namespaceSelector peer chooses, relative to the policy's namespace. */
function peerPods(peer: PolicyPeer, policyNamespace: string, inputs: PolicyInputs): PodObject[] {
  const namespaceLabels = new Map<string, Record<string, string> | undefined>();
  for (const ns of inputs.namespaces) namespaceLabels.set(ns.metadata?.name ?? "", ns.metadata?.labels);
  return inputs.pods.filter((pod) => {
    if (isTerminal(pod) || pod.spec?.hostNetwork) return false;
    const namespace = pod.metadata?.namespace ?? "";
    if (peer.namespaceSelector) {
      // Namespace labels always carry kubernetes.io/metadata.name (set by the API server).
      const labels = { "kubernetes.io/metadata.name": namespace, ...(namespaceLabels.get(namespace) ?? {}) };
      if (!selectorMatches(peer.namespaceSelector, labels)) return false;
    } else if (namespace !== policyNamespace) {
      return false;
    }
    return peer.podSelector ? selectorMatches(peer.podSelector, pod.metadata?.labels) : true;
  });
}

function resolvePeers(peers: PolicyPeer[] | undefined, policyNamespace: string, inputs: PolicyInputs): ResolvedPeers {
  if (!peers || peers.length === 0) return {};
  const ranges: PeerRange[] = [];
  const pods: PodObject[] = [];
  for (const peer of peers) {
    if (peer.ipBlock) {
      ranges.push({ cidr: peer.ipBlock.cidr, except: [...(peer.ipBlock.except ?? [])] });
      continue;
    }
    if (!peer.podSelector && !peer.namespaceSelector) continue; // an empty peer is invalid in the API
    for (const pod of peerPods(peer, policyNamespace, inputs)) {
      pods.push(pod);
      for (const ip of podIps(pod, inputs.extraPodIps)) ranges.push({ cidr: hostCidr(ip), except: [] });
    }
  }
  return { ranges: dedupeRanges(ranges), pods };
}

function dedupeRanges(ranges: PeerRange[]): PeerRange[] {
  const seen = new Map<string, PeerRange>();
  for (const range of ranges) seen.set(`${range.cidr}|${[...range.except].sort().join(",")}`, range);
  return [...seen.values()];
}

/**
 * Turns one rule into traffic rules. Numeric ports apply to every peer; a named port is looked
 * up on each destination pod (egress: the peer pods, or all pods when the rule names no peers;
 * ingress: the selected pod itself).
 */
function trafficRules(
  rule: PolicyRule,
  direction: "egress" | "ingress",
  policyNamespace: string,
  selectedPod: PodObject,
  inputs: PolicyInputs,
): TrafficRule[] {
  const resolved = resolvePeers(direction === "egress" ? rule.to : rule.from, policyNamespace, inputs);
  const peers = resolved.ranges;
  if (peers && peers.length === 0) return []; // peers that match nothing allow nothing
  if (!rule.ports || rule.ports.length === 0) return [peers ? { peers } : {}];
  const numeric: PortRange[] = [];
  const out: TrafficRule[] = [];
  for (const port of rule.ports) {
    const protocol = normalizeProtocol(port.protocol);
    if (port.port === undefined || port.port === null) {
      numeric.push({ protocol });
    } else if (typeof port.port === "number" || /^\d+$/.test(port.port)) {
      const number = Number(port.port);
      numeric.push(port.endPort !== undefined && port.endPort !== null && port.endPort >= number
        ? { protocol, port: number, endPort: port.endPort }
        : { protocol, port: number });
    } else if (direction === "ingress") {
      const number = namedPort(selectedPod, port.port, protocol);
      if (number !== undefined) numeric.push({ protocol, port: number });
    } else {
      // Egress to a named port: each destination pod that has a port of that name, on its number.
      // (ipBlock peers have no named ports.)
      const candidates = peers ? resolved.pods ?? [] : inputs.pods.filter((p) => !isTerminal(p));
      for (const pod of candidates) {
        const number = namedPort(pod, port.port, protocol);
        if (number === undefined) continue;
        const ips = podIps(pod, inputs.extraPodIps);
        if (ips.length > 0) out.push({ peers: ips.map((ip) => ({ cidr: hostCidr(ip), except: [] })), ports: [{ protocol, port: number }] });
      }
    }
  }
  if (numeric.length > 0) out.unshift(peers ? { peers, ports: numeric } : { ports: numeric });
  return out;
}

/** What the policies of `pod`'s namespace allow for it; see the module comment for the semantics. */
export function evaluatePodNetwork(pod: PodObject, inputs: PolicyInputs): PodNetworkDecision {
  const selecting = inputs.policies
    .filter((policy) => policySelectsPod(policy, pod))
    .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  const decision: PodNetworkDecision = { egress: "all", ingress: "all", egressPolicies: [], ingressPolicies: [] };
  if (pod.spec?.hostNetwork) return decision; // policies do not apply to host-network pods
  const egress: TrafficRule[] = [];
  const ingress: TrafficRule[] = [];
  for (const policy of selecting) {
    const types = policyTypesOf(policy);
    const namespace = policy.metadata?.namespace ?? "";
    const name = policy.metadata?.name ?? "";
    if (types.egress) {
      decision.egressPolicies.push(name);
      for (const rule of policy.spec?.egress ?? []) egress.push(...trafficRules(rule, "egress", namespace, pod, inputs));
    }
    if (types.ingress) {
      decision.ingressPolicies.push(name);
      for (const rule of policy.spec?.ingress ?? []) ingress.push(...trafficRules(rule, "ingress", namespace, pod, inputs));
    }
  }
  if (decision.egressPolicies.length > 0) decision.egress = simplify(egress);
  if (decision.ingressPolicies.length > 0) decision.ingress = simplify(ingress);
  return decision;
}

/** A rule allowing any peer on any port makes the direction "all"; identical rules collapse. */
function simplify(rules: TrafficRule[]): DirectionDecision {
  if (rules.some((rule) => !rule.peers && !rule.ports)) return "all";
  const seen = new Map<string, TrafficRule>();
  for (const rule of rules) seen.set(JSON.stringify(rule), rule);
  return [...seen.values()];
}

/**
 * Whether a decision lets traffic to/from `ip` on `protocol`/`port` through. Used by tests and by
 * the runner's log lines; the kernel applies the same decision through nftables.
 */
export function allows(decision: DirectionDecision, ip: string, protocol: Protocol, port: number): boolean {
  if (decision === "all") return true;
  return decision.some((rule) =>
    (!rule.peers || rule.peers.some((peer) => cidrContains(peer.cidr, ip) && !peer.except.some((cut) => cidrContains(cut, ip))))
    && (!rule.ports || rule.ports.some((p) => p.protocol === protocol
      && (p.port === undefined || (p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port)))));
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split("/");
  if (!base) return false;
  const a = parseIp(base);
  const b = parseIp(ip);
  if (!a || !b || a.length !== b.length) return false;
  const bits = bitsText === undefined ? a.length * 8 : Number(bitsText);
  for (let i = 0; i < a.length; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
    if (((a[i] ?? 0) & mask) !== ((b[i] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIp(ip: string): number[] | undefined {
  if (ip.includes(":")) {
    const [head, tail] = ip.split("::");
    const part = (s: string | undefined) => (s ? s.split(":").map((h) => Number.parseInt(h, 16)) : []);
    const left = part(head);
    const right = part(tail);
    const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill(0), ...right] : left;
    if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
    return groups.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
  }
  const octets = ip.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  return octets;
}
