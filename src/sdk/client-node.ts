// The SDK for operators built on @kubernetes/client-node (1.x): every API client made here sends
// its requests through an HttpLibrary that consults the injector first, so a fault becomes a
// synthetic HTTP response and the library raises its usual ApiException (409, 429 with
// Retry-After …). The library is passed in (`import * as k8s from "@kubernetes/client-node"`):
// this module never imports it, so the SDK adds no dependency an operator does not already have.
import { chaosEvent, ChaosConfigFeed, type ChaosStatus, type ConfigMapLike } from "./configmap.js";
import { CHAOS_HEADER, chaosDelay, ChaosError, statusBody, type ChaosInjector } from "./injector.js";
import { classifyRequest } from "./request.js";
import { FailureKind } from "./spec.js";

interface RequestContextLike {
  getUrl(): string;
  getHttpMethod(): string;
  getHeaders(): Record<string, string>;
  getSignal(): AbortSignal | undefined;
}
interface ObservableLike<T> {
  toPromise(): Promise<T>;
}
interface HttpLibraryLike {
  send(request: RequestContextLike): ObservableLike<unknown>;
}
interface KubeConfigLike {
  getCurrentCluster(): { server: string } | null;
  makeApiClient<T>(apiClass: new (configuration: never) => T): T;
}
interface WatchLike {
  watch(path: string, query: Record<string, string | number | boolean | undefined>, callback: (phase: string, object: unknown) => void, done: (error: unknown) => void): Promise<{ abort(): void }>;
}
interface CoreApiLike {
  listNamespacedConfigMap(request: { namespace: string; fieldSelector?: string }): Promise<{ items: ConfigMapLike[]; metadata?: { resourceVersion?: string } }>;
  createNamespacedEvent(request: { namespace: string; body: never }): Promise<unknown>;
}

/** What this module uses of @kubernetes/client-node. */
export interface ClientNodeModule {
  createConfiguration(parameters: { baseServer: unknown; authMethods: { default: unknown }; httpApi: unknown }): unknown;
  ServerConfiguration: new (url: string, variables: Record<string, string>) => unknown;
  IsomorphicFetchHttpLibrary: new () => HttpLibraryLike;
  ResponseContext: new (status: number, headers: Record<string, string>, body: { text(): Promise<string>; binary(): Promise<Buffer> }) => unknown;
  wrapHttpLibrary(library: { send(request: RequestContextLike): Promise<unknown> }): unknown;
  Watch: new (config: never) => WatchLike;
  CoreV1Api: new (configuration: never) => unknown;
}

/** An HttpLibrary that fails or delays requests as the injector decides, and sends the rest with `inner`. */
export function chaosHttpLibrary(k8s: ClientNodeModule, injector: ChaosInjector, inner: HttpLibraryLike = new k8s.IsomorphicFetchHttpLibrary()): unknown {
  return k8s.wrapHttpLibrary({
    async send(request) {
      if (!injector.active) return inner.send(request).toPromise();
      const headers = request.getHeaders();
      const apiRequest = { method: String(request.getHttpMethod()), path: request.getUrl(), contentType: headers["Content-Type"] ?? headers["content-type"] };
      const decision = injector.decideRequest(apiRequest, { exempt: headers[CHAOS_HEADER] === "exempt" });
      await chaosDelay(decision.delayMs, request.getSignal());
      const failure = decision.failure;
      if (!failure) return inner.send(request).toPromise();
      // The library reports transport errors as they come; a ChaosError says what happened.
      if (failure.kind !== FailureKind.Status) throw new ChaosError(decision.operation, failure);
      const text = JSON.stringify(statusBody(failure, classifyRequest(apiRequest)));
      return new k8s.ResponseContext(failure.code, {
        "content-type": "application/json", [CHAOS_HEADER]: "injected",
        ...(failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {}),
      }, { text: async () => text, binary: async () => Buffer.from(text) });
    },
  });
}

/** Like `kubeConfig.makeApiClient(ApiClass)`, with every request going through the injector. */
export function makeChaosApiClient<T>(k8s: ClientNodeModule, kubeConfig: KubeConfigLike, apiClass: new (configuration: never) => T, injector: ChaosInjector): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("No active cluster!");
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    httpApi: chaosHttpLibrary(k8s, injector),
  });
  return new apiClass(configuration as never);
}

export interface ConfigMapWatchOptions {
  namespace: string;
  /** Reported in the Event the SDK records on each change (default: operator-chaos-sdk). */
  component?: string;
  /** This process (pod name); default: the HOSTNAME variable. */
  instance?: string;
  /** Record an Event on each change (default true); needs `create` on events. */
  recordEvents?: boolean;
  onChange?: (status: ChaosStatus) => void;
  onError?: (error: unknown) => void;
}

/**
 * Keeps the injector in step with the ConfigMap: list, then watch from the list's version, again
 * after any end of the watch. Its requests use a client of their own, never faulted.
 */
export function watchChaosConfigMap(k8s: ClientNodeModule, kubeConfig: KubeConfigLike, injector: ChaosInjector, options: ConfigMapWatchOptions): { stop(): void } {
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api as new (configuration: never) => CoreApiLike);
  const watch = new k8s.Watch(kubeConfig as never);
  const feed = new ChaosConfigFeed(injector, options.namespace);
  const fieldSelector = `metadata.name=${injector.configMapName}`;
  const reporter = { component: options.component ?? "operator-chaos-sdk", instance: options.instance ?? process.env.HOSTNAME ?? "unknown" };
  let stopped = false;
  let current: { abort(): void } | undefined;
  let failures = 0;
  const announce = (status: ChaosStatus | undefined) => {
    if (!status) return;
    options.onChange?.(status);
    if (options.recordEvents !== false) {
      core.createNamespacedEvent({ namespace: status.configMap.namespace, body: chaosEvent(status, reporter) as never }).catch((error) => options.onError?.(error));
    }
  };
  const run = async () => {
    while (!stopped) {
      try {
        const list = await core.listNamespacedConfigMap({ namespace: options.namespace, fieldSelector });
        announce(feed.apply(list.items[0]));
        const ended = new Promise<void>((resolve) => {
          void watch.watch(`/api/v1/namespaces/${options.namespace}/configmaps`, {
            fieldSelector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true,
          }, (phase, object) => {
            if (phase === "ADDED" || phase === "MODIFIED") announce(feed.apply(object as ConfigMapLike));
            else if (phase === "DELETED") announce(feed.apply(undefined));
          }, (error) => {
            if (error) options.onError?.(error);
            resolve();
          }).then((controller) => (current = controller), (error: unknown) => {
            options.onError?.(error);
            resolve();
          });
        });
        const started = Date.now();
        await ended;
        // A watch that ends at once (expired version, refused) is retried with back-off, not in a loop.
        failures = Date.now() - started < 1_000 ? failures + 1 : 0;
        if (failures > 0) await chaosDelay(Math.min(2_000, 100 * 2 ** Math.min(failures, 5)));
      } catch (error) {
        options.onError?.(error);
        failures += 1;
        await chaosDelay(Math.min(2_000, 100 * 2 ** Math.min(failures, 5)));
      }
    }
  };
  void run();
  return {
    stop() {
      stopped = true;
      current?.abort();
    },
  };
}
