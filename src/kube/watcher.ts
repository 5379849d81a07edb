import { request as httpsRequest } from "node:https";
import { request as httpRequest, type ClientRequest } from "node:http";
import { KubeApiError } from "./errors.js";
import type { KubeRest } from "./rest.js";
import type { KubeObject } from "./watch.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface WatcherHandlers {
  /** Every change, in order, with the instant it reached us (never the instant it happened). */
  onEvent(type: WatchEventType, object: KubeObject, receivedAt: number): void;
  /**
   * A re-list replaced the cache because the watch could not resume (410 Gone), and objects had
   * changed meanwhile: transitions in between may have been missed. The observer records this as a
   * gap. (A re-list that finds every object unchanged is no gap.)
   */
  onGap?(reason: string, at: number): void;
  /**
   * The watch is down (refused, broken, or silent past its idle bound); the watcher keeps trying.
   * Called on every failed attempt; `since` is the watch's last sign of life.
   */
  onTrouble?(reason: string, at: number, since: number): void;
  /** The watch is up again after trouble: it was down from `outage.since` (its last sign of life) to `outage.until`. */
  onResumed?(outage: WatchOutage): void;
}

export interface WatchOutage {
  since: number;
  until: number;
  reason: string;
}

export interface WatcherOptions {
  /** Collection path, e.g. /apis/apps/v1/namespaces/ns/deployments. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  signal: AbortSignal;
  /**
   * A watch that carries nothing (no event, no bookmark, no end) for this long is presumed dead
   * and reconnected. The server is asked to end each watch well before it (timeoutSeconds), after
   * a bookmark, so a healthy watch is never silent that long. Default WATCH_IDLE_TIMEOUT_MS.
   */
  idleTimeoutMs?: number;
  /** Bound from sending a watch request to its response headers. Default WATCH_CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
}

export const WATCH_IDLE_TIMEOUT_MS = 30_000;
/** The shortest idle bound: the server's watch lifetime is whole seconds, at least one. */
export const MIN_WATCH_IDLE_TIMEOUT_MS = 2_000;
export const WATCH_CONNECT_TIMEOUT_MS = 10_000;

/** The server-side lifetime asked for a watch whose silence is bounded by `idleTimeoutMs`. */
export function watchTimeoutSeconds(idleTimeoutMs: number): number {
  return Math.max(1, Math.floor((idleTimeoutMs * 0.75) / 1000));
}

const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/** How long confirm waits for the watch to deliver a change a fresh list already shows. */
const CATCH_UP_MS = 1_500;

/**
 * Whether version `have` is at least `want` (strictly newer with `strictly`). Versions are opaque,
 * but the API server's are etcd revisions: integers compare as numbers; anything else only by equality.
 */
export function atLeast(have: string | undefined, want: string, strictly = false): boolean {
  if (have === undefined) return false;
  if (/^\d+$/.test(have) && /^\d+$/.test(want)) return strictly ? BigInt(have) > BigInt(want) : BigInt(have) >= BigInt(want);
  return !strictly && have === want;
}

/**
 * List-then-watch of one collection that keeps a cache and survives a lost connection: it resumes
 * from the last resourceVersion it saw (bookmarks keep that fresh), and re-lists only on 410 Gone,
 * reporting that as a gap. A connection that stalls without closing (half-open) is caught by the
 * idle bound; every outage is reported (onTrouble, then onResumed). Runs until its AbortSignal fires.
 */
export class ResourceWatcher {
  readonly objects = new Map<string, KubeObject>();
  private resourceVersion = "";
  private current: ClientRequest | undefined;
  private synced!: Promise<void>;
  /** When data last arrived (list, response, event, bookmark, end of stream). */
  private lastAliveAt = Date.now();
  private down: { since: number; reason: string } | undefined;
  /** Called after every change to the cache (for confirm's catch-up). */
  private readonly changed = new Set<() => void>();

  constructor(
    private readonly rest: KubeRest,
    private readonly options: WatcherOptions,
    private readonly handlers: WatcherHandlers,
  ) {}

  get path(): string {
    return this.options.path;
  }

  /** Down since its last sign of life, or undefined when the watch is up. */
  get outage(): { since: number; reason: string } | undefined {
    return this.down;
  }

  /** Starts; resolves once the initial list is in the cache (events for it are ADDED). */
  start(): Promise<void> {
    this.synced = this.list(false);
    this.synced.then(() => this.loop()).catch(() => {});
    return this.synced;
  }

  /**
   * Proves the cache is current: a fresh list must find every object at the version the watch
   * delivered. True when it does; otherwise the watch is marked down and reconnected (it resumes
   * from its last version, so what it missed is delivered, with its arrival time) and this is false.
   */
  async confirm(timeoutMs: number): Promise<boolean> {
    const startedAt = Date.now();
    let reason: string | undefined;
    try {
      const list = await this.rest.get<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(this.options.path, {
        query: this.query(), signal: this.options.signal, timeoutMs, retry: false,
      });
      const listed = new Map(list.items.map((item) => [keyOf(item), item.metadata?.resourceVersion ?? ""]));
      // Current: every listed object is cached at its listed version or later, and every cached
      // object the list lacks was created after it. A change the list saw a moment before its
      // watch event arrived is not staleness: the watch gets a moment to deliver it.
      const current = () => [...listed].every(([key, version]) => atLeast(this.objects.get(key)?.metadata?.resourceVersion, version))
        && [...this.objects].every(([key, object]) => listed.has(key) || atLeast(object.metadata?.resourceVersion, list.metadata.resourceVersion, true));
      if (current() || await this.until(current, CATCH_UP_MS)) {
        if (this.down !== undefined) return false;
        this.lastAliveAt = Math.max(this.lastAliveAt, startedAt);
        return true;
      }
      reason = `a fresh list of ${this.options.path} found changes the watch had not delivered`;
    } catch (error) {
      if (this.options.signal.aborted) return false;
      reason = `confirming ${this.options.path} failed: ${(error as Error).message}`;
    }
    this.markDown(reason, Date.now());
    this.current?.destroy();
    return false;
  }

