// An in-memory stand-in for the API server, just big enough for the distribution reconciler under
// the fuzz harness: create / replace (with resourceVersion preconditions: a stale write is a 409)
// / delete of namespaced objects, status as a subresource, and informer caches that are always in
// step (the operator's label-selected views). It records every deletion the operator makes, with
// what the object looked like, so "never deletes what it does not own" can be checked.
import { classifyRequest } from "../../../src/sdk/request.js";
import { ApiError } from "../operator/kube.js";
import type { KubeObject } from "../operator/informer.js";
import { NAMES } from "../operator/settings.js";

export interface Deletion {
  readonly key: string;
  readonly object: KubeObject;
  readonly by: "operator" | "someone else";
}

const cacheKey = (object: KubeObject) => `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
const isManaged = (object: KubeObject) => object.metadata?.labels?.[NAMES.managedByLabel] === NAMES.managedByValue;

export class MemoryCluster {
  private readonly objects = new Map<string, KubeObject>();
  private version = 0;
  private uids = 0;
  readonly deletions: Deletion[] = [];
  /** The operator's informer caches, refreshed after every change (an informer that is never behind). */
  readonly caches = {
    configs: { cache: new Map<string, KubeObject>() },
    distributions: { cache: new Map<string, KubeObject>() },
    deployments: { cache: new Map<string, KubeObject>() },
    services: { cache: new Map<string, KubeObject>() },
  };

  /** Bumped by every change: the world's version. */
  get resourceVersion(): number {
    return this.version;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(`${resource}/${namespace}/${name}`);
  }

  /** Someone else's write (a user, another controller): no precondition, no failure. */
  put(resource: string, object: KubeObject): void {
    const key = `${resource}/${object.metadata!.namespace}/${object.metadata!.name}`;
    const existing = this.objects.get(key);
    this.store(key, { ...object, metadata: { ...object.metadata, uid: existing?.metadata?.uid ?? this.uid() } });
  }

  remove(resource: string, namespace: string, name: string): void {
    const key = `${resource}/${namespace}/${name}`;
    const object = this.objects.get(key);
    if (!object) return;
    this.objects.delete(key);
    this.deletions.push({ key, object, by: "someone else" });
    this.refresh();
  }

  /** The operator's requests (its client, after the SDK's injector let them through). */
  async request<T>(method: string, path: string, options: { body?: unknown } = {}): Promise<T> {
    const request = classifyRequest({ method, path });
    const operation = `${method} ${path}`;
    const namespace = request.namespace ?? "";
    const key = (name: string) => `${request.resource}/${namespace}/${name}`;
    const body = structuredClone(options.body) as KubeObject | undefined;
    switch (method) {
      case "POST": {
        const name = body?.metadata?.name ?? "";
        if (this.objects.has(key(name))) throw new ApiError(409, "AlreadyExists", `${operation}: HTTP 409 ${request.resource} "${name}" already exists`, operation);
        return this.store(key(name), { ...body, metadata: { ...body?.metadata, namespace, uid: this.uid() } }) as T;
      }
      case "PUT": {
        const current = this.objects.get(key(request.name ?? ""));
        if (!current) throw new ApiError(404, "NotFound", `${operation}: HTTP 404 not found`, operation);
        const precondition = body?.metadata?.resourceVersion;
        if (precondition !== undefined && precondition !== current.metadata?.resourceVersion) {
          throw new ApiError(409, "Conflict", `${operation}: HTTP 409 the object has been modified; please apply your changes to the latest version and try again`, operation);
        }
        // Status is a subresource: the main resource keeps the status, /status keeps everything else.
        const next = request.subresource === "status"
          ? { ...current, status: body?.status }
          : { ...body, metadata: { ...body?.metadata, uid: current.metadata?.uid }, ...(current.status !== undefined ? { status: current.status } : {}) };
        return this.store(key(request.name ?? ""), next) as T;
      }
      case "DELETE": {
        const current = this.objects.get(key(request.name ?? ""));
        if (!current) throw new ApiError(404, "NotFound", `${operation}: HTTP 404 not found`, operation);
        this.objects.delete(key(request.name ?? ""));
        this.deletions.push({ key: key(request.name ?? ""), object: current, by: "operator" });
        this.refresh();
        return {} as T;
      }
      case "GET": {
        if (request.name) {
          const current = this.objects.get(key(request.name));
          if (!current) throw new ApiError(404, "NotFound", `${operation}: HTTP 404 not found`, operation);
          return structuredClone(current) as T;
        }
        return { items: [...this.objects.entries()].filter(([k]) => k.startsWith(`${request.resource}/`)).map(([, o]) => structuredClone(o)), metadata: { resourceVersion: String(this.version) } } as T;
      }
      default:
        throw new ApiError(405, "MethodNotAllowed", `${operation}: HTTP 405`, operation);
    }
  }

  private uid(): string {
    this.uids += 1;
    return `uid-${this.uids}`;
  }

  private store(key: string, object: KubeObject): KubeObject {
    this.version += 1;
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.version) } };
    this.objects.set(key, stored);
    this.refresh();
    return structuredClone(stored);
  }

  private refresh(): void {
    const views: [keyof MemoryCluster["caches"], string, (object: KubeObject) => boolean][] = [
      ["configs", "configmaps", (object) => object.metadata?.name === NAMES.servingConfig],
      ["distributions", NAMES.plural, () => true],
      ["deployments", "deployments", isManaged],
      ["services", "services", isManaged],
    ];
    for (const [view, resource, selected] of views) {
      const cache = this.caches[view].cache;
      cache.clear();
      for (const [key, object] of this.objects) {
        if (key.startsWith(`${resource}/`) && selected(object)) cache.set(cacheKey(object), structuredClone(object));
      }
    }
  }
}
