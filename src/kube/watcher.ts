import { request as httpsRequest } from "node:https";
import { request as httpRequest, type ClientRequest } from "node:http";
import type { KubeRest } from "./rest.js";
import type { KubeObject } from "./watch.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface WatcherHandlers {
  /** Every change, in order, with the instant it reached us. */
  onEvent(type: WatchEventType, object: KubeObject, receivedAt: number): void;
  /**
   * A re-list replaced the cache because the watch could not resume (410 Gone), and objects had
   * changed meanwhile: transitions in between may have been missed. The observer records this as a
   * gap. (A re-list that finds every object unchanged is no gap.)
   */
  onGap?(reason: string, at: number): void;
  /** Connection trouble (e.g. the API server restarting); the watcher keeps trying. */
  onTrouble?(reason: string, at: number): void;
}

export interface WatcherOptions {
  /** Collection path, e.g. /apis/apps/v1/namespaces/ns/deployments. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  signal: AbortSignal;
}

const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/**
 * List-then-watch of one collection that keeps a cache and survives a lost connection: it resumes
 * from the last resourceVersion it saw (bookmarks keep that fresh), and re-lists only on 410 Gone,
 * reporting that as a gap. Runs until its AbortSignal fires.
 */
export class ResourceWatcher {
  readonly objects = new Map<string, KubeObject>();
  private resourceVersion = "";
  private current: ClientRequest | undefined;
  private synced!: Promise<void>;

  constructor(
    private readonly rest: KubeRest,
    private readonly options: WatcherOptions,
    private readonly handlers: WatcherHandlers,
  ) {}

  /** Starts; resolves once the initial list is in the cache (events for it are ADDED). */
  start(): Promise<void> {
    this.synced = this.list(false);
    this.synced.then(() => this.loop()).catch(() => {});
    return this.synced;
  }

  private query(): Record<string, string> {
    const query: Record<string, string> = {};
    if (this.options.labelSelector) query.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector) query.fieldSelector = this.options.fieldSelector;
    return query;
  }

