// The controller loop: a watch of ChaosExperiment objects (ResourceWatcher), one decision per change
// (finalizer.ts), at most maxConcurrent runs at a time. Nothing a fault needs lives only here: the
// journal on the cluster is what gets reverted, by the run, by the next controller, or by clean.

import type { KubeConfig } from "@kubernetes/client-node";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import { clusterAccess, type ClusterAccess } from "../engine/context.js";
import { atLeast, ResourceWatcher } from "../kube/watcher.js";
import { isNotFound } from "../kube/rest.js";
import { EventReason, EventRecorder, EventType } from "./events.js";
import { Action, afterFailedRelease, decide, type InFlight } from "./finalizer.js";
import { ControllerMetrics, type MetricsObject } from "./metrics.js";
import { asExperiment, collectionPath, ExperimentClient, keyOf, type ExperimentObject } from "./objects.js";
import { sweep } from "./release.js";
import { runObject } from "./run-object.js";
import { abortedAfterCrash, invalidStatus } from "./status.js";

export interface ReconcilerOptions {
  kubeconfig: KubeConfig;
  /** Undefined: every namespace. */
  namespace: string | undefined;
  knowledge: readonly OperatorKnowledge[];
  maxConcurrent: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

interface Run extends InFlight {
  abort: AbortController;
  done: Promise<void>;
}

const MAX_RETRY_DELAY_MS = 30_000;

export class Reconciler {
  readonly access: ClusterAccess;
  readonly metrics: ControllerMetrics;
  private readonly watcher: ResourceWatcher;
  private readonly client: ExperimentClient;
  private readonly events: EventRecorder;
  private readonly runs = new Map<string, Run>();
  /** Keys being handled right now, and keys that changed meanwhile (handled again after). */
  private readonly busy = new Set<string>();
  private readonly dirty = new Set<string>();
  /** Keys waiting for a free run slot. */
  private readonly waiting = new Set<string>();
  /** The resourceVersion of our last status write per key: an older cached copy is stale. */
  private readonly written = new Map<string, string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private synced = false;

  constructor(private readonly options: ReconcilerOptions) {
    this.access = clusterAccess(options.kubeconfig);
    this.client = new ExperimentClient(this.access.rest);
    this.events = new EventRecorder(this.access.rest, options.log);
    this.metrics = new ControllerMetrics(() => this.watcher.objects.values() as Iterable<MetricsObject>);
    this.watcher = new ResourceWatcher(this.access.rest, { path: collectionPath(options.namespace), signal: options.signal }, {
      onEvent: (type, object) => {
        const key = keyOf(object as ExperimentObject);
        if (type === "DELETED") {
          this.written.delete(key);
          this.failures.delete(key);
          return;
        }
        if (this.synced) this.schedule(key);
      },
      onTrouble: (reason) => options.log(`watch of ChaosExperiments: ${reason}`),
    });
    options.signal.addEventListener("abort", () => {
      for (const timer of this.timers) clearTimeout(timer);
      for (const run of this.runs.values()) run.abort.abort(options.signal.reason ?? new Error("the controller is stopping"));
    }, { once: true });
  }

  get ready(): boolean {
    return this.synced;
  }

  /** Lists (the cache), then handles every object: dead runs found here are recovered first of all. */
  async start(): Promise<void> {
    await this.watcher.start();
    this.synced = true;
    for (const key of this.watcher.objects.keys()) this.schedule(key);
  }

