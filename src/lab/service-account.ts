import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { renderKubeconfig } from "./kubeconfig.js";
import { API_SERVER_TLS_NAME } from "./pki.js";

export interface ServiceAccountKubeconfigOptions {
  /** An admin kubeconfig allowed to create serviceaccounts/token. */
  admin: KubeConfig;
  namespace: string;
  serviceAccount: string;
  caFile: string;
  /** The address to dial; defaults to the admin kubeconfig's server. */
  server?: string;
  /** Token lifetime; the API server's minimum is 10 minutes. */
  expirationSeconds?: number;
}

export interface MintedKubeconfig {
  kubeconfig: string;
  token: string;
  expiresAt: Date;
}

/**
 * Mints a kubeconfig for a ServiceAccount through the TokenRequest API, so a process runs with
 * exactly that identity: its RBAC applies, and revoking it gives real 403s.
 */
export async function mintServiceAccountKubeconfig(options: ServiceAccountKubeconfigOptions): Promise<MintedKubeconfig> {
  const core = options.admin.makeApiClient(CoreV1Api);
  const response = await core.createNamespacedServiceAccountToken({
    name: options.serviceAccount,
    namespace: options.namespace,
    body: {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { audiences: [], expirationSeconds: options.expirationSeconds ?? 3600 },
    },
  });
  const token = response.status?.token;
  if (!token) throw new Error(`TokenRequest for ${options.namespace}/${options.serviceAccount} returned no token`);
  const server = options.server ?? options.admin.getCurrentCluster()?.server ?? "";
  const url = new URL(server);
  const dialsCertifiedName = ["127.0.0.1", "localhost"].includes(url.hostname);
  const kubeconfig = renderKubeconfig({
    server,
    caFile: options.caFile,
    ...(dialsCertifiedName ? {} : { tlsServerName: API_SERVER_TLS_NAME }),
    token,
    user: `system:serviceaccount:${options.namespace}:${options.serviceAccount}`,
    namespace: options.namespace,
    contextName: `${options.namespace}-${options.serviceAccount}`,
  });
  return { kubeconfig, token, expiresAt: new Date(response.status?.expirationTimestamp ?? Date.now() + 3600_000) };
}
