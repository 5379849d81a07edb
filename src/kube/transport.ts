// The connection layer under KubeRest and ResourceWatcher: one keep-alive agent per client, host
// names as sockets want them (IPv6 literals without brackets), and the retry policy for transient
// answers. Pure helpers where possible so they are unit-tested without a server.

import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/**
 * Process-wide request settings, set once by the CLI from kubectl's flags before a command runs:
 * `--request-timeout` (the default per-request timeout) and `-v 6+` (a log line per request).
 */
export const requestSettings: { timeoutMs: number; log?: ((line: string) => void) | undefined } = { timeoutMs: 30_000 };

/**
 * `new URL("https://[::1]:6443").hostname` is "[::1]"; sockets need "::1" (passing the bracketed
 * form makes Node look it up as a DNS name and fail).
 */
export function socketHost(url: URL): string {
  const host = url.hostname;
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** One pool of kept-alive connections per client (the library's helper makes a new agent per request). */
export function keepAliveAgent(url: URL): HttpAgent | HttpsAgent {
  const options = { keepAlive: true, keepAliveMsecs: 15_000, maxFreeSockets: 8 };
  return url.protocol === "http:" ? new HttpAgent(options) : new HttpsAgent(options);
}

interface KubeConfigInternals {
  applyOptions?(options: RequestOptions): Promise<void>;
}

/**
 * TLS material and credentials of the kubeconfig's current context on `options`, without the
 * per-request agent the library would create (a proxy-url still gets the library's agent, which
 * knows how to tunnel).
 */
export async function applyCredentials(config: KubeConfig, options: RequestOptions, viaProxy: boolean): Promise<void> {
  const internals = config as unknown as KubeConfigInternals;
  if (viaProxy || typeof internals.applyOptions !== "function") {
    await config.applyToHTTPSOptions(options as never);
    if (!viaProxy) delete options.agent;
    return;
  }
  await internals.applyOptions.call(config, options);
  const user = config.getCurrentUser();
  if (user?.username) {
    options.headers = { ...(options.headers as Record<string, string>), Authorization: `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}` };
  }
}

/** Methods a server may receive twice with the same effect as once (RFC 9110 safe methods: reads). */
const RETRYABLE_ON_SERVER_ERROR = new Set(["GET", "HEAD", "OPTIONS"]);
/** Answers that say "try again later" without having changed anything. */
const SERVER_BUSY = new Set([500, 502, 503, 504]);
/** Connection errors after which the request cannot have reached the server. */
const NOT_SENT = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error is returned instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 2_000, maxRetryAfterMs: 10_000 };
export const NO_RETRY: RetryPolicy = { ...DEFAULT_RETRY, attempts: 1 };

export type AttemptOutcome =
  | { kind: "status"; status: number; retryAfter?: string | undefined }
  | { kind: "error"; code?: string | undefined };

/**
 * How long to wait before attempt `attempt + 1`, or undefined when the outcome is final: 429 for any
 * method (the server refused it before doing anything; Retry-After honoured), 5xx and connection
 * resets for reads only, connection refused for any method (nothing was sent).
 */
export function retryDelayMs(method: string, outcome: AttemptOutcome, attempt: number, policy: RetryPolicy = DEFAULT_RETRY, now = Date.now()): number | undefined {
  if (attempt >= policy.attempts) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const read = RETRYABLE_ON_SERVER_ERROR.has(method.toUpperCase());
  if (outcome.kind === "status") {
    if (outcome.status === 429) {
      const asked = parseRetryAfter(outcome.retryAfter, now);
      if (asked === undefined) return backoff;
      return asked <= policy.maxRetryAfterMs ? asked : undefined;
    }
    return SERVER_BUSY.has(outcome.status) && read ? backoff : undefined;
  }
  if (outcome.code && NOT_SENT.has(outcome.code)) return backoff;
  return read && (outcome.code === "ECONNRESET" || outcome.code === "EPIPE" || outcome.code === "ETIMEDOUT") ? backoff : undefined;
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A pause that ends early (rejecting) when the signal aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePause, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolvePause();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
