// A fault-injecting `fetch`: for operators and frameworks whose Kubernetes client calls fetch
// (kubernetes-fluent-client, hand-written clients). A status failure becomes a real Response with
// a Kubernetes Status body (and Retry-After), so the client's own error handling runs as it would
// against an API server; a timeout or reset rejects the way fetch does.
import { CHAOS_HEADER, chaosDelay, statusBody, type ChaosInjector } from "./injector.js";
import { classifyRequest } from "./request.js";
import { FailureKind } from "./spec.js";

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Requests carrying `x-operator-chaos: exempt` (the SDK's own) are never faulted (API servers ignore the header). */
export function chaosFetch(inner: Fetch, injector: ChaosInjector): Fetch {
  return async (input, init) => {
    if (!injector.active) return inner(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const exempt = headers.get(CHAOS_HEADER) === "exempt";
    const request = { method, path: url, contentType: headers.get("content-type") ?? undefined };
    const decision = injector.decideRequest(request, { exempt });
    const signal = init?.signal ?? undefined;
    await chaosDelay(decision.delayMs, signal);
    const failure = decision.failure;
    if (!failure) return inner(input, init);
    if (failure.kind === FailureKind.Timeout) throw Object.assign(new Error(failure.message), { name: "TimeoutError", code: "ETIMEDOUT" });
    if (failure.kind === FailureKind.ConnectionReset) throw Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(failure.message), { code: "ECONNRESET" }) });
    return new Response(JSON.stringify(statusBody(failure, classifyRequest(request))), {
      status: failure.code,
      statusText: `${failure.code} Chaos Injected`,
      headers: {
        "content-type": "application/json", [CHAOS_HEADER]: "injected",
        ...(failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {}),
      },
    });
  };
}
