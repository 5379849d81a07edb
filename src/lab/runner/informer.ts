import { pause } from "../../kube/transport.js";
import { ResourceWatcher } from "../../kube/watcher.js";
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
 * A list+watch cache of one collection with listeners that get the previous object: the engine's
 * ResourceWatcher (one transport, resume from the last resourceVersion, re-list on 410 Gone,
 * connect and idle timeouts) plus the old object per event. `synced` resolves after the first list.
 */
export class Informer<T extends Obj = Obj> {
  readonly objects = new Map<string, T>();
  readonly synced: Promise<void>;
  private markSynced!: () => void;
  private listeners: Array<(event: InformerEvent, object: T, old?: T) => void> = [];

  constructor(
    private readonly api: KubeApi,
    private readonly path: string,
    private readonly signal: AbortSignal,
    private readonly log: (line: string) => void,
  ) {
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
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
    let troubled = false;
    const watcher = new ResourceWatcher(this.api.rest, { path: this.path, signal: this.signal }, {
      onEvent: (type, object) => {
        const key = Informer.key(object);
        const old = this.objects.get(key);
        if (type === "DELETED") {
          this.objects.delete(key);
          this.emit("deleted", object as T, old);
        } else {
          this.objects.set(key, object as T);
          this.emit(old ? "modified" : "added", object as T, old);
        }
      },
      onTrouble: (reason) => {
        if (!troubled) this.log(`watch ${this.path}: ${reason}; retrying`);
        troubled = true;
      },
      onResumed: (outage) => {
        troubled = false;
        this.log(`watch ${this.path} is back after ${outage.until - outage.since} ms`);
      },
    });
    // The API server may be restarting: retry the first list with a little backoff (a timer, not a poll of cluster state).
    for (let failures = 0; !this.signal.aborted; failures++) {
      try {
        await watcher.start();
        this.markSynced();
        break;
      } catch (error) {
        if (this.signal.aborted) break;
        this.log(`list ${this.path}: ${(error as Error).message}; retrying`);
        await pause(Math.min(2_000, 100 * 2 ** failures), this.signal).catch(() => {});
      }
    }
    if (this.signal.aborted) return;
    await new Promise<void>((resolve) => this.signal.addEventListener("abort", () => resolve(), { once: true }));
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
}
