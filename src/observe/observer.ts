import type { Discovery } from "../kube/discovery.js";
import type { KubeRest } from "../kube/rest.js";
import { ResourceWatcher, type WatcherHandlers, type WatcherOptions } from "../kube/watcher.js";
import type { KubeObject } from "../kube/watch.js";
import { checkDetail, checkId } from "./checks.js";
import { evaluateManagedResource, isReconcileWrite, type ManagedEvaluation, type ManagedResourceSpec } from "./managed.js";
import type { CheckOutcome, SteadyStateCheckRef, TimelineRecorder } from "./timeline.js";

export interface PodSelector {
  namespace: string;
  labelSelector?: string;
  /** e.g. spec.serviceAccountName=NAME: the pods running as an identity. */
  fieldSelector?: string;
}

export interface ObserverOptions {
  /** Checks with their namespace already resolved. */
  checks: SteadyStateCheckRef[];
  /** The target's pods, to record restarts and replacements. */
  pods?: PodSelector | undefined;
  /** A knowledge model's managed resources (namespaces resolved), watched the same way. */
  managed?: ManagedResourceSpec[] | undefined;
  recorder: TimelineRecorder;
  signal: AbortSignal;
  /** Idle bound of every watch (a silent, stalled connection is reconnected after it); default the watcher's. */
  watchIdleTimeoutMs?: number | undefined;
}

/** How long confirming that the watches are current may take at a decision. */
const CONFIRM_TIMEOUT_MS = 5_000;

type Listener = () => void;

interface PodView {
  name: string;
  restarts: number;
}

/**
 * Watches every object the steady-state checks name (and the target's pods) from before the
 * injection to the end of the run, and records each transition in the timeline with the instant
 * its watch event arrived. Nothing here sleeps or polls.
 */
