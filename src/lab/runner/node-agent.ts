import { randomUUID } from "node:crypto";
import { release } from "node:os";
import { isStatus, kubeTime, microTime, type KubeApi } from "./kube-api.js";
import { MAX_SLOTS, type RunnerNetwork } from "./netns.js";

export const PROCESS_NODE_NAME = "lab-process-node";
export const RUNNER_LABEL = "lab.operator-chaos.io/runner";
export const RUNNER_PID_ANNOTATION = "lab.operator-chaos.io/runner-pid";

const LEASE_DURATION_SECONDS = 40;
const LEASE_RENEW_MS = 10_000;
const STATUS_REPORT_MS = 60_000;

/** The node's allocatable resources: like the KWOK nodes, but pods capped by the runner's address slots. */
export const NODE_ALLOCATABLE = { cpu: "32", memory: "256Gi", pods: String(MAX_SLOTS), "ephemeral-storage": "100Gi" };

/** Keeps pods off the process node unless they tolerate it. */
export const PROCESS_NODE_TAINT = { key: "lab.operator-chaos.io/runner", value: "process", effect: "NoSchedule" } as const;
/** What a pod spec adds to run as a real process: this toleration and the runner nodeSelector. */
export const PROCESS_NODE_TOLERATION = { key: "lab.operator-chaos.io/runner", operator: "Equal", value: "process", effect: "NoSchedule" } as const;

const arch = () => (process.arch === "x64" ? "amd64" : process.arch);

/**
 * The runner as the node agent of `lab-process-node`: registers the Node (tainted, so only pods
 * that ask for it — toleration plus nodeSelector/affinity on the runner label — land here; an
 * ordinary workload has no command to run as a process and stays on the KWOK nodes), keeps
 * its Lease in kube-node-lease renewed and reports its status like a kubelet (Ready, heartbeats).
 */
export class NodeAgent {
  private leaseTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private kubeletVersion = "v0.0.0";
  private readonly bootId = randomUUID();
  private readonly readySince = kubeTime();

  constructor(
    private readonly api: KubeApi,
    private readonly network: RunnerNetwork,
    private readonly log: (line: string) => void,
  ) {}

  private conditions(now: string) {
    const condition = (type: string, status: string, reason: string, message: string) => ({
      type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: this.readySince,
    });
    return [
      condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
      condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
      condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
      condition("Ready", "True", "KubeletReady", "operator-chaos process runner is posting ready status"),
    ];
  }

  private status(now: string) {
    return {
      capacity: NODE_ALLOCATABLE,
      allocatable: NODE_ALLOCATABLE,
      conditions: this.conditions(now),
      addresses: [
        { type: "InternalIP", address: this.network.apiServerAddress },
        { type: "Hostname", address: PROCESS_NODE_NAME },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: {
        machineID: this.bootId.replace(/-/g, ""),
        systemUUID: this.bootId,
        bootID: this.bootId,
        kernelVersion: release(),
        osImage: "operator-chaos lab process runner",
        containerRuntimeVersion: "process://operator-chaos",
        kubeletVersion: this.kubeletVersion,
        kubeProxyVersion: "",
        operatingSystem: "linux",
        architecture: arch(),
      },
    };
  }

  /** Creates or refreshes the Node and its Lease; resolves once the Node reports Ready. */
  async register(): Promise<void> {
    const version = await this.api.get<{ gitVersion?: string }>("/version").catch(() => undefined);
    if (version?.gitVersion) this.kubeletVersion = version.gitVersion;
    const now = kubeTime();
    const metadata = {
      name: PROCESS_NODE_NAME,
      labels: {
        "kubernetes.io/hostname": PROCESS_NODE_NAME,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": arch(),
        "node-role.kubernetes.io/agent": "",
        [RUNNER_LABEL]: "process",
        type: "process",
      },
      annotations: { [RUNNER_PID_ANNOTATION]: String(process.pid), "node.alpha.kubernetes.io/ttl": "0" },
    };
    try {
      await this.api.request("POST", "/api/v1/nodes", {
        body: { apiVersion: "v1", kind: "Node", metadata, spec: { taints: [PROCESS_NODE_TAINT] }, status: this.status(now) },
      });
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
      await this.api.request("PATCH", `/api/v1/nodes/${PROCESS_NODE_NAME}`, { body: { metadata, spec: { taints: [PROCESS_NODE_TAINT] } }, patch: "strategic" });
    }
    // The status subresource: creation may have dropped it, and an existing node has old heartbeats.
    await this.reportStatus();
    await this.renewLease();
  }

  start(): void {
    const lease = () => {
      this.leaseTimer = setTimeout(() => {
        this.renewLease().catch((error: Error) => this.log(`renewing the node lease: ${error.message}`)).finally(lease);
      }, LEASE_RENEW_MS);
    };
    const status = () => {
      this.statusTimer = setTimeout(() => {
        this.reportStatus().catch((error: Error) => this.log(`reporting node status: ${error.message}`)).finally(status);
      }, STATUS_REPORT_MS);
    };
    lease();
    status();
  }

  stop(): void {
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    if (this.statusTimer) clearTimeout(this.statusTimer);
  }

  async reportStatus(): Promise<void> {
    await this.api.request("PATCH", `/api/v1/nodes/${PROCESS_NODE_NAME}/status`, {
      body: { status: this.status(kubeTime()) }, patch: "strategic",
    });
  }

  private async renewLease(): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${PROCESS_NODE_NAME}`;
    const spec = { holderIdentity: PROCESS_NODE_NAME, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime() };
    try {
      await this.api.request("PATCH", path, { body: { spec }, patch: "merge" });
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
      const node = await this.api.get<{ metadata: { uid: string } }>(`/api/v1/nodes/${PROCESS_NODE_NAME}`);
      await this.api.request("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", {
        body: {
          apiVersion: "coordination.k8s.io/v1", kind: "Lease",
          metadata: {
            name: PROCESS_NODE_NAME, namespace: "kube-node-lease",
            ownerReferences: [{ apiVersion: "v1", kind: "Node", name: PROCESS_NODE_NAME, uid: node.metadata.uid }],
          },
          spec,
        },
      });
    }
  }
}