  private async list(afterGap: boolean): Promise<void> {
    const list = await this.rest.get<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(this.options.path, {
      query: this.query(), signal: this.options.signal,
    });
    const now = Date.now();
    const seen = new Set<string>();
    let changed = false;
    for (const item of list.items) {
      const key = keyOf(item);
      seen.add(key);
      const previous = this.objects.get(key);
      if (previous?.metadata?.resourceVersion === item.metadata?.resourceVersion) continue;
      this.objects.set(key, item);
      changed = true;
      this.handlers.onEvent(previous ? "MODIFIED" : "ADDED", item, now);
    }
    for (const [key, object] of this.objects) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        changed = true;
        this.handlers.onEvent("DELETED", object, now);
      }
    }
    // Every write gives an object a new resourceVersion: when the re-list finds each object at the
    // version already seen (none added or deleted), nothing happened meanwhile and nothing was
    // missed (the usual case after an API server restart). Otherwise transitions in between, and
    // when they happened, are unknown: a gap.
    if (afterGap && changed) this.handlers.onGap?.(`re-listed ${this.options.path} after the watch expired (410 Gone): objects changed while it was not watched`, now);
    this.resourceVersion = list.metadata.resourceVersion;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.options.signal.aborted) {
      const outcome = await this.watchOnce();
      if (this.options.signal.aborted) return;
      if (outcome === "gone") {
        try {
          await this.list(true);
          failures = 0;
        } catch (error) {
          failures += 1;
          this.handlers.onTrouble?.(`re-list failed: ${(error as Error).message}`, Date.now());
          await this.pause(failures);
        }
      } else if (outcome !== "closed") {
        failures += 1;
        this.handlers.onTrouble?.(outcome, Date.now());
        await this.pause(failures);
      } else {
        failures = 0;
      }
    }
  }

  /** Bounded backoff between reconnects: quick at first (an API server restart takes seconds). */
  private pause(failures: number): Promise<void> {
    const ms = Math.min(2_000, 50 * 2 ** Math.min(failures, 6));
    return new Promise((resolvePause) => {
      const timer = setTimeout(resolvePause, ms);
      this.options.signal.addEventListener("abort", () => { clearTimeout(timer); resolvePause(); }, { once: true });
    });
  }

  /** One watch request; resolves "closed" (normal end), "gone" (410) or a trouble description. */
  private async watchOnce(): Promise<string> {
    const url = this.rest.url(this.options.path, {
      ...this.query(), watch: "true", allowWatchBookmarks: "true", resourceVersion: this.resourceVersion, timeoutSeconds: "300",
    });
    const options = await this.rest.requestOptions("GET", url);
    // Stopped while the request was being prepared: send nothing.
    if (this.options.signal.aborted) return "closed";
    this.rest.requestCount += 1;
    return new Promise<string>((resolveOutcome) => {
      let settled = false;
      const settle = (value: string) => {
        if (!settled) {
          settled = true;
          this.options.signal.removeEventListener("abort", abort);
          resolveOutcome(value);
        }
      };
      const abort = () => { this.current?.destroy(); settle("closed"); };
      this.options.signal.addEventListener("abort", abort, { once: true });
      const send = url.protocol === "http:" ? httpRequest : httpsRequest;
      const req = send(options, (res) => {
        if (res.statusCode === 410) { res.resume(); settle("gone"); return; }
        if (res.statusCode !== 200) { res.resume(); settle(`watch ${this.options.path}: HTTP ${res.statusCode}`); return; }
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let newline = buffer.indexOf("\n");
          while (newline >= 0) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            if (line) {
              const verdict = this.handleLine(line);
              if (verdict) { req.destroy(); settle(verdict); return; }
            }
            newline = buffer.indexOf("\n");
          }
        });
        res.on("end", () => settle("closed"));
        res.on("error", (error) => settle(`watch ${this.options.path} broke: ${error.message}`));
      });
      req.on("error", (error) => settle(`watch ${this.options.path} failed: ${error.message}`));
      req.end();
      this.current = req;
    });
  }

  /** Applies one watch line; returns "gone" when the server says our version is too old. */
  private handleLine(line: string): string | undefined {
    let event: { type: string; object: KubeObject & { code?: number; message?: string } };
    try {
      event = JSON.parse(line);
    } catch {
      return "watch stream sent a line that is not JSON";
    }
    const receivedAt = Date.now();
    const version = event.object?.metadata?.resourceVersion;
    if (event.type === "ERROR") return event.object.code === 410 ? "gone" : `watch error: ${event.object.message ?? "unknown"}`;
    if (version) this.resourceVersion = version;
    if (event.type === "BOOKMARK") return undefined;
    const type = event.type as WatchEventType;
    if (type === "DELETED") this.objects.delete(keyOf(event.object));
    else this.objects.set(keyOf(event.object), event.object);
    this.handlers.onEvent(type, event.object, receivedAt);
    return undefined;
  }
}

/** What waitForCollection watches, until when, and what it is waiting for (named in the timeout error). */
export interface CollectionWaitOptions {
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  what: string;
}

/**
 * Watches a collection until `done` returns a value for the cached objects (checked after the
 * initial list and after every event), or fails at the deadline naming `what`.
 */
export async function waitForCollection<T>(
  rest: KubeRest,
  options: CollectionWaitOptions,
  done: (objects: ReadonlyMap<string, KubeObject>) => T | undefined,
): Promise<T> {
  const controller = new AbortController();
  const stopOuter = () => controller.abort();
  options.signal?.addEventListener("abort", stopOuter, { once: true });
  try {
    return await new Promise<T>((resolveDone, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`)), options.timeoutMs);
      controller.signal.addEventListener("abort", () => { clearTimeout(timer); reject(new Error(`stopped waiting for ${options.what}`)); }, { once: true });
      const check = () => {
        const value = done(watcher.objects);
        if (value !== undefined) {
          clearTimeout(timer);
          resolveDone(value);
        }
      };
      const watcher = new ResourceWatcher(rest, {
        path: options.path, signal: controller.signal,
        ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
        ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
      }, { onEvent: () => { if (started) check(); } });
      let started = false;
      watcher.start().then(() => { started = true; check(); }, (error: unknown) => { clearTimeout(timer); reject(error); });
    });
  } finally {
    controller.abort();
    options.signal?.removeEventListener("abort", stopOuter);
  }
}
