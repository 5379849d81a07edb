// Whether the operator can use the API server right now, from the outcome of every request: each
// failure is logged (403, timeout, connection error…), so is the moment access is lost and the
// moment it is back. Listeners react to lost connections (the informers drop watches that went
// silent) and to 403s (the exit-on-forbidden switch).
import { failureKind, isConflictOrThrottled, type FailureKind } from "./kube.js";
import type { Logger } from "./log.js";

export class ApiHealth {
  /** When the current run of failures began; undefined while requests succeed. */
  private failingSince: number | undefined;
  private failuresSinceSuccess = 0;
  private lastKind: FailureKind | undefined;
  readonly counters = { requests: 0, failures: new Map<FailureKind, number>(), accessLost: 0, accessRestored: 0 };
  private readonly connectionLostListeners = new Set<(reason: string) => void>();
  private readonly forbiddenListeners = new Set<(message: string) => void>();
  private readonly conflictListeners = new Set<(message: string) => void>();

  constructor(private readonly log: Logger, private readonly now: () => number = Date.now) {}

  get reachable(): boolean {
    return this.failingSince === undefined;
  }

  onConnectionLost(listener: (reason: string) => void): void {
    this.connectionLostListeners.add(listener);
  }

  onForbidden(listener: (message: string) => void): void {
    this.forbiddenListeners.add(listener);
  }

  /** A write conflict (409, not AlreadyExists) or a 429: answers a controller is expected to retry. */
  onConflictOrThrottled(listener: (message: string) => void): void {
    this.conflictListeners.add(listener);
  }

  succeeded(_operation: string): void {
    this.counters.requests += 1;
    if (this.failingSince === undefined) return;
    const seconds = (this.now() - this.failingSince) / 1000;
    this.log.info("api access restored", { after: `${seconds.toFixed(1)}s`, failedRequests: this.failuresSinceSuccess, lastError: this.lastKind });
    this.counters.accessRestored += 1;
    this.failingSince = undefined;
    this.failuresSinceSuccess = 0;
    this.lastKind = undefined;
  }

  failed(operation: string, error: unknown): void {
    if (isConflictOrThrottled(error)) for (const listener of this.conflictListeners) listener((error as Error).message);
    this.counters.requests += 1;
    const kind = failureKind(error);
    if (kind === undefined) {
      // A 404 or 409 is an answer: the server was reached and allowed the request.
      this.succeeded(operation);
      return;
    }
    this.counters.failures.set(kind, (this.counters.failures.get(kind) ?? 0) + 1);
    const message = (error as Error).message;
    const status = (error as { status?: number }).status;
    if (this.failingSince === undefined) {
      this.failingSince = this.now();
      this.counters.accessLost += 1;
      this.log.warn("lost api access", { kind, op: operation });
    }
    this.failuresSinceSuccess += 1;
    this.lastKind = kind;
    this.log.error("api request failed", { kind, status, op: operation, error: message });
    if (kind === "timeout" || kind === "connection") for (const listener of this.connectionLostListeners) listener(message);
    if (kind === "forbidden") for (const listener of this.forbiddenListeners) listener(message);
  }
}
