// The cluster into the dashboard, by watch (ResourceWatcher over the one KubeRest transport): lock
// Leases and journal records make a CLI run visible while it runs; result ConfigMaps (ours and the Go
// tool's) and finished ChaosExperiments go into the history. Secrets holding journal records are read
// by their labels only: their data never leaves the watch.

import { pauseUnlessAborted } from "../engine/delay.js";
import { EXPERIMENT_LABEL, JOURNAL_LABEL, OPERATOR_LABEL, TYPE_LABEL, journalSelector, managedBySelector } from "../journal/labels.js";
import { parseRecord } from "../journal/journal.js";
import { isForbidden, isNotFound, type KubeRest } from "../kube/rest.js";
import type { KubeObject } from "../kube/watch.js";
import { ResourceWatcher, type WatchEventType } from "../kube/watcher.js";
import { parseReport } from "../report/model.js";
import { controllerReport, isFinishedPhase } from "./controller-report.js";
import { ReportSource, type History } from "./history.js";
import type { LiveBoard } from "./live.js";

const LOCK_PREFIX = "operator-chaos-lock-";
const CRD_NAME = "chaosexperiments.chaos.operatorchaos.io";
const CHAOS_EXPERIMENTS = "/apis/chaos.operatorchaos.io/v1alpha1/chaosexperiments";
/** Between attempts to start a watch the API server refused or did not answer. */
const RETRY_MS = 5_000;

/** How each watched source is doing, for the status bar of the UI. */
export const SourceState = { Starting: "starting", Watching: "watching", Down: "down", Absent: "absent", Forbidden: "forbidden" } as const;
export type SourceState = (typeof SourceState)[keyof typeof SourceState];

export interface SourceStatus {
  name: string;
  state: SourceState;
  detail: string;
}

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  creationTimestamp?: string;
}

const meta = (object: KubeObject) => (object.metadata ?? {}) as Meta;

export class ClusterIngest {
  readonly sources = new Map<string, SourceStatus>();
  private readonly watchers: ResourceWatcher[] = [];
  private chaosStarted = false;

  constructor(
    private readonly rest: KubeRest,
    private readonly history: History,
    private readonly board: LiveBoard,
    private readonly signal: AbortSignal,
    private readonly warn: (text: string) => void = () => {},
  ) {}

  /** Starts every watch; resolves once each has listed (or is known to be unavailable). */
  async start(): Promise<void> {
    await Promise.all([
      this.watch("leases", { path: "/apis/coordination.k8s.io/v1/leases", labelSelector: managedBySelector }, (type, o) => this.onLease(type, o)),
      this.watch("journal (ConfigMaps)", { path: "/api/v1/configmaps", labelSelector: journalSelector }, (type, o) => this.onRecord(type, o, "ConfigMap")),
      this.watch("journal (Secrets)", { path: "/api/v1/secrets", labelSelector: journalSelector }, (type, o) => this.onRecord(type, o, "Secret")),
      this.watch("result ConfigMaps", { path: "/api/v1/configmaps", labelSelector: `${managedBySelector},${EXPERIMENT_LABEL},!${JOURNAL_LABEL}` }, (type, o) => this.onResult(type, o)),
      this.watchChaosCrd(),
    ]);
  }

  status(): SourceStatus[] {
    return [...this.sources.values()];
  }

  private setStatus(name: string, state: SourceState, detail = ""): void {
    this.sources.set(name, { name, state, detail });
  }

  private async watch(
    name: string,
    options: { path: string; labelSelector?: string; fieldSelector?: string },
    onEvent: (type: WatchEventType, object: KubeObject) => void,
  ): Promise<boolean> {
    this.setStatus(name, SourceState.Starting);
    const watcher = new ResourceWatcher(this.rest, { ...options, signal: this.signal }, {
      onEvent: (type, object) => {
        try {
          onEvent(type, object);
        } catch (error) {
          this.warn(`${name}: ${(error as Error).message}`);
        }
      },
      onTrouble: (reason) => this.setStatus(name, SourceState.Down, reason),
      onResumed: () => this.setStatus(name, SourceState.Watching),
    });
    try {
      await watcher.start();
      this.watchers.push(watcher);
      this.setStatus(name, SourceState.Watching);
      return true;
    } catch (error) {
      const state = isNotFound(error) ? SourceState.Absent : isForbidden(error) ? SourceState.Forbidden : SourceState.Down;
      this.setStatus(name, state, (error as Error).message);
      if (state !== SourceState.Down || this.signal.aborted) return false;
      // The API server unreachable at start: the dashboard serves the history meanwhile and keeps trying.
      this.warn(`${name}: cannot watch yet (retrying): ${(error as Error).message}`);
      void this.retry(name, options, onEvent);
      return false;
    }
  }

