// A small Kubernetes REST client for the operator: the kubeconfig the lab's process runner hands
// the pod (ServiceAccount token file, the lab CA, tls-server-name) or an admin one (client
// certificate) for running it by hand. Every request has a deadline, because a NetworkPolicy that
// drops packets leaves a connection hanging, not failing; every outcome goes to ApiHealth.
import { readFileSync } from "node:fs";
import { Agent, request, type RequestOptions as HttpsOptions } from "node:https";
import { parse } from "yaml";
import { chaosDelay, FailureKind as InjectedKind, type ChaosInjector, type InjectedFailure } from "../../../src/sdk/index.js";
import type { ApiHealth } from "./api-health.js";

/** The API server answered with an error status. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string, readonly operation: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/** No answer: refused, reset, unreachable, or no response within the deadline. */
export class ConnectionError extends Error {
  constructor(message: string, readonly operation: string, readonly timedOut: boolean) {
    super(message);
  }
}

export type FailureKind = "forbidden" | "unauthorized" | "timeout" | "connection" | "server";

/**
 * How a failed request failed, from the point of view of "can the operator use the API": 404, 409,
 * 410 and 422 are ordinary answers (the server was reached and allowed the request), so undefined.
 */
export function failureKind(error: unknown): FailureKind | undefined {
  if (error instanceof ConnectionError) return error.timedOut ? "timeout" : "connection";
  if (error instanceof ApiError) {
    if (error.status === 403) return "forbidden";
    if (error.status === 401) return "unauthorized";
    if (error.status === 429 || error.status >= 500) return "server";
    return undefined;
  }
  return "connection";
}

export const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;
export const isConflict = (error: unknown) => error instanceof ApiError && error.status === 409;
export const isAlreadyExists = (error: unknown) => error instanceof ApiError && error.status === 409 && error.reason === "AlreadyExists";
/** Transient answers a controller should retry: a write conflict (stale cache) or throttling. */
export const isConflictOrThrottled = (error: unknown) => error instanceof ApiError && ((error.status === 409 && error.reason !== "AlreadyExists") || error.status === 429);

/** What the operator sees for a fault the SDK injected: the same errors a real API server or network gives. */
export function errorForInjected(failure: InjectedFailure, operation: string): ApiError | ConnectionError {
  if (failure.kind === InjectedKind.Status) {
    return new ApiError(failure.code, failure.reason, `${operation}: HTTP ${failure.code} ${failure.message}`, operation, failure.retryAfterSeconds);
  }
  return new ConnectionError(`${operation}: ${failure.message}`, operation, failure.kind === InjectedKind.Timeout);
}

interface Endpoint {
  server: URL;
  tls: Pick<HttpsOptions, "ca" | "cert" | "key" | "servername" | "rejectUnauthorized">;
  token: () => string | undefined;
}

type Named<T> = { name: string } & T;
interface KubeconfigFile {
  "current-context"?: string;
  contexts?: Named<{ context: { cluster: string; user: string } }>[];
  clusters?: Named<{ cluster: Record<string, string | boolean | undefined> }>[];
  users?: Named<{ user: Record<string, string | undefined> }>[];
}

