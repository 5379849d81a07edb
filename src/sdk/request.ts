// Which operation, on which resource, an HTTP request to the Kubernetes API is — the same reading
// for every client the SDK wraps (fetch, @kubernetes/client-node, an operator's own REST client).
import { Operation } from "./spec.js";

export interface ApiRequest {
  readonly method: string;
  /** The URL path (a full URL is accepted too); a query string in it is read. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly contentType?: string;
}

export interface ClassifiedRequest {
  readonly operation: Operation;
  /** Plural resource (`deployments`); "" for non-resource paths such as /version. */
  readonly resource: string;
  readonly subresource?: string;
  /** API group; "" for the core group. */
  readonly group: string;
  readonly namespace?: string;
  /** The object's name, or the name a field selector pins a collection request to. */
  readonly name?: string;
}

/** Splits /api/v1/…, /apis/<group>/<version>/… (and the legacy /watch/ prefix) into its parts. */
export function classifyRequest(request: ApiRequest): ClassifiedRequest {
  // Most clients pass a plain path: split it by hand (URL parsing is most of the cost of a decision).
  let pathname = request.path;
  if (!pathname.startsWith("/")) {
    const url = new URL(pathname);
    pathname = url.pathname + url.search;
  }
  const mark = pathname.indexOf("?");
  const search = mark < 0 ? "" : pathname.slice(mark + 1);
  if (mark >= 0) pathname = pathname.slice(0, mark);
  const query = search ? { ...Object.fromEntries(new URLSearchParams(search)), ...request.query } : { ...request.query };
  let segments = pathname.split("/").filter(Boolean).map((segment) => (segment.includes("%") ? decodeURIComponent(segment) : segment));
  let group = "";
  if (segments[0] === "api") segments = segments.slice(2);
  else if (segments[0] === "apis") {
    group = segments[1] ?? "";
    segments = segments.slice(3);
  } else {
    return { operation: operationFor(request.method, true, false, request.contentType), resource: "", group: "" };
  }
  let legacyWatch = false;
  if (segments[0] === "watch") {
    legacyWatch = true;
    segments = segments.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/<ns>/<resource>… ; /namespaces and /namespaces/<name>[/status] are the Namespace resource itself.
  if (segments[0] === "namespaces" && segments.length >= 3) {
    namespace = segments[1];
    segments = segments.slice(2);
  }
  const [resource = "", name, subresource] = segments;
  const pinned = name ?? fieldSelectorName(query.fieldSelector);
  const watch = legacyWatch || query.watch === "true" || query.watch === "1";
  return {
    operation: operationFor(request.method, name !== undefined, watch, request.contentType),
    resource, group,
    ...(subresource !== undefined ? { subresource } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(pinned !== undefined ? { name: pinned } : {}),
  };
}

function operationFor(method: string, named: boolean, watch: boolean, contentType: string | undefined): Operation {
  switch (method.toUpperCase()) {
    case "GET":
      if (watch) return Operation.Watch;
      return named ? Operation.Get : Operation.List;
    case "POST":
      return Operation.Create;
    case "PUT":
      return Operation.Update;
    case "PATCH":
      return contentType?.startsWith("application/apply-patch") ? Operation.Apply : Operation.Patch;
    case "DELETE":
      return named ? Operation.Delete : Operation.DeleteAllOf;
    default:
      // As the Go transport: anything else counts as a read.
      return Operation.Get;
  }
}

/** `metadata.name=x` (alone or among other terms) in a field selector. */
function fieldSelectorName(selector: string | undefined): string | undefined {
  for (const term of selector?.split(",") ?? []) {
    const match = /^metadata\.name==?(.+)$/.exec(term.trim());
    if (match) return match[1];
  }
  return undefined;
}

/**
 * Whether a fault's `resources` list covers the request: `deployments` (any subresource),
 * `deployments/status` (that subresource only), `deployments.apps` (that group only).
 */
export function resourceMatches(resources: readonly string[] | undefined, request: ClassifiedRequest): boolean {
  if (resources === undefined) return true;
  return resources.some((entry) => {
    const [qualified = "", sub] = entry.split("/", 2);
    const dot = qualified.indexOf(".");
    const resource = dot < 0 ? qualified : qualified.slice(0, dot);
    const group = dot < 0 ? undefined : qualified.slice(dot + 1);
    if (resource !== request.resource) return false;
    if (group !== undefined && group !== request.group) return false;
    return sub === undefined || sub === request.subresource;
  });
}