export class SteadyStateObserver {
  private readonly watchers: ResourceWatcher[] = [];
  private readonly watchLabels = new Map<ResourceWatcher, string>();
  private readonly objectsByCheck = new Map<number, KubeObject | undefined>();
  private readonly passing = new Map<number, boolean>();
  private readonly listeners = new Set<Listener>();
  private readonly pods = new Map<string, PodView>();
  private readonly killedPods = new Set<string>();
  private wholeHolds: boolean | undefined;
  private readonly managedStatus = new Map<number, ManagedEvaluation>();
  private reconcileWrites = 0;
  private countWrites = false;
  private started = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly rest: KubeRest,
    private readonly discovery: Discovery,
    private readonly options: ObserverOptions,
  ) {
    options.signal.addEventListener("abort", () => this.controller.abort(), { once: true });
  }

  /** Starts every watch; resolves with the steady state as it is now (the pre-check). */
  async start(): Promise<CheckOutcome> {
    const { checks, recorder } = this.options;
    await Promise.all(checks.map(async (check, index) => {
      const path = await this.discovery.collectionPath(check.apiVersion ?? "v1", check.kind ?? "", check.namespace);
      const watcher = this.watcher({ path, fieldSelector: `metadata.name=${check.name}` }, path, {
        onEvent: (type, object, at) => {
          this.objectsByCheck.set(index, type === "DELETED" ? undefined : object);
          if (this.started) this.evaluate(at);
        },
        onGap: (reason, at) => recorder.record({ type: "watchGap", at, watch: path, reason }),
      });
      await watcher.start();
    }));
    if (this.options.pods) await this.watchPods(this.options.pods);
    await Promise.all((this.options.managed ?? []).map((resource, index) => this.watchManaged(resource, index)));
    this.started = true;
    for (const [index, check] of checks.entries()) this.passing.set(index, checkDetail(check, this.objectsByCheck.get(index)).passed);
    this.wholeHolds = [...this.passing.values()].every(Boolean);
    return this.outcome();
  }

  private async watchPods(selector: PodSelector): Promise<void> {
    const { recorder } = this.options;
    const watcher = this.watcher({
      path: `/api/v1/namespaces/${selector.namespace}/pods`,
      ...(selector.labelSelector ? { labelSelector: selector.labelSelector } : {}),
      ...(selector.fieldSelector ? { fieldSelector: selector.fieldSelector } : {}),
    }, "pods", {
      onEvent: (type, object, at) => {
        const name = object.metadata?.name ?? "";
        const restarts = podRestarts(object);
        const known = this.pods.get(name);
        if (type === "DELETED") {
          this.pods.delete(name);
          this.notify();
          return;
        }
        if (!known) {
          this.pods.set(name, { name, restarts });
          if (this.started) {
            // A new pod while a killed one is unaccounted for is that pod's replacement (the
            // replacement's ADDED may even arrive before the killed pod's DELETED).
            const previous = [...this.killedPods][0];
            recorder.record({ type: "podReplaced", at, pod: name, causedByFault: previous !== undefined, ...(previous ? { previousPod: previous } : {}) });
            if (previous) this.killedPods.delete(previous);
          }
          this.notify();
          return;
        }
        if (restarts > known.restarts && this.started) {
          recorder.record({ type: "podRestarted", at, pod: name, restartCount: restarts });
        }
        known.restarts = restarts;
        this.notify();
      },
      onGap: (reason, at) => recorder.record({ type: "watchGap", at, watch: "pods", reason }),
    });
    await watcher.start();
  }

  private async watchManaged(resource: ManagedResourceSpec, index: number): Promise<void> {
    const { recorder } = this.options;
    const path = await this.discovery.collectionPath(resource.apiVersion, resource.kind, resource.namespace);
    const ref = { apiVersion: resource.apiVersion, kind: resource.kind, name: resource.name, ...(resource.namespace ? { namespace: resource.namespace } : {}) };
    const record = (object: KubeObject | undefined, at: number) => {
      const evaluation = evaluateManagedResource(resource, object as Record<string, unknown> | undefined);
      const previous = this.managedStatus.get(index);
      if (previous?.status !== evaluation.status) {
        this.managedStatus.set(index, evaluation);
        recorder.record({ type: "managedResource", at, resource: ref, status: evaluation.status, detail: evaluation.detail });
      }
    };
    const watcher = this.watcher({ path, fieldSelector: `metadata.name=${resource.name}` }, path, {
      onEvent: (type, object, at) => {
        // Writes to managed objects after the injection approximate the operator's reconcile cycles;
        // a Lease's renewals are heartbeats, not reconciliation; the tool's own writes (the probe) and
        // deletions (no writer recorded) are not the operator's.
        if (this.countWrites && resource.kind !== "Lease" && isReconcileWrite(type, object)) {
          this.reconcileWrites += 1;
          recorder.record({ type: "reconcileCycles", at, count: this.reconcileWrites });
        }
        record(type === "DELETED" ? undefined : object, at);
        if (this.started) this.notify();
      },
      onGap: (reason, at) => recorder.record({ type: "watchGap", at, watch: path, reason }),
    });
    await watcher.start();
    if (!this.managedStatus.has(index)) record(undefined, Date.now());
  }

  /**
   * A watch of this observer, with the outage bookkeeping every watch shares: while one is down the
   * steady state is not known to hold (a stability window in progress is cut), and when it is back
   * the outage goes into the timeline — from its last sign of life, so later events read as late.
   */
  private watcher(options: Omit<WatcherOptions, "signal">, label: string, handlers: Pick<WatcherHandlers, "onEvent" | "onGap">): ResourceWatcher {
    const idle = this.options.watchIdleTimeoutMs;
    const watcher = new ResourceWatcher(this.rest, { ...options, signal: this.controller.signal, ...(idle ? { idleTimeoutMs: idle } : {}) }, {
      ...handlers,
      onTrouble: () => this.notify(),
      onResumed: (outage) => {
        this.options.recorder.record({ type: "watchOutage", at: outage.since, until: outage.until, watch: label, reason: outage.reason });
        this.notify();
      },
    });
    this.watchers.push(watcher);
    this.watchLabels.set(watcher, label);
    return watcher;
  }

  /** Watches that are down now. */
  private watchesDown(): ResourceWatcher[] {
    return this.watchers.filter((watcher) => watcher.outage !== undefined);
  }

  /**
   * Before a decision: every watch proves its cache current (a fresh list at the versions it
   * delivered). A watch that cannot is marked down — and reconnected — so the decision waits.
   */
  private async confirmWatches(): Promise<boolean> {
    const results = await Promise.all(this.watchers.map((watcher) => watcher.confirm(CONFIRM_TIMEOUT_MS)));
    return results.every(Boolean);
  }

  /** From now on, writes to managed resources count as reconcile cycles. */
  countReconcileCycles(): void {
    this.countWrites = true;
  }

  /** Managed resources that are not as the knowledge model says, with why. */
  unreconciled(): string[] {
    return (this.options.managed ?? []).flatMap((resource, index) => {
      const status = this.managedStatus.get(index);
      return status && status.status !== "ok" ? [`${resource.kind}/${resource.name}: ${status.detail}`] : [];
    });
  }

  /** Pods the fault deleted: their replacements are expected, not a restart of the operator. */
  markKilled(pods: readonly string[]): void {
    for (const pod of pods) this.killedPods.add(pod);
  }

  /** Names of the target pods as currently watched. */
  podNames(): string[] {
    return [...this.pods.keys()];
  }

  private evaluate(at: number): void {
    const { checks, recorder } = this.options;
    for (const [index, check] of checks.entries()) {
      const detail = checkDetail(check, this.objectsByCheck.get(index));
      if (this.passing.get(index) !== detail.passed) {
        this.passing.set(index, detail.passed);
        recorder.record({ type: "checkTransition", at, checkId: checkId(check, index), passed: detail.passed, detail: detail.value ?? "" });
      }
    }
    const holds = [...this.passing.values()].every(Boolean);
    if (holds !== this.wholeHolds) {
      this.wholeHolds = holds;
      if (holds) recorder.record({ type: "steadyStateHolds", at });
      else {
        const failing = checks.map((c, i) => (this.passing.get(i) ? undefined : checkId(c, i))).filter((x): x is string => !!x);
        recorder.record({ type: "steadyStateLost", at, failingChecks: failing });
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** The whole steady state: every check passes and every managed resource is as modelled. */
  holds(): boolean {
    return (this.wholeHolds ?? false) && this.unreconciled().length === 0 && this.watchesDown().length === 0;
  }

  outcome(): CheckOutcome {
    const details = this.options.checks.map((check, index) => checkDetail(check, this.objectsByCheck.get(index)));
    const passed = details.filter((d) => d.passed).length;
    return { passed: passed === details.length, checksRun: details.length, checksPassed: passed, details };
  }

  /**
   * Resolves "stable" once the steady state has held without interruption for `stabilityWindowMs`
   * (measured from the transition that made it hold, or from the end of the last watch outage) and
   * every watch has proved its cache current, or "timeout" at the deadline (after the same proof,
   * so a watch that is down then is in the timeline before the post-check).
   */
  waitForStable(stabilityWindowMs: number, deadline: number, signal: AbortSignal): Promise<"stable" | "timeout"> {
    return new Promise((resolveWait, reject) => {
      let windowTimer: NodeJS.Timeout | undefined;
      let confirming = false;
      let done = false;
      const finish = (value: "stable" | "timeout" | Error) => {
        if (done) return;
        done = true;
        clearTimeout(windowTimer);
        clearTimeout(deadlineTimer);
        this.listeners.delete(onChange);
        signal.removeEventListener("abort", onAbort);
        if (value instanceof Error) reject(value);
        else resolveWait(value);
      };
      const windowEnded = () => {
        confirming = true;
        this.confirmWatches().then((current) => {
          confirming = false;
          if (done) return;
          if (current && this.holds()) finish("stable");
          else {
            windowTimer = undefined;
            onChange();
          }
        }, (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))));
      };
      // The window starts when the steady state starts to hold (all watches up) and is cut only when
      // it breaks or a watch goes down; other changes while it holds (an operator renewing its
      // Lease) do not restart it.
      const onChange = () => {
        if (done || confirming) return;
        if (!this.holds()) {
          clearTimeout(windowTimer);
          windowTimer = undefined;
        } else if (windowTimer === undefined) {
          windowTimer = setTimeout(windowEnded, stabilityWindowMs);
        }
      };
      const onAbort = () => finish(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      const deadlineTimer = setTimeout(() => {
        clearTimeout(windowTimer);
        void this.confirmWatches().finally(() => finish("timeout"));
      }, Math.max(0, deadline - Date.now()));
      signal.addEventListener("abort", onAbort, { once: true });
      this.listeners.add(onChange);
      onChange();
    });
  }

  /** Resolves true when `predicate` holds for the watched pods (checked on each pod event), false at the deadline. */
  waitForPods(predicate: (podNames: string[]) => boolean, deadline: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolveWait) => {
      const check = () => {
        if (predicate(this.podNames())) done(true);
      };
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        signal.removeEventListener("abort", onAbort);
        resolveWait(value);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, deadline - Date.now()));
      signal.addEventListener("abort", onAbort, { once: true });
      this.listeners.add(check);
      check();
    });
  }

  stop(): void {
    if (this.controller.signal.aborted) return;
    // Watches still down when observation ends: their outage has no end.
    for (const watcher of this.watchesDown()) {
      const outage = watcher.outage!;
      this.options.recorder.record({ type: "watchOutage", at: outage.since, watch: this.watchLabels.get(watcher) ?? watcher.path, reason: outage.reason });
    }
    this.controller.abort();
  }
}

function podRestarts(pod: KubeObject): number {
  const statuses = (pod.status as { containerStatuses?: { restartCount?: number }[] } | undefined)?.containerStatuses ?? [];
  return statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
}
