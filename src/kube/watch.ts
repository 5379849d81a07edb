import { KubeConfig, Watch } from "@kubernetes/client-node";
import fetch from "node-fetch";

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface WatchUntilOptions {
  /** The collection URL path, e.g. /api/v1/nodes or /apis/apps/v1/namespaces/ns/deployments. */
  path: string;
  query?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  what: string;
}

/**
 * Lists a collection, then watches it from the list's resourceVersion until `done` returns a
 * value for the current set of objects. A dropped watch resumes from the last version seen; a
 * 410 Gone (or any watch error) re-lists. Fails at the deadline, naming what it waited for.
 */
export async function watchUntil<T>(
  config: KubeConfig,
  options: WatchUntilOptions,
  done: (objects: ReadonlyMap<string, KubeObject>) => T | undefined,
): Promise<T> {
  const controller = new AbortController();
  const abortAll = () => controller.abort();
  options.signal?.addEventListener("abort", abortAll, { once: true });
  const timer = setTimeout(abortAll, options.timeoutMs);
  const objects = new Map<string, KubeObject>();
  const key = (o: KubeObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
  let lastError = "";
  try {
    for (;;) {
      if (controller.signal.aborted) break;
      let resourceVersion: string;
      try {
        resourceVersion = await listInto(config, options, objects, key, controller.signal);
      } catch (error) {
        lastError = (error as Error).message;
        await new Promise((r) => setTimeout(r, 200)); // the API server may be restarting: retry the list
        continue;
      }
      const ready = done(objects);
      if (ready !== undefined) return ready;
      const outcome = await new Promise<{ value?: T; error?: string }>((resolveWatch) => {
        let request: AbortController | undefined;
        const stop = () => request?.abort();
        controller.signal.addEventListener("abort", stop, { once: true });
        new Watch(config)
          .watch(
            options.path,
            { ...options.query, allowWatchBookmarks: true, resourceVersion },
            (phase, object: KubeObject) => {
              if (phase === "BOOKMARK") return;
              if (phase === "ERROR") {
                resolveWatch({ error: `watch error ${JSON.stringify(object)}` });
                stop();
                return;
              }
              if (phase === "DELETED") objects.delete(key(object));
              else objects.set(key(object), object);
              const value = done(objects);
              if (value !== undefined) {
                resolveWatch({ value });
                stop();
              }
            },
            (error: unknown) => {
              controller.signal.removeEventListener("abort", stop);
              resolveWatch({ error: error ? String((error as Error).message ?? error) : "watch closed" });
            },
          )
          .then((req) => {
            request = req;
            if (controller.signal.aborted) req.abort();
          }, (error: unknown) => resolveWatch({ error: String((error as Error).message ?? error) }));
      });
      if (outcome.value !== undefined) return outcome.value;
      lastError = outcome.error ?? lastError;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", abortAll);
  }
  options.signal?.throwIfAborted();
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${lastError ? ` (last: ${lastError})` : ""}`);
}

async function listInto(
  config: KubeConfig,
  options: WatchUntilOptions,
  objects: Map<string, KubeObject>,
  key: (o: KubeObject) => string,
  signal: AbortSignal,
): Promise<string> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error("no current cluster");
  const url = new URL(cluster.server + options.path);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
  const init = await config.applyToFetchOptions({});
  const response = await fetch(url.toString(), { ...init, signal: signal as never });
  if (!response.ok) throw new Error(`list ${options.path}: HTTP ${response.status} ${await response.text()}`);
  const list = (await response.json()) as { items: KubeObject[]; metadata: { resourceVersion: string } };
  objects.clear();
  for (const item of list.items) objects.set(key(item), item);
  return list.metadata.resourceVersion;
}
