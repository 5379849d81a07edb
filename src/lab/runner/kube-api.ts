import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError } from "../../kube/errors.js";
import { KubeRest } from "../../kube/rest.js";

export { KubeApiError };

export type PatchType = "merge" | "strategic";

const CONTENT_TYPES: Record<PatchType | "json", string> = {
  json: "application/json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
};

/**
 * The runner's calls with its admin identity, over the project's one transport (src/kube/rest.ts:
 * kept-alive connections, retries of transient answers): status subresources, strategic merge
 * patches and preconditioned deletes as plain REST.
 */
export class KubeApi {
  readonly rest: KubeRest;

  constructor(readonly config: KubeConfig) {
    this.rest = new KubeRest(config);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: { body?: unknown; patch?: PatchType; query?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const response = await this.rest.request<T>(method, path, {
      ...(options.body !== undefined ? { body: options.body, contentType: CONTENT_TYPES[options.patch ?? "json"] } : {}),
      ...(options.query ? { query: options.query } : {}),
      timeoutMs: options.timeoutMs ?? 15_000,
      signal: options.signal,
    });
    return response.body;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** GET that resolves undefined on 404. */
  async getOptional<T = unknown>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>("GET", path);
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
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
