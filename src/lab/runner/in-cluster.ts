// What a kubelet gives every container so that client-go's rest.InClusterConfig() works: the
// `kubernetes` Service's address in KUBERNETES_SERVICE_HOST/PORT (reachable: a DNAT in the pod's
// network namespace, as kube-proxy would do it) and the ServiceAccount volume — token, CA,
// namespace — at /var/run/secrets/kubernetes.io/serviceaccount, bind-mounted read-only in a mount
// namespace of the pod's own, so pods never see each other's tokens.

import { mkdirSync } from "node:fs";
import type { RunnerNetwork } from "./netns.js";
import { applyNft } from "./nftables.js";

/** The `kubernetes` Service's ClusterIP: the first address of the lab's service range (10.96.0.0/16). */
export const KUBERNETES_SERVICE_IP = "10.96.0.1";
export const KUBERNETES_SERVICE_PORT = 443;
export const SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
const NAT_TABLE = "oc_kubernetes_service";

/** In a pod's network namespace: the Service address leads to the API server on the runner's address. */
export function serviceNatRuleset(network: Pick<RunnerNetwork, "apiServerAddress" | "apiServerPort">): string {
  return [
    `table ip ${NAT_TABLE} {`,
    "  chain output {",
    "    type nat hook output priority -100; policy accept;",
    `    ip daddr ${KUBERNETES_SERVICE_IP} tcp dport ${KUBERNETES_SERVICE_PORT} dnat to ${network.apiServerAddress}:${network.apiServerPort}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

export function applyServiceNat(netns: string, network: Pick<RunnerNetwork, "apiServerAddress" | "apiServerPort">): Promise<void> {
  return applyNft(serviceNatRuleset(network), netns);
}

/**
 * The kubelet's service variables for the `kubernetes` Service. A pod with its own network
 * namespace dials the Service address; a hostNetwork pod the API server on loopback (the serving
 * certificate names both).
 */
export function kubernetesServiceEnv(sandboxed: boolean, apiServerPort: number): Record<string, string> {
  const host = sandboxed ? KUBERNETES_SERVICE_IP : "127.0.0.1";
  const port = String(sandboxed ? KUBERNETES_SERVICE_PORT : apiServerPort);
  const tcp = `tcp://${host}:${port}`;
  return {
    KUBERNETES_SERVICE_HOST: host,
    KUBERNETES_SERVICE_PORT: port,
    KUBERNETES_SERVICE_PORT_HTTPS: port,
    KUBERNETES_PORT: tcp,
    [`KUBERNETES_PORT_${port}_TCP`]: tcp,
    [`KUBERNETES_PORT_${port}_TCP_PROTO`]: "tcp",
    [`KUBERNETES_PORT_${port}_TCP_PORT`]: port,
    [`KUBERNETES_PORT_${port}_TCP_ADDR`]: host,
  };
}

/**
 * argv that runs `argv` in a mount namespace of its own with `serviceAccountDir` read-only at the
 * ServiceAccount path. Each step execs the next, so the pid the runner holds is the program's.
 */
export function withServiceAccountMount(argv: readonly string[], serviceAccountDir: string): string[] {
  const script = `mount --bind "$0" ${SERVICE_ACCOUNT_MOUNT} && mount -o remount,bind,ro ${SERVICE_ACCOUNT_MOUNT} && exec "$@"`;
  return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, serviceAccountDir, ...argv];
}

/**
 * The mount point must exist on the host (an empty directory under /run, a tmpfs); what a pod sees
 * there is only ever its own bind mount. A host that is itself a pod keeps its own files: the
 * bind mount hides them only inside the pod's namespace.
 */
export function ensureServiceAccountMountPoint(): void {
  mkdirSync(SERVICE_ACCOUNT_MOUNT, { recursive: true });
}