/** The parts of a kubeconfig this client uses (server, CA, TLS name, token or token file, client certificate). */
export function loadEndpoint(file: string): Endpoint {
  const config = parse(readFileSync(file, "utf8")) as KubeconfigFile;
  const contextName = config["current-context"];
  const context = config.contexts?.find((c) => c.name === contextName)?.context ?? config.contexts?.[0]?.context;
  if (!context) throw new Error(`${file}: no context`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (!cluster || typeof cluster.server !== "string") throw new Error(`${file}: no cluster server for context ${contextName}`);
  const bytes = (data: unknown, path: unknown) =>
    typeof data === "string" ? Buffer.from(data, "base64") : typeof path === "string" ? readFileSync(path) : undefined;
  const tokenFile = user.tokenFile ?? user["token-file"];
  let cached: { token: string; readAt: number } | undefined;
  return {
    server: new URL(cluster.server),
    tls: {
      ca: bytes(cluster["certificate-authority-data"], cluster["certificate-authority"]),
      cert: bytes(user["client-certificate-data"], user["client-certificate"]),
      key: bytes(user["client-key-data"], user["client-key"]),
      ...(typeof cluster["tls-server-name"] === "string" ? { servername: cluster["tls-server-name"] } : {}),
      rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
    },
    // The runner renews the token file; re-read it now and then, as client-go does every minute.
    token: () => {
      if (!tokenFile) return user.token;
      if (!cached || Date.now() - cached.readAt > 30_000) cached = { token: readFileSync(tokenFile, "utf8").trim(), readAt: Date.now() };
      return cached.token;
    },
  };
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string>;
  contentType?: string;
  timeoutMs?: number;
  /** The SDK's own requests (its Events): never faulted. */
  chaosExempt?: boolean;
}

export type WatchEnd =
  | { kind: "ended" }
  | { kind: "gone" }
  | { kind: "failed"; error: ApiError | ConnectionError }
  | { kind: "abandoned"; reason: string };

export interface WatchHandle {
  readonly ended: Promise<WatchEnd>;
  /** The server accepted the watch (200) and is streaming events. */
  readonly established: boolean;
  /** Drops the connection (e.g. it went silent because the API server is unreachable). */
  abandon(reason: string): void;
}

export class KubeClient {
  private readonly agent = new Agent({ keepAlive: true });

  /** `chaos`: the operator-chaos SDK's injector; every request consults it first (no cost while no fault is active). */
  constructor(private readonly endpoint: Endpoint, private readonly timeoutMs: number, private readonly health: ApiHealth, private readonly chaos?: ChaosInjector) {}

  private options(method: string, path: string, query: Record<string, string> | undefined, headers: Record<string, string>): HttpsOptions {
    const url = new URL(path, this.endpoint.server);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    const token = this.endpoint.token();
    return {
      method,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      agent: this.agent,
      ...this.endpoint.tls,
      headers: { Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    };
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const operation = `${method} ${path}`;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = payload === undefined ? {} : {
      "Content-Type": options.contentType ?? "application/json", "Content-Length": String(Buffer.byteLength(payload)),
    };
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    try {
      if (this.chaos?.active) {
        const decision = this.chaos.decideRequest({ method, path, ...(options.query ? { query: options.query } : {}), ...(options.contentType ? { contentType: options.contentType } : {}) }, { exempt: options.chaosExempt === true });
        await chaosDelay(Math.min(decision.delayMs, timeoutMs));
        if (decision.failure) throw errorForInjected(decision.failure, operation);
        // A delay beyond the deadline is a timeout, as it would be for a slow API server.
        if (decision.delayMs > timeoutMs) throw new ConnectionError(`${operation}: no answer within ${timeoutMs} ms`, operation, true);
      }
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(this.options(method, path, options.query, headers), (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", (error) => reject(new ConnectionError(`${operation}: ${error.message}`, operation, false)));
        });
        const timer = setTimeout(() => req.destroy(new ConnectionError(`${operation}: no answer within ${timeoutMs} ms`, operation, true)), timeoutMs);
        req.on("close", () => clearTimeout(timer));
        req.on("error", (error) => reject(error instanceof ConnectionError ? error : new ConnectionError(`${operation}: ${error.message}`, operation, false)));
        req.end(payload);
      });
      const body = parseJson(text);
      if (status >= 400) throw apiError(status, body, text, operation);
      this.health.succeeded(operation);
      return body as T;
    } catch (error) {
      this.health.failed(operation, error);
      throw error;
    }
  }

  /**
   * One watch request from `resourceVersion`; `onEvent` gets each event line. Resolves when the
   * server ends it, when it fails, or when it is abandoned. The deadline covers the response
   * headers only: an established watch may be quiet for minutes.
   */
  watch(path: string, query: Record<string, string>, onEvent: (event: { type: string; object: Record<string, unknown> }) => void): WatchHandle {
    const operation = `WATCH ${path}`;
    // An injected failure ends the watch attempt as a refused or cut one would (delays apply to requests only).
    const failure = this.chaos?.active ? this.chaos.decideRequest({ method: "GET", path, query: { ...query, watch: "true" } }).failure : undefined;
    if (failure) {
      const error = errorForInjected(failure, operation);
      this.health.failed(operation, error);
      return { ended: Promise.resolve({ kind: "failed", error }), abandon: () => {}, established: false };
    }
    let abandon: (reason: string) => void = () => {};
    let established = false;
    const ended = new Promise<WatchEnd>((resolve) => {
      let settled = false;
      const settle = (end: WatchEnd) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (end.kind === "failed") this.health.failed(operation, end.error);
        resolve(end);
      };
      const req = request(this.options("GET", path, { ...query, watch: "true" }, {}), (res) => {
        clearTimeout(timer);
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode === 410) settle({ kind: "gone" });
            else settle({ kind: "failed", error: apiError(res.statusCode ?? 0, parseJson(text), text, operation) });
          });
          return;
        }
        established = true;
        this.health.succeeded(operation);
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            if (!line) continue;
            const event = parseJson(line) as { type?: string; object?: Record<string, unknown> & { code?: number } } | undefined;
            if (!event?.type || !event.object) continue;
            if (event.type === "ERROR") {
              settle(event.object.code === 410 ? { kind: "gone" } : { kind: "failed", error: apiError(event.object.code ?? 500, event.object, line, operation) });
              req.destroy();
              return;
            }
            onEvent({ type: event.type, object: event.object });
          }
        });
        res.on("end", () => settle({ kind: "ended" }));
        res.on("error", (error) => settle({ kind: "failed", error: new ConnectionError(`${operation}: ${error.message}`, operation, false) }));
      });
      const timer = setTimeout(() => {
        settle({ kind: "failed", error: new ConnectionError(`${operation}: no answer within ${this.timeoutMs} ms`, operation, true) });
        req.destroy();
      }, this.timeoutMs);
      req.on("error", (error) => settle({ kind: "failed", error: new ConnectionError(`${operation}: ${error.message}`, operation, false) }));
      req.on("close", () => settle({ kind: "ended" }));
      req.end();
      abandon = (reason) => {
        settle({ kind: "abandoned", reason });
        req.destroy();
      };
    });
    return { ended, abandon: (reason) => abandon(reason), get established() { return established; } };
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function apiError(status: number, body: unknown, text: string, operation: string): ApiError {
  const statusBody = body as { reason?: string; message?: string } | undefined;
  const retryAfter = (body as { details?: { retryAfterSeconds?: number } } | undefined)?.details?.retryAfterSeconds;
  return new ApiError(status, statusBody?.reason ?? `HTTP${status}`, `${operation}: HTTP ${status} ${statusBody?.message ?? text.slice(0, 200)}`, operation, retryAfter);
}
