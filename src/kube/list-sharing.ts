// One list per collection for a sweep that asks the same collection many times with different
// label selectors (each fault's leftovers of the Go tool: ConfigMaps by one label, Deployments by
// another, ...): the collection is listed once, whole, and each ask is answered by filtering that
// list with the ask's selector. Only namespaced collections are shared (a namespace's objects are
// few; a whole cluster's Secrets are not held in memory).
import { parseLabelSelector, type SelectorRequirement } from "../faults/label-selector.js";
import { KubeRest, type KubeResponse, type RequestParams } from "./rest.js";

interface ListBody {
  items?: { metadata?: { labels?: Record<string, string> } }[];
  [key: string]: unknown;
}

/** Whether labels satisfy every requirement, the way the API server reads a selector. */
export function selects(requirements: readonly SelectorRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every(({ key, operator, values }) => {
    const value = Object.hasOwn(labels, key) ? labels[key] : undefined;
    switch (operator) {
      case "=": case "==": return value === values[0];
      case "!=": return value !== values[0];
      case "in": return value !== undefined && values.includes(value);
      case "notin": return value === undefined || !values.includes(value);
      case "exists": return value !== undefined;
      case "!": return value === undefined;
      case ">": return value !== undefined && Number(value) > Number(values[0]);
      case "<": return value !== undefined && Number(value) < Number(values[0]);
    }
  });
}

/** A namespaced collection path: /api/v1/namespaces/<ns>/<resource> or /apis/<g>/<v>/namespaces/<ns>/<resource>. */
const NAMESPACED_COLLECTION = /^\/(api\/v1|apis\/[^/]+\/[^/]+)\/namespaces\/[^/]+\/[^/]+$/;

export class ListSharingRest extends KubeRest {
  private readonly lists = new Map<string, Promise<KubeResponse<ListBody>>>();

  constructor(private readonly inner: KubeRest) {
    super(inner.config);
    // Every request and watch goes through `inner`: its connections, and its counts (a watcher adds
    // to the count of the client it is given).
    for (const counter of ["requestCount", "retryCount"] as const) {
      Object.defineProperty(this, counter, { get: () => inner[counter], set: (value: number) => { inner[counter] = value; } });
    }
  }

  override requestOptions(...args: Parameters<KubeRest["requestOptions"]>): ReturnType<KubeRest["requestOptions"]> {
    return this.inner.requestOptions(...args);
  }

  override request<T = unknown>(method: string, path: string, params: RequestParams = {}): Promise<KubeResponse<T>> {
    const query = Object.entries(params.query ?? {}).filter(([, value]) => value !== undefined);
    const onlySelector = query.every(([key]) => key === "labelSelector");
    if (method !== "GET") {
      // A write may change what a shared list holds: the next ask of that collection lists again.
      for (const key of this.lists.keys()) if (path === key || path.startsWith(`${key}/`)) this.lists.delete(key);
      return this.inner.request<T>(method, path, params);
    }
    if (!NAMESPACED_COLLECTION.test(path) || !onlySelector || params.body !== undefined) return this.inner.request<T>(method, path, params);
    const selector = String(params.query?.labelSelector ?? "");
    const parsed = parseLabelSelector(selector);
    if (!parsed.ok) return this.inner.request<T>(method, path, params);
    let whole = this.lists.get(path);
    if (!whole) {
      whole = this.inner.request<ListBody>("GET", path, { ...params, query: {} });
      this.lists.set(path, whole);
      whole.catch(() => this.lists.delete(path)); // a failed list is asked again by the next caller
    }
    return whole.then((response) => ({
      status: response.status,
      body: { ...response.body, items: (response.body.items ?? []).filter((item) => selects(parsed.requirements, item.metadata?.labels ?? {})) } as T,
    }));
  }
}
