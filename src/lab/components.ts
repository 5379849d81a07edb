import { join } from "node:path";
import type { LabPki } from "./pki.js";

/** Ports one lab uses; all on 127.0.0.1 except the API server (see apiServerArgs). */
export interface LabPorts {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
  controllerManager: number;
  scheduler: number;
  kwokHealth: number;
}

export const COMPONENTS = ["etcd", "apiserver", "controller-manager", "scheduler", "kwok"] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** The Service CIDR; 10.96.0.1 (the `kubernetes` Service) is in the serving certificate. */
export const SERVICE_CIDR = "10.96.0.0/16";
/** Addresses KWOK hands to its fake pods; never routed, no traffic goes there. */
export const KWOK_POD_CIDR = "10.244.0.0/16";

export function etcdArgs(dir: string, ports: LabPorts): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    "etcd",
    "--name=lab",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=lab=${peer}`,
    // A throw-away test cluster: durability buys nothing, fsync costs seconds on a busy disk.
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
}

/**
 * The API server listens on all addresses: the host reaches it on 127.0.0.1, and processes the
 * process runner puts in network namespaces reach it on their veth's host side. Everything
 * talks TLS with the lab's CA; RBAC is enforced; admission plugins are the defaults
 * (ServiceAccount included); admission webhooks served by process-runner pods are called.
 */
export function apiServerArgs(dir: string, ports: LabPorts, pki: LabPki): string[] {
  return [
    "apiserver",
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    "--etcd-prefix=/registry",
    "--bind-address=0.0.0.0",
    `--secure-port=${ports.apiServer}`,
    // No node IP exists; loopback plus no endpoint reconciler avoids the endless
    // "may not be in the loopback range" errors.
    "--advertise-address=127.0.0.1",
    "--endpoint-reconciler-type=none",
    `--tls-cert-file=${pki.apiServerCert}`,
    `--tls-private-key-file=${pki.apiServerKey}`,
    `--client-ca-file=${pki.caCert}`,
    "--authorization-mode=Node,RBAC",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--allow-privileged=true",
    // Admission webhooks (and aggregated APIs) are called on a ready endpoint of their Service, not
    // its ClusterIP: no kube-proxy routes Service IPs here, but process-runner pods' IPs are reachable.
    "--enable-aggregator-routing=true",
    "--profiling=false",
    // Audit: only the requests of ServiceAccounts in AUDITED_NAMESPACE (the CLI under measurement);
    // nothing else matches, so an ordinary lab writes an empty log.
    `--audit-policy-file=${auditPolicyFile(dir)}`,
    `--audit-log-path=${auditLogFile(dir)}`,
    "--audit-log-maxsize=0",
    `--cert-dir=${join(dir, "pki", "apiserver-generated")}`,
    "--v=1",
  ];
}

/** ServiceAccounts of this namespace are the lab's audited users (see src/lab/audit.ts). */
export const AUDITED_NAMESPACE = "operator-chaos-audit";
export const auditPolicyFile = (dir: string) => join(dir, "audit-policy.yaml");
export const auditLogFile = (dir: string) => join(dir, "logs", "audit.log");

/** Metadata of every request by an audited user (one event per stage after RequestReceived). */
export const AUDIT_POLICY = [
  "apiVersion: audit.k8s.io/v1",
  "kind: Policy",
  "omitStages: [RequestReceived]",
  "rules:",
  "  - level: Metadata",
  `    userGroups: ["system:serviceaccounts:${AUDITED_NAMESPACE}"]`,
  "  - level: None",
  "",
].join("\n");

export function controllerManagerArgs(kubeconfig: string, ports: LabPorts, pki: LabPki): string[] {
  return [
    "controller-manager",
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${ports.controllerManager}`,
    // One instance: leader election would only add a wait after a restart.
    "--leader-elect=false",
    // Each controller acts as its own ServiceAccount, with the bootstrap RBAC a real cluster has.
    "--use-service-account-credentials=true",
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    "--controllers=*,-node-ipam-controller,-node-route-controller,-service-lb-controller,-cloud-node-lifecycle-controller",
    "--v=1",
  ];
}

export function schedulerArgs(kubeconfig: string, ports: LabPorts): string[] {
  return [
    "scheduler",
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${ports.scheduler}`,
    "--leader-elect=false",
    "--v=1",
  ];
}

/** KWOK manages only nodes annotated as fake; the process runner's node is left to the runner. */
export function kwokArgs(kubeconfig: string, stagesFile: string, ports: LabPorts): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--config=${stagesFile}`,
    "--manage-all-nodes=false",
    `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
    "--manage-nodes-with-label-selector=",
    "--manage-single-node=",
    `--cidr=${KWOK_POD_CIDR}`,
    "--node-ip=10.244.0.1",
    "--node-lease-duration-seconds=40",
    `--server-address=127.0.0.1:${ports.kwokHealth}`,
    "-v=INFO",
  ];
}

export const FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node";

/**
 * KWOK's configuration: our options, then the upstream fast stages shipped with the binaries
 * (the first document of that file is a placeholder configuration and is replaced). Options are
 * spelled out because KWOK v0.8 does not default them when a configuration file is given.
 */
export function kwokConfiguration(stagesYaml: string): string {
  const documents = stagesYaml.split(/^---$/m);
  const stages = documents.filter((doc) => /^kind: Stage$/m.test(doc)).map((doc) => doc.trim());
  const options = [
    "apiVersion: config.kwok.x-k8s.io/v1alpha1",
    "kind: KwokConfiguration",
    "options:",
    "  podPlayStageParallelism: 4",
    "  nodePlayStageParallelism: 4",
    "  nodeLeaseParallelism: 4",
    "  podsOnNodeSyncParallelism: 1",
    "  enablePodsOnNodeSyncListPager: true",
    "  enablePodsOnNodeSyncStreamWatch: false",
    "  enableDebuggingHandlers: false",
    "  enableProfilingHandler: false",
  ].join("\n");
  return [options, ...stages].join("\n---\n") + "\n";
}

/** A node KWOK keeps Ready; no taint, so ordinary workloads schedule onto it. */
export function fakeNode(name: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [FAKE_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
      },
    },
    status: {
      allocatable: { cpu: "32", memory: "256Gi", pods: "110" },
      capacity: { cpu: "32", memory: "256Gi", pods: "110" },
    },
  };
}
