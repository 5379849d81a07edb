import type { KubeConfig } from "@kubernetes/client-node";
import { KubeRest } from "./rest.js";
import { waitForCollection } from "./watcher.js";

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface WatchUntilOptions {
  /** The collection URL path, e.g. /api/v1/nodes or /apis/apps/v1/namespaces/ns/deployments. */
  path: string;
  query?: { labelSelector?: string; fieldSelector?: string };
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  what: string;
}

/**
 * waitForCollection for callers that hold a kubeconfig rather than a client (the lab): the same
 * transport, list-then-watch and deadline as the engine. The client lives as long as the wait.
 */
export async function watchUntil<T>(
  config: KubeConfig,
  options: WatchUntilOptions,
  done: (objects: ReadonlyMap<string, KubeObject>) => T | undefined,
): Promise<T> {
  const rest = new KubeRest(config);
  try {
    return await waitForCollection(rest, {
      path: options.path, timeoutMs: options.timeoutMs, signal: options.signal, what: options.what,
      ...(options.query?.labelSelector ? { labelSelector: options.query.labelSelector } : {}),
      ...(options.query?.fieldSelector ? { fieldSelector: options.query.fieldSelector } : {}),
    }, done);
  } finally {
    rest.close();
  }
}
