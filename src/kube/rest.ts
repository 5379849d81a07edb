import { request as httpsRequest, type RequestOptions } from "node:https";
import { request as httpRequest, type Agent } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError } from "./errors.js";
import { applyCredentials, DEFAULT_RETRY, keepAliveAgent, NO_RETRY, pause, requestSettings, retryDelayMs, socketHost, type AttemptOutcome, type RetryPolicy } from "./transport.js";

export { KubeApiError, isConflict, isForbidden, isNotFound } from "./errors.js";

export interface KubeResponse<T> {
  status: number;
  body: T;
}

export interface RequestParams {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
  /** Retries of transient answers (see retryDelayMs); false sends once. Default: DEFAULT_RETRY. */
  retry?: RetryPolicy | false;
}

/**
 * A small REST client over the kubeconfig's TLS settings and credentials. We talk to the API
 * directly (rather than through generated clients) to control watches, count requests, and keep
 * status codes and reasons intact for clear messages.
 */
export class KubeRest {
  /** Requests sent, for the "API requests per experiment" figure. */
  requestCount = 0;
  /** Requests sent again after a transient answer (429, 5xx, connection refused). */
  retryCount = 0;
  private readonly server: URL;
  private readonly viaProxy: boolean;
  /** Kept-alive connections, shared by every request and watch of this client. */
  readonly agent: Agent;

  constructor(readonly config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig names no current cluster");
    this.server = new URL(cluster.server);
    this.viaProxy = Boolean(cluster.proxyUrl);
    this.agent = keepAliveAgent(this.server);
  }

  /** Closes idle kept-alive connections (open watches end through their own signals). */
  close(): void {
    this.agent.destroy();
  }

  url(path: string, query: RequestParams["query"] = {}): URL {
    const url = new URL(this.server.toString().replace(/\/$/, "") + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  /** TLS and auth options for a raw request (also used by the watcher). */
  async requestOptions(method: string, url: URL, headers: Record<string, string> = {}): Promise<RequestOptions> {
    const options: RequestOptions = { method, headers: { Accept: "application/json", ...headers } };
    await applyCredentials(this.config, options, this.viaProxy);
    if (!this.viaProxy) options.agent = this.agent;
    options.headers = { ...(options.headers as Record<string, string>), ...headers };
    options.hostname = socketHost(url);
    options.port = url.port;
    options.path = url.pathname + url.search;
    return options;
  }

  async request<T = unknown>(method: string, path: string, params: RequestParams = {}): Promise<KubeResponse<T>> {
    const policy = params.retry === false ? NO_RETRY : params.retry ?? DEFAULT_RETRY;
    for (let attempt = 1; ; attempt++) {
      let outcome: AttemptOutcome;
      try {
        const answer = await this.send<T>(method, path, params);
        if (answer.status !== 429 && answer.status < 500) return answer.response();
        outcome = { kind: "status", status: answer.status, retryAfter: answer.retryAfter };
        const delay = retryDelayMs(method, outcome, attempt, policy);
        if (delay === undefined) return answer.response();
        await pause(delay, params.signal);
      } catch (error) {
        if (params.signal?.aborted || error instanceof KubeApiError) throw error;
        outcome = { kind: "error", code: (error as NodeJS.ErrnoException).code };
        const delay = retryDelayMs(method, outcome, attempt, policy);
        if (delay === undefined) throw error;
        await pause(delay, params.signal);
      }
      this.retryCount += 1;
    }
  }

  /** One attempt; `response()` gives the parsed body or throws the API error for its status. */
  private async send<T>(method: string, path: string, params: RequestParams): Promise<{ status: number; retryAfter?: string | undefined; response(): KubeResponse<T> }> {
    const url = this.url(path, params.query);
    const payload = params.body === undefined ? undefined : JSON.stringify(params.body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers["Content-Type"] = params.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const options = await this.requestOptions(method, url, headers);
    this.requestCount += 1;
    const send = url.protocol === "http:" ? httpRequest : httpsRequest;
    const timeoutMs = params.timeoutMs ?? requestSettings.timeoutMs;
    const sentAt = Date.now();
    const { status, text, retryAfter } = await new Promise<{ status: number; text: string; retryAfter?: string | undefined }>((resolveResponse, reject) => {
      const req = send({ ...options, timeout: timeoutMs, ...(params.signal ? { signal: params.signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolveResponse({
          status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"),
          retryAfter: typeof res.headers["retry-after"] === "string" ? res.headers["retry-after"] : undefined,
        }));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
    requestSettings.log?.(`${method} ${url.toString()} ${status} in ${Date.now() - sentAt} milliseconds`);
    return { status, retryAfter, response: () => this.parse<T>(method, path, status, text) };
  }

  private parse<T>(method: string, path: string, status: number, text: string): KubeResponse<T> {
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (e.g. a proxy's error page): keep the text for the message.
    }
    if (status >= 400) {
      const statusBody = body as { reason?: string; message?: string } | undefined;
      throw new KubeApiError(status, statusBody?.reason ?? `HTTP${status}`,
        `${method} ${path}: ${statusBody?.message ?? text.slice(0, 300)} (HTTP ${status})`, method, path);
    }
    return { status, body: body as T };
  }

  get<T = unknown>(path: string, params?: RequestParams) { return this.request<T>("GET", path, params).then((r) => r.body); }
  create<T = unknown>(path: string, body: unknown, params: RequestParams = {}) { return this.request<T>("POST", path, { ...params, body }).then((r) => r.body); }
  replace<T = unknown>(path: string, body: unknown, params: RequestParams = {}) { return this.request<T>("PUT", path, { ...params, body }).then((r) => r.body); }
  mergePatch<T = unknown>(path: string, body: unknown, params: RequestParams = {}) {
    return this.request<T>("PATCH", path, { ...params, body, contentType: "application/merge-patch+json" }).then((r) => r.body);
  }
  jsonPatch<T = unknown>(path: string, ops: unknown[], params: RequestParams = {}) {
    return this.request<T>("PATCH", path, { ...params, body: ops, contentType: "application/json-patch+json" }).then((r) => r.body);
  }
  delete<T = unknown>(path: string, body?: unknown, params: RequestParams = {}) {
    return this.request<T>("DELETE", path, { ...params, ...(body !== undefined ? { body } : {}) }).then((r) => r.body);
  }
}

