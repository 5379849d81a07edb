// List-then-watch of one collection into a cache, like a client-go informer: resumes the watch from
// the last resourceVersion after any drop, re-lists on 410 Gone, reconnects with capped exponential
// back-off, and replays every cached object each resync period so reconcilers also catch what no
// event announced.
import { backoffMs } from "./settings.js";
import type { KubeClient, WatchHandle } from "./kube.js";
import type { Logger } from "./log.js";

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    deletionTimestamp?: string;
  };
  [field: string]: unknown;
}

export type InformerEvent = "ADDED" | "MODIFIED" | "DELETED" | "RESYNC";

export interface InformerOptions {
  name: string;
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  resyncMs: number;
  backoff: { baseMs: number; capMs: number };
}

export const objectKey = (object: KubeObject) => `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;

export class Informer {
  readonly cache = new Map<string, KubeObject>();
  private resourceVersion = "";
  private watchHandle: WatchHandle | undefined;
  private stopped = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private markSynced!: () => void;
  /** Resolves once the first list is in the cache. */
  readonly synced = new Promise<void>((resolve) => (this.markSynced = resolve));
  private readonly watchLostListeners = new Set<(reason: string) => void>();
  watchRestarts = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly options: InformerOptions,
    private readonly handler: (event: InformerEvent, object: KubeObject) => void,
  ) {}

  /** Called when an established watch ended because the API server could not be reached. */
  onWatchLost(listener: (reason: string) => void): void {
    this.watchLostListeners.add(listener);
  }

  start(): void {
    void this.run();
    this.resyncTimer = setInterval(() => {
      for (const object of this.cache.values()) this.handler("RESYNC", object);
    }, this.options.resyncMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    this.watchHandle?.abandon("stopping");
    this.wake?.();
  }

  /**
   * Drops the current watch: when the API server is unreachable, an established watch does not
   * fail, it goes silent (the packets are dropped), so nothing would tell us it is dead.
   */
  abandonWatch(reason: string): void {
    // A watch still connecting has its own deadline.
    if (this.watchHandle?.established) this.watchHandle.abandon(reason);
  }

  private selectors(): Record<string, string> {
    return {
      ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
      ...(this.options.fieldSelector ? { fieldSelector: this.options.fieldSelector } : {}),
    };
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (!this.resourceVersion) {
        try {
          await this.list();
          failures = 0;
          this.markSynced();
        } catch {
          // ApiHealth logged it; try again after the back-off.
          failures += 1;
          await this.pause(failures);
        }
        continue;
      }
      const handle = this.openWatch();
      const end = await handle.ended;
      this.watchHandle = undefined;
      if (this.stopped) return;
      if (end.kind === "ended" && handle.established) {
        failures = 0;
      } else if (end.kind === "ended") {
        // Closed before it was accepted: not a normal end, so do not reconnect in a tight loop.
        failures += 1;
        await this.pause(failures);
      } else if (end.kind === "gone") {
        this.log.info("watch expired, re-listing", { informer: this.options.name });
        this.resourceVersion = "";
      } else {
        // An established watch dropped for want of a connection is a lost watch; a watch the server
        // refused (403) or that could not be opened is a failed attempt, already logged.
        const lostConnection = end.kind === "abandoned" || !("status" in end.error);
        if (handle.established && lostConnection) {
          this.watchRestarts += 1;
          const reason = end.kind === "abandoned" ? end.reason : end.error.message;
          this.log.warn("watch lost", { informer: this.options.name, reason });
          for (const listener of this.watchLostListeners) listener(reason);
        }
        failures += 1;
        await this.pause(failures);
      }
    }
  }

  private async list(): Promise<void> {
    const list = await this.client.request<{ items: KubeObject[]; metadata: { resourceVersion: string } }>("GET", this.options.path, { query: this.selectors() });
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKey(item);
      seen.add(key);
      const previous = this.cache.get(key);
      this.cache.set(key, item);
      if (previous?.metadata?.resourceVersion !== item.metadata?.resourceVersion) this.handler(previous ? "MODIFIED" : "ADDED", item);
    }
    for (const [key, object] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.handler("DELETED", object);
      }
    }
    this.resourceVersion = list.metadata.resourceVersion;
  }

  private openWatch(): WatchHandle {
    const handle = this.client.watch(this.options.path, {
      ...this.selectors(), resourceVersion: this.resourceVersion, allowWatchBookmarks: "true",
      // The server ends each watch after a while; resuming from our resourceVersion loses nothing.
      timeoutSeconds: String(60 + Math.floor(Math.random() * 30)),
    }, (event) => {
      const object = event.object as KubeObject;
      const version = object.metadata?.resourceVersion;
      if (version) this.resourceVersion = version;
      if (event.type === "BOOKMARK") return;
      const key = objectKey(object);
      if (event.type === "DELETED") this.cache.delete(key);
      else this.cache.set(key, object);
      this.handler(event.type as InformerEvent, object);
    });
    this.watchHandle = handle;
    return handle;
  }

  private pause(failures: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, backoffMs(failures, this.options.backoff));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