  /** Waits for the runs in flight (after the signal, they revert and write their status). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.runs.values()].map((run) => run.done));
  }

  private schedule(key: string): void {
    if (this.options.signal.aborted) return;
    if (this.busy.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.busy.add(key);
    void this.handle(key)
      .catch((error: Error) => {
        const attempt = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, attempt);
        this.options.log(`${key}: ${error.message}; retrying`);
        this.later(key, Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** (attempt - 1)));
      })
      .finally(() => {
        this.busy.delete(key);
        if (this.dirty.delete(key)) this.schedule(key);
      });
  }

  private later(key: string, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.schedule(key);
    }, ms);
    this.timers.add(timer);
  }

  private async handle(key: string): Promise<void> {
    const object = this.watcher.objects.get(key) as ExperimentObject | undefined;
    if (!object) return;
    const written = this.written.get(key);
    // Our own write is on its way through the watch; deciding on the copy before it would misread it.
    if (written !== undefined && !atLeast(object.metadata.resourceVersion, written)) return;
    const run = this.runs.get(key);
    const action = decide(object, run);
    switch (action) {
      case Action.Ignore:
      case Action.Wait:
        return;
      case Action.Abort: {
        const why = object.metadata.deletionTimestamp ? "the object was deleted" : "spec mutated after the experiment started";
        if (!object.metadata.deletionTimestamp) await this.events.record(object, EventType.Warning, EventReason.SpecMutated, `Generation ${object.metadata.generation} arrived during the run of generation ${run!.generation}: aborting it`);
        run!.abort.abort(new Error(why));
        return;
      }
      case Action.Run:
        return this.startRun(key, object);
      case Action.Release:
        return this.release(key, object);
      case Action.Recover:
        return this.recover(key, object);
    }
  }

  private async startRun(key: string, object: ExperimentObject): Promise<void> {
    const checked = asExperiment(object);
    if ("errors" in checked) {
      if (object.status?.observedGeneration === object.metadata.generation) return; // already said
      const status = invalidStatus(object.status, checked.errors, object.metadata.generation, new Date());
      this.wrote(key, await this.client.writeStatus(object, object.status, status));
      await this.events.record(object, EventType.Warning, EventReason.ValidationFailed, status.message ?? "");
      return;
    }
    if (this.runs.size >= this.options.maxConcurrent) {
      this.waiting.add(key);
      return;
    }
    this.waiting.delete(key);
    const abort = new AbortController();
    const done = runObject({
      object, experiment: checked.experiment, kubeconfig: this.options.kubeconfig, knowledge: this.options.knowledge,
      client: this.client, events: this.events, metrics: this.metrics, signal: abort.signal, log: this.options.log,
      wrote: (version) => this.wrote(key, version),
    }).catch((error: Error) => {
      if (!isNotFound(error)) this.options.log(`${key}: run failed: ${error.message}`);
    }).finally(() => {
      this.runs.delete(key);
      this.schedule(key);
      for (const next of [...this.waiting]) this.schedule(next);
    });
    this.runs.set(key, { generation: object.metadata.generation, abort, done });
  }

  /** Deleted (or finished with a failed revert): revert what the journal holds, then let the object go. */
  private async release(key: string, object: ExperimentObject): Promise<void> {
    const checked = asExperiment(object);
    const result = "experiment" in checked ? await sweep(this.access, checked.experiment, this.options.signal) : { done: true, reverted: 0, problems: [] };
    if (result.done) {
      if (result.reverted > 0) await this.events.record(object, EventType.Normal, EventReason.FaultReverted, `${result.reverted} journaled change(s) reverted`);
      this.failures.delete(key);
      await this.client.removeFinalizer(object);
      return;
    }
    const attempts = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempts);
    const problem = `revert failed (attempt ${attempts}): ${result.problems.join("; ")}`;
    if (object.metadata.deletionTimestamp && afterFailedRelease(object, attempts) === "force") {
      await this.events.record(object, EventType.Warning, EventReason.FinalizerForced,
        `Finalizer removed by the force-remove-finalizer annotation after ${attempts} failed reverts; the fault may still be active: run operator-chaos clean (${problem})`);
      await this.client.removeFinalizer(object);
      return;
    }
    await this.events.record(object, EventType.Warning, EventReason.CleanupError, problem);
    this.wrote(key, await this.client.writeStatus(object, object.status, { ...object.status, cleanupError: problem }).catch(() => undefined));
    this.later(key, Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** (attempts - 1)));
  }

  /** A run in an active phase that no run here owns: its controller died. Revert its journal, then say Aborted. */
  private async recover(key: string, object: ExperimentObject): Promise<void> {
    const checked = asExperiment(object);
    const phase = object.status?.phase;
    let reverted = 0;
    if ("experiment" in checked) {
      const result = await sweep(this.access, checked.experiment, this.options.signal);
      if (!result.done) {
        // Still held by a live run (another controller without leader election) or a revert failing: later.
        this.options.log(`${key}: found in phase ${phase} with no run here; waiting: ${result.problems.join("; ")}`);
        this.later(key, 5_000);
        return;
      }
      reverted = result.reverted;
    }
    const reason = `the controller running it stopped in phase ${phase}; ${reverted} journaled change(s) were reverted`;
    const status = abortedAfterCrash(object.status ?? {}, reason, object.metadata.generation, new Date());
    this.wrote(key, await this.client.writeStatus(object, object.status, status));
    await this.events.record(object, EventType.Warning, EventReason.RecoveredAfterCrash, status.message ?? reason);
    await this.client.removeFinalizer(object);
  }

  private wrote(key: string, version: string | undefined): void {
    if (version !== undefined) this.written.set(key, version);
  }
}
