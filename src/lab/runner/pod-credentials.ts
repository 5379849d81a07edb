import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { API_SERVER_TLS_NAME } from "../pki.js";
import type { KubeApi } from "./kube-api.js";
import type { RunnerNetwork } from "./netns.js";
import { podStateDir } from "./pod-records.js";

export interface CredentialPod {
  metadata?: { name?: string; namespace?: string; uid?: string };
  spec?: {
    serviceAccountName?: string;
    volumes?: Array<{ projected?: { sources?: Array<{ serviceAccountToken?: { audience?: string; expirationSeconds?: number } }> } }>;
  };
}

interface TokenSource {
  audience?: string;
  expirationSeconds: number;
}

/**
 * A pod's ServiceAccount identity as a kubeconfig, the way the kubelet's projected token volume
 * provides it: a TokenRequest bound to the pod (audience and lifetime from the pod's
 * serviceAccountToken volume source, which the ServiceAccount admission plugin adds unless
 * automountServiceAccountToken is false), written to a token file that is renewed at 80% of its
 * lifetime, and a kubeconfig that dials the API server on the runner's address with the lab CA.
 * The token sits with ca.crt and namespace in one folder: the pod's ServiceAccount volume
 * (in-cluster.ts mounts it where client-go's InClusterConfig looks).
 */
export class PodCredentials {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  kubeconfigPath: string | undefined;
  /** token, ca.crt and namespace, as the kubelet's ServiceAccount volume holds them (set by ensure). */
  serviceAccountDir: string | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly network: RunnerNetwork,
    private readonly caFile: string,
    private readonly labDir: string,
    private readonly pod: () => CredentialPod,
    private readonly log: (line: string) => void,
  ) {}

  private source(): TokenSource | undefined {
    for (const volume of this.pod().spec?.volumes ?? []) {
      for (const source of volume.projected?.sources ?? []) {
        if (source.serviceAccountToken) {
          return {
            ...(source.serviceAccountToken.audience ? { audience: source.serviceAccountToken.audience } : {}),
            expirationSeconds: source.serviceAccountToken.expirationSeconds ?? 3600,
          };
        }
      }
    }
    return undefined;
  }

  /** The kubeconfig's path (minting the first token), or undefined when the pod mounts no token. */
  async ensure(): Promise<string | undefined> {
    if (this.kubeconfigPath) return this.kubeconfigPath;
    const source = this.source();
    if (!source) return undefined;
    const pod = this.pod();
    const namespace = pod.metadata?.namespace ?? "";
    const dir = podStateDir(this.labDir, pod.metadata?.uid ?? "");
    const accountDir = join(dir, "serviceaccount");
    const tokenFile = join(accountDir, "token");
    const kubeconfig = join(dir, "kubeconfig");
    await mkdir(accountDir, { recursive: true, mode: 0o700 });
    await writeFile(join(accountDir, "ca.crt"), readFileSync(this.caFile));
    await writeFile(join(accountDir, "namespace"), namespace);
    await this.renew(source, tokenFile);
    this.serviceAccountDir = accountDir;
    const user = `system:serviceaccount:${namespace}:${pod.spec?.serviceAccountName ?? "default"}`;
    const text = stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{
        name: "lab",
        cluster: {
          server: `https://${this.network.apiServerAddress}:${this.network.apiServerPort}`,
          "certificate-authority-data": readFileSync(this.caFile).toString("base64"),
          "tls-server-name": API_SERVER_TLS_NAME,
        },
      }],
      // tokenFile (client-go re-reads it every minute) and token-file (the JavaScript client):
      // renewals reach a long-running process.
      users: [{ name: user, user: { tokenFile, "token-file": tokenFile } }],
      contexts: [{ name: "lab", context: { cluster: "lab", user, namespace } }],
      "current-context": "lab",
    });
    await writeFile(`${kubeconfig}.tmp`, text, { mode: 0o600 });
    await rename(`${kubeconfig}.tmp`, kubeconfig);
    this.kubeconfigPath = kubeconfig;
    return kubeconfig;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async renew(source: TokenSource, tokenFile: string): Promise<void> {
    const pod = this.pod();
    const namespace = pod.metadata?.namespace ?? "";
    const account = pod.spec?.serviceAccountName ?? "default";
    const response = await this.api.request<{ status?: { token?: string; expirationTimestamp?: string } }>(
      "POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`, {
        body: {
          apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest",
          spec: {
            audiences: source.audience ? [source.audience] : [],
            expirationSeconds: source.expirationSeconds,
            boundObjectRef: { kind: "Pod", apiVersion: "v1", name: pod.metadata?.name, uid: pod.metadata?.uid },
          },
        },
      });
    const token = response.status?.token;
    if (!token) throw new Error(`TokenRequest for ${namespace}/${account} returned no token`);
    await writeFile(`${tokenFile}.tmp`, token, { mode: 0o600 });
    await rename(`${tokenFile}.tmp`, tokenFile);
    const now = Date.now();
    const expires = response.status?.expirationTimestamp ? Date.parse(response.status.expirationTimestamp) : now + source.expirationSeconds * 1000;
    // The kubelet's rule: renew at 80% of the lifetime; retry a failure after 10 s.
    const renewIn = Math.max(10_000, Math.min(expires - now, source.expirationSeconds * 1000) * 0.8);
    this.schedule(source, tokenFile, renewIn);
  }

  private schedule(source: TokenSource, tokenFile: string, delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.renew(source, tokenFile).catch((error: Error) => {
        this.log(`renewing the ServiceAccount token failed: ${error.message}; retrying in 10 s`);
        this.schedule(source, tokenFile, 10_000);
      });
    }, delayMs);
    this.timer.unref();
  }
}