  /** Resolves true as soon as `condition` holds after a change to the cache, false after `ms`. */
  private until(condition: () => boolean, ms: number): Promise<boolean> {
    return new Promise((resolveUntil) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.changed.delete(check);
        resolveUntil(true);
      };
      const timer = setTimeout(() => { this.changed.delete(check); resolveUntil(false); }, ms);
      this.changed.add(check);
    });
  }

  private query(): Record<string, string> {
    const query: Record<string, string> = {};
    if (this.options.labelSelector) query.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector) query.fieldSelector = this.options.fieldSelector;
    return query;
  }

  private markDown(reason: string, at: number): void {
    this.down ??= { since: this.lastAliveAt, reason };
    this.handlers.onTrouble?.(reason, at, this.down.since);
  }

  private markAlive(at: number): void {
    this.lastAliveAt = at;
    if (this.down === undefined) return;
    const outage = { since: this.down.since, until: at, reason: this.down.reason };
    this.down = undefined;
    this.handlers.onResumed?.(outage);
  }

  private async list(afterGap: boolean): Promise<void> {
    const list = await this.rest.get<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(this.options.path, {
      query: this.query(), signal: this.options.signal,
    });
    const now = Date.now();
    this.markAlive(now);
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
    for (const check of [...this.changed]) check();
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
          this.markDown(`re-list failed: ${(error as Error).message}`, Date.now());
          await this.pause(failures);
        }
      } else if (outcome !== "closed") {
        failures += 1;
        this.markDown(outcome, Date.now());
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
    const idleMs = Math.max(MIN_WATCH_IDLE_TIMEOUT_MS, this.options.idleTimeoutMs ?? WATCH_IDLE_TIMEOUT_MS);
    const connectMs = this.options.connectTimeoutMs ?? WATCH_CONNECT_TIMEOUT_MS;
    const url = this.rest.url(this.options.path, {
      ...this.query(), watch: "true", allowWatchBookmarks: "true", resourceVersion: this.resourceVersion,
      timeoutSeconds: String(watchTimeoutSeconds(idleMs)),
    });
    const options = await this.rest.requestOptions("GET", url);
    // Stopped while the request was being prepared: send nothing.
    if (this.options.signal.aborted) return "closed";
    this.rest.requestCount += 1;
    return new Promise<string>((resolveOutcome) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (value: string) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          this.options.signal.removeEventListener("abort", abort);
          resolveOutcome(value);
        }
      };
      // One timer: first the connect bound, then (re-armed by every chunk) the idle bound.
      const arm = (ms: number, why: string) => {
        clearTimeout(timer);
        timer = setTimeout(() => { req.destroy(); settle(`watch ${this.options.path}: ${why}`); }, ms);
      };
      const send = url.protocol === "http:" ? httpRequest : httpsRequest;
      const req = send(options, (res) => {
        if (res.statusCode === 410) { res.resume(); settle("gone"); return; }
        if (res.statusCode !== 200) { res.resume(); settle(`watch ${this.options.path}: HTTP ${res.statusCode}`); return; }
        const idle = () => arm(idleMs, `no event or bookmark for ${idleMs} ms (connection stalled)`);
        this.markAlive(Date.now());
        idle();
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          this.lastAliveAt = Date.now();
          idle();
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
        res.on("end", () => { this.lastAliveAt = Date.now(); settle("closed"); });
        res.on("error", (error) => settle(`watch ${this.options.path} broke: ${error.message}`));
        res.on("close", () => settle(`watch ${this.options.path} closed before its end`));
      });
      const abort = () => { req.destroy(); settle("closed"); };
      this.options.signal.addEventListener("abort", abort, { once: true });
      arm(connectMs, `no response within ${connectMs} ms`);
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
    for (const check of [...this.changed]) check();
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
      let lastError = "";
      const timer = setTimeout(() => reject(new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${lastError ? ` (last: ${lastError})` : ""}`)), options.timeoutMs);
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
      // The API server may be starting or restarting: transient failures of the first list are
      // retried until the deadline; anything else (403, 404, …) fails at once.
      const begin = (attempt: number) => watcher.start().then(() => { started = true; check(); }, (error: unknown) => {
        if (controller.signal.aborted) return;
        lastError = (error as Error).message;
        if (error instanceof KubeApiError && error.status !== 429 && error.status < 500) {
          clearTimeout(timer);
          reject(error);
          return;
        }
        const retry = setTimeout(() => begin(attempt + 1), Math.min(2_000, 100 * 2 ** attempt));
        controller.signal.addEventListener("abort", () => clearTimeout(retry), { once: true });
      });
      begin(0);
    });
  } finally {
    controller.abort();
    options.signal?.removeEventListener("abort", stopOuter);
  }
}
