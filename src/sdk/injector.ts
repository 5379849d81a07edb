// The fault-injecting core: given the current FaultConfig, decides for each API call (or reconcile)
// whether it passes, waits, or fails, and how. Adapters (fetch, @kubernetes/client-node, an
// operator's own client, wrapReconcile) turn a decision into what their callers would see from a
// real API server. With no fault active a call costs one property read.
import { classifyRequest, resourceMatches, type ApiRequest, type ClassifiedRequest } from "./request.js";
import { DEFAULT_CONFIG_MAP_NAME, FailureKind, INACTIVE, Operation, STATUS_REASONS, type FaultConfig, type FaultSpec } from "./spec.js";

/** What an operator sees instead of the API's answer. */
export type InjectedFailure =
  | { readonly kind: FailureKind.Status; readonly code: number; readonly reason: string; readonly message: string; readonly retryAfterSeconds?: number }
  | { readonly kind: FailureKind.Timeout; readonly message: string }
  | { readonly kind: FailureKind.ConnectionReset; readonly message: string };

export interface Decision {
  /** Wait this long before answering (or failing). */
  readonly delayMs: number;
  readonly failure?: InjectedFailure;
  readonly operation: Operation;
}

const PASS: Decision = Object.freeze({ delayMs: 0, operation: Operation.Get });

/** The error an adapter throws for an injected failure; callers can tell chaos from real trouble by type. */
export class ChaosError extends Error {
  override readonly name = "ChaosError";
  constructor(readonly operation: Operation, readonly failure: InjectedFailure) {
    super(failure.message);
  }
  /** HTTP status of a status failure. */
  get code(): number | undefined {
    return this.failure.kind === FailureKind.Status ? this.failure.code : undefined;
  }
}

export const isChaosError = (error: unknown): error is ChaosError => error instanceof ChaosError;

/** The header adapters put on synthetic responses, and that marks the SDK's own requests as exempt. */
export const CHAOS_HEADER = "x-operator-chaos";

export interface InjectorOptions {
  /** The ConfigMap the SDK reads its faults from; requests for it are never faulted. */
  configMapName?: string;
  /** A source of [0, 1); seeded by the fuzz harness and tests. */
  random?: () => number;
  /** Called for every request that reaches the injector (the fuzz harness counts writes with it). */
  observe?: (request: ClassifiedRequest) => void;
}

export interface InjectionCounts {
  /** Calls per operation that matched a fault since it was activated. */
  matched: Partial<Record<Operation, number>>;
  /** Calls per operation that were failed or delayed. */
  injected: Partial<Record<Operation, number>>;
}

interface Counter {
  matched: number;
  injected: number;
}

export class ChaosInjector {
  private config: FaultConfig = INACTIVE;
  private counters = new Map<Operation, Counter>();
  private readonly random: () => number;
  readonly configMapName: string;
  private readonly observe: ((request: ClassifiedRequest) => void) | undefined;

  constructor(options: InjectorOptions = {}) {
    this.configMapName = options.configMapName ?? DEFAULT_CONFIG_MAP_NAME;
    this.random = options.random ?? Math.random;
    this.observe = options.observe;
  }

  /**
   * Whether calls must consult the injector: a configuration is active (or an observer is attached).
   * Adapters skip it otherwise, so with no fault a call costs this one read.
   */
  get active(): boolean {
    return this.config.active || this.observe !== undefined;
  }

  get current(): FaultConfig {
    return this.config;
  }

  /** Replaces the configuration; counters (failAfter, maxCount) start again. */
  configure(config: FaultConfig): void {
    this.config = config.active ? config : INACTIVE;
    this.counters = new Map();
  }

  deactivate(): void {
    this.configure(INACTIVE);
  }

  counts(): InjectionCounts {
    const matched: InjectionCounts["matched"] = {};
    const injected: InjectionCounts["injected"] = {};
    for (const [operation, counter] of this.counters) {
      matched[operation] = counter.matched;
      injected[operation] = counter.injected;
    }
    return { matched, injected };
  }

  /**
   * The decision for one HTTP request. Requests for the SDK's own ConfigMap, and requests an adapter
   * marked as the SDK's own, always pass: the operator must be able to see a deactivation.
   */
  decideRequest(request: ApiRequest, options: { exempt?: boolean } = {}): Decision {
    if (!this.active) return PASS;
    const classified = classifyRequest(request);
    this.observe?.(classified);
    if (!this.config.active || options.exempt || this.isOwnConfigMap(classified)) return PASS;
    return this.decide(classified.operation, classified);
  }

  /** The decision for one operation (`reconcile` for wrapReconcile; any operation for a custom client). */
  decide(operation: Operation, request?: ClassifiedRequest): Decision {
    if (!this.config.active) return PASS;
    const spec = this.config.faults[operation];
    if (spec === undefined) return PASS;
    if (request !== undefined && !resourceMatches(spec.resources, request)) return PASS;
    const counter = this.counterFor(operation);
    counter.matched += 1;
    if (counter.matched <= spec.failAfter) return PASS;
    if (spec.maxCount !== undefined && counter.injected >= spec.maxCount) return PASS;
    const delayMs = spec.maxDelayMs > 0 ? this.random() * spec.maxDelayMs : spec.delayMs;
    const fails = spec.errorRate > 0 && this.random() < spec.errorRate;
    if (!fails && delayMs <= 0) return PASS;
    counter.injected += 1;
    return fails ? { delayMs, operation, failure: failureFor(operation, spec) } : { delayMs, operation };
  }

  private isOwnConfigMap(request: ClassifiedRequest): boolean {
    return request.resource === "configmaps" && request.group === "" && request.name === this.configMapName;
  }

  private counterFor(operation: Operation): Counter {
    let counter = this.counters.get(operation);
    if (!counter) {
      counter = { matched: 0, injected: 0 };
      this.counters.set(operation, counter);
    }
    return counter;
  }
}

/** Go's message shape: `chaos(<op>): <error>`. */
export function failureFor(operation: Operation, spec: FaultSpec): InjectedFailure {
  const text = spec.error || defaultText(spec);
  const message = `chaos(${operation}): ${text}`;
  if (spec.kind === FailureKind.Timeout) return { kind: FailureKind.Timeout, message };
  if (spec.kind === FailureKind.ConnectionReset) return { kind: FailureKind.ConnectionReset, message };
  return {
    kind: FailureKind.Status, code: spec.code, reason: spec.reason, message,
    ...(spec.retryAfterSeconds !== undefined ? { retryAfterSeconds: spec.retryAfterSeconds } : {}),
  };
}

function defaultText(spec: FaultSpec): string {
  if (spec.kind === FailureKind.Timeout) return "request timed out";
  if (spec.kind === FailureKind.ConnectionReset) return "connection reset by peer";
  return `${spec.code} ${STATUS_REASONS[spec.code] ?? "Error"} (Chaos Injected)`;
}

/** Waits `ms`, or rejects when the signal aborts first. */
export function chaosDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason instanceof Error ? signal!.reason : new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The Kubernetes Status object an API server would send for a status failure; adapters use it as
 * the body of their synthetic response.
 */
export function statusBody(failure: Extract<InjectedFailure, { kind: FailureKind.Status }>, request?: ClassifiedRequest): Record<string, unknown> {
  return {
    kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure",
    message: failure.message, reason: failure.reason, code: failure.code,
    details: {
      ...(request?.name ? { name: request.name } : {}),
      ...(request?.resource ? { kind: request.resource } : {}),
      ...(failure.retryAfterSeconds !== undefined ? { retryAfterSeconds: failure.retryAfterSeconds } : {}),
    },
  };
}
