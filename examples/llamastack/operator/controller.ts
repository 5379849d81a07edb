// A controller-runtime style work queue: keys are de-duplicated, processed one at a time, and a
// failed reconcile is retried with per-key exponential back-off (capped, so recovery after an
// outage is quick). Nothing is processed while the controller is paused (not the leader).
import { backoffMs } from "./settings.js";
import type { Logger } from "./log.js";

export type Reconcile = (key: string) => Promise<void>;

export class Controller {
  private readonly queued = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private running = false;
  private draining = false;
  reconciles = 0;
  errors = 0;

  constructor(
    readonly name: string,
    private readonly reconcile: Reconcile,
    private readonly log: Logger,
    private readonly backoff: { baseMs: number; capMs: number },
  ) {}

  enqueue(key: string): void {
    this.queued.add(key);
    void this.drain();
  }

  /** Start processing (on becoming leader). */
  resume(): void {
    this.running = true;
    void this.drain();
  }

  /** Stop processing (leadership lost); queued keys wait. */
  pause(): void {
    this.running = false;
  }

  get idle(): boolean {
    return this.queued.size === 0 && this.retryTimers.size === 0 && !this.draining;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.running && this.queued.size > 0) {
        const key = this.queued.values().next().value as string;
        this.queued.delete(key);
        const pending = this.retryTimers.get(key);
        if (pending) {
          clearTimeout(pending);
          this.retryTimers.delete(key);
        }
        this.reconciles += 1;
        try {
          await this.reconcile(key);
          this.failures.delete(key);
        } catch (error) {
          this.errors += 1;
          const failures = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, failures);
          // A throttled request says when to come back (Retry-After); never sooner than that.
          const retryAfterMs = ((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 0) * 1000;
          const delay = Math.max(backoffMs(failures, this.backoff), retryAfterMs);
          this.log.warn("reconcile failed, will retry", { controller: this.name, key, retryIn: `${delay}ms`, error: (error as Error).message });
          this.retryTimers.set(key, setTimeout(() => {
            this.retryTimers.delete(key);
            this.enqueue(key);
          }, delay));
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
