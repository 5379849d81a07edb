import type { KubeRest } from "./rest.js";

export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  /** Plural resource name used in URLs (deployments, configmaps, …). */
  resource: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

/** Maps apiVersion+kind to URL paths through the API server's discovery, cached per client. */
export class Discovery {
  private readonly cache = new Map<string, Promise<ApiResourceList>>();

  constructor(private readonly rest: KubeRest) {}

  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const groupPath = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list = this.cache.get(groupPath);
    if (!list) {
      list = this.rest.get<ApiResourceList>(groupPath);
      this.cache.set(groupPath, list);
      list.catch(() => this.cache.delete(groupPath));
    }
    const found = (await list).resources.find((r) => r.kind === kind && !r.name.includes("/"));
    if (!found) throw new Error(`the API server has no kind ${kind} in ${apiVersion}`);
    return { apiVersion, kind, resource: found.name, namespaced: found.namespaced };
  }

  /** Collection path (namespace omitted: all namespaces / cluster-scoped). */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const info = await this.resolve(apiVersion, kind);
    return collectionPath(info, namespace);
  }

  async objectPath(apiVersion: string, kind: string, name: string, namespace?: string): Promise<string> {
    return `${await this.collectionPath(apiVersion, kind, namespace)}/${encodeURIComponent(name)}`;
  }
}

export function collectionPath(info: ResourceInfo, namespace?: string): string {
  const base = info.apiVersion.includes("/") ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  return info.namespaced && namespace ? `${base}/namespaces/${namespace}/${info.resource}` : `${base}/${info.resource}`;
}
