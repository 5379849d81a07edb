import type { KubeConfig } from "@kubernetes/client-node";
import fetch from "node-fetch";

export class KubeApiError extends Error {
  constructor(message: string, readonly status: number, readonly body: string) {
    super(message);
  }
}

export type PatchType = "merge" | "strategic";

/**
 * Plain REST calls with the runner's admin identity: status subresources, strategic merge
 * patches and preconditioned deletes are simpler to express here than through the generated client.
 */
export class KubeApi {
  constructor(readonly config: KubeConfig) {}

  async request<T = unknown>(
    method: string,
    path: string,
    options: { body?: unknown; patch?: PatchType; query?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const url = new URL(cluster.server + path);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const init = (await this.config.applyToFetchOptions({})) as Record<string, unknown> & { headers?: Record<string, string> };
    const headers: Record<string, string> = { ...(init.headers ?? {}), Accept: "application/json" };
    if (options.body !== undefined) {
      headers["Content-Type"] = options.patch === "strategic"
        ? "application/strategic-merge-patch+json"
        : options.patch === "merge" ? "application/merge-patch+json" : "application/json";
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const response = await fetch(url.toString(), {
      ...init,
      method,
      headers,
      signal: signal as never,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON
      }
      throw new KubeApiError(`${method} ${path}: HTTP ${response.status}: ${message}`, response.status, text);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** GET that resolves undefined on 404. */
  async getOptional<T = unknown>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>("GET", path);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof KubeApiError && error.status === status;
}

/** A metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** A metav1.Time: RFC 3339 to the second. */
export function kubeTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
