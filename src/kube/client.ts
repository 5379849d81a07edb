import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

export interface KubeconfigOptions {
  /** Path like kubectl's --kubeconfig; otherwise $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string | undefined;
  /** Like kubectl's --context. */
  context?: string | undefined;
}

/** Loads a kubeconfig the way kubectl does (flag, then $KUBECONFIG, then the default file). */
export function loadKubeConfig(options: KubeconfigOptions = {}): KubeConfig {
  const config = new KubeConfig();
  if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
  else if (process.env.KUBECONFIG || existsSync(join(homedir(), ".kube", "config")) || process.env.KUBERNETES_SERVICE_HOST) config.loadFromDefault();
  else {
    throw new Error("no kubeconfig: pass --kubeconfig, set KUBECONFIG, or start the local lab (operator-chaos lab up; eval \"$(operator-chaos lab env)\")");
  }
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      throw new Error(`context "${options.context}" is not in the kubeconfig`);
    }
    config.setCurrentContext(options.context);
  }
  if (!config.getCurrentCluster()) throw new Error("the kubeconfig names no current cluster");
  return config;
}

/** The HTTP status of an error thrown by @kubernetes/client-node, if it carries one. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  for (const value of [candidate.code, candidate.statusCode, candidate.response?.statusCode]) {
    if (typeof value === "number") return value;
  }
  return undefined;
}
