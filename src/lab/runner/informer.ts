import { Watch, type KubeConfig } from "@kubernetes/client-node";
import type { KubeApi } from "./kube-api.js";

export interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  [key: string]: unknown;
}

export interface Obj {
  metadata?: Meta;
  [key: string]: unknown;
}

export type InformerEvent = "added" | "modified" | "deleted";

/**
 * A list+watch cache of one collection. A watch that ends resumes from the last resourceVersion
 * seen; an expired version (410) or an ERROR event re-lists and reports the difference as events,
 * so listeners see every object's latest state. `synced` resolves after the first list.
 */
export class Informer<T extends Obj = Obj> {
  readonly objects = new Map<string, T>();
  readonly synced: Promise<void>;
  private markSynced!: () => void;
  private listeners: Array<(event: InformerEvent, object: T, old?: T) => void> = [];
  private request: AbortController | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly config: KubeConfig,
    private readonly path: string,
    private readonly signal: AbortSignal,
    private readonly log: (line: string) => void,
  ) {
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
    signal.addEventListener("abort", () => this.request?.abort(), { once: true });
  }

  on(listener: (event: InformerEvent, object: T, old?: T) => void): void {
    this.listeners.push(listener);
  }

  static key(object: Obj): string {
    return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  /** Runs until the signal aborts. */
  async run(): Promise<void> {
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!this.signal.aborted) {
      try {
        if (resourceVersion === undefined) resourceVersion = await this.relist();
        const outcome = await this.watchFrom(resourceVersion);
        resourceVersion = outcome.resourceVersion;
        if (outcome.expired) resourceVersion = undefined;
        failures = 0;
      } catch (error) {
        if (this.signal.aborted) break;
        failures += 1;
        this.log(`watch ${this.path}: ${(error as Error).message}; retrying`);
        resourceVersion = undefined;
        // The API server may be restarting: back off a little (a timer, not a poll of cluster state).
        await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** failures)));
      }
    }
  }

  private emit(event: InformerEvent, object: T, old?: T): void {
    for (const listener of this.listeners) {
      try {
        listener(event, object, old);
      } catch (error) {
        this.log(`listener for ${this.path} failed: ${(error as Error).stack ?? error}`);
      }
    }
  }

  private async relist(): Promise<string> {
    const list = await this.api.request<{ items: T[]; metadata: { resourceVersion: string } }>("GET", this.path, {
      signal: this.signal, timeoutMs: 30_000,
    });
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = Informer.key(item);
      seen.add(key);
      const old = this.objects.get(key);
      this.objects.set(key, item);
      if (!old) this.emit("added", item);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) this.emit("modified", item, old);
    }
    for (const [key, old] of [...this.objects]) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        this.emit("deleted", old, old);
      }
    }
    this.markSynced();
    return list.metadata.resourceVersion;
  }

  private watchFrom(resourceVersion: string): Promise<{ resourceVersion: string; expired: boolean }> {
    return new Promise((resolve, reject) => {
      let current = resourceVersion;
      let expired = false;
      const finish = (error?: unknown) => {
        this.request = undefined;
        if (error && !expired && !this.signal.aborted) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ resourceVersion: current, expired });
      };
      new Watch(this.config)
        .watch(
          this.path,
          // The server ends the watch after timeoutSeconds; we then resume from `current`.
          { allowWatchBookmarks: true, resourceVersion, timeoutSeconds: 300 },
          (phase: string, object: T) => {
            if (phase === "ERROR") {
              // Usually 410 Gone: our version is too old. Re-list.
              expired = true;
              this.request?.abort();
              return;
            }
            const version = object.metadata?.resourceVersion;
            if (version) current = version;
            if (phase === "BOOKMARK") return;
            const key = Informer.key(object);
            const old = this.objects.get(key);
            if (phase === "DELETED") {
              this.objects.delete(key);
              this.emit("deleted", object, old);
            } else {
              this.objects.set(key, object);
              this.emit(old ? "modified" : "added", object, old);
            }
          },
          (error: unknown) => finish(error ?? undefined),
        )
        .then((controller) => {
          this.request = controller;
          if (this.signal.aborted) controller.abort();
        }, finish);
    });
  }
}