  private async retry(name: string, options: { path: string; labelSelector?: string; fieldSelector?: string }, onEvent: (type: WatchEventType, object: KubeObject) => void): Promise<void> {
    await pauseUnlessAborted(RETRY_MS, this.signal);
    if (!this.signal.aborted) await this.watch(name, options, onEvent);
  }

  private onLease(type: WatchEventType, object: KubeObject): void {
    const { name = "", namespace = "" } = meta(object);
    if (!name.startsWith(LOCK_PREFIX)) return;
    if (type === "DELETED") return this.board.leaseGone(namespace, name);
    const spec = (object as { spec?: { holderIdentity?: string; acquireTime?: string } }).spec ?? {};
    this.board.lease(namespace, name, name.slice(LOCK_PREFIX.length), spec.holderIdentity, spec.acquireTime);
  }

  private onRecord(type: WatchEventType, object: KubeObject, storedAs: "ConfigMap" | "Secret"): void {
    const { name = "", namespace = "", labels = {}, creationTimestamp } = meta(object);
    const id = `${storedAs}/${namespace}/${name}`;
    if (type === "DELETED") return this.board.recordGone(id);
    // A ConfigMap record says which experiment and object; a Secret's content is never read.
    const record = storedAs === "ConfigMap" ? parseRecord(object as never, storedAs) : undefined;
    const target = record ? [record.target.kind, record.target.namespace, record.target.name].filter(Boolean).join("/") : "";
    this.board.record(id, record?.operator ?? labels[OPERATOR_LABEL] ?? "", record?.experiment ?? "", {
      faultType: record?.faultType ?? labels[TYPE_LABEL] ?? "", target, since: record?.createdAt ?? creationTimestamp ?? "",
    });
  }

  private onResult(type: WatchEventType, object: KubeObject): void {
    if (type === "DELETED") return;
    const { name = "", namespace = "" } = meta(object);
    const origin = `configmap:${namespace}/${name}`;
    const raw = (object as { data?: Record<string, string> }).data?.["result.json"];
    const version = String(object.metadata?.resourceVersion ?? "");
    if (raw === undefined || this.history.seen(origin, version)) return;
    let parsed;
    try {
      parsed = parseReport(JSON.parse(raw));
    } catch (error) {
      parsed = { ok: false as const, error: `not valid JSON: ${(error as Error).message}` };
    }
    if (!parsed.ok) {
      this.warn(`ConfigMap ${namespace}/${name}: skipped: ${parsed.error}`);
      this.history.markSeen(origin, version, parsed.error);
      return;
    }
    this.history.addReport(parsed.report, ReportSource.ConfigMap, origin);
    this.history.markSeen(origin, version);
  }

  /** The CRD may be installed later (or never): its own watch starts the ChaosExperiment watch. */
  private async watchChaosCrd(): Promise<void> {
    const name = "ChaosExperiments";
    const ok = await this.watch("ChaosExperiment CRD", { path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", fieldSelector: `metadata.name=${CRD_NAME}` }, (type) => {
      if (type === "DELETED") this.setStatus(name, SourceState.Absent, `CRD ${CRD_NAME} not installed`);
      else void this.startChaosExperiments(name);
    });
    if (!ok) {
      // Not allowed to read CRDs: try the resource itself once.
      this.sources.delete("ChaosExperiment CRD");
      await this.startChaosExperiments(name);
    } else if (!this.chaosStarted) {
      this.setStatus(name, SourceState.Absent, `CRD ${CRD_NAME} not installed`);
    }
  }

  private async startChaosExperiments(name: string): Promise<void> {
    if (this.chaosStarted) return;
    this.chaosStarted = true;
    if (!(await this.watch(name, { path: CHAOS_EXPERIMENTS }, (type, object) => this.onChaosExperiment(type, object)))) this.chaosStarted = false;
  }

  private onChaosExperiment(type: WatchEventType, object: KubeObject): void {
    const { name = "", namespace = "" } = meta(object);
    if (type === "DELETED") return this.board.controllerGone(namespace, name);
    const { spec = {}, status = {} } = object as { spec?: Record<string, any>; status?: Record<string, any> };
    const phase = String(status.phase ?? "");
    const finished = isFinishedPhase(phase);
    this.board.controller(namespace, name, String(spec.target?.operator ?? ""), phase, status.startTime, String(spec.injection?.type ?? ""), finished);
    if (!finished) return;
    const origin = `chaosexperiment:${namespace}/${name}/${status.startTime ?? meta(object).creationTimestamp ?? ""}`;
    const version = String(object.metadata?.resourceVersion ?? "");
    if (this.history.seen(origin, version)) return;
    const report = controllerReport(object);
    if (report) this.history.addReport(report, ReportSource.Controller, origin);
    this.history.markSeen(origin, version, report ? undefined : "no verdict in status");
  }
}
