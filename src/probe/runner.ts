// The reconcile probe on a cluster: journal, change, watch for the operator's repair, revert.
// The journal record is written BEFORE the change, so a crash, Ctrl-C or kill -9 leaves nothing
// that `clean` (revertProbeRecord) or the next run cannot put back.
import type { ClusterAccess } from "../engine/context.js";
import type { AnyRunnableFault, PermissionNeed, RevertContext } from "../faults/driver.js";
import type { Journal, JournalRecord } from "../journal/journal.js";
import { isConflict, isNotFound } from "../kube/rest.js";
import { ResourceWatcher } from "../kube/watcher.js";
import type { KubeObject } from "../kube/watch.js";
import { TOOL_FIELD_MANAGER } from "../observe/managed.js";
import type { ProbeStage, TimelineRecorder } from "../observe/timeline.js";
import {
  PROBE_RECORD_TYPE, changePatch, changeStands, describeProbe, isRepaired, objectText, originalOf, probeVerbs, restorePatch,
  type ProbeOriginal, type ProbeSpec,
} from "./probe.js";

/** What a probe's journal record holds: enough to undo the change without anything else. */
export interface ProbeRecordData {
  spec: ProbeSpec;
  original: ProbeOriginal;
}

interface Sent {
  stage: ProbeStage;
  sentAt: number;
  /** When the stage's clock starts (the send, or the revert for a probe carried over from the fault). */
  clockFrom: number;
  record: JournalRecord<ProbeRecordData>;
  original: ProbeOriginal;
  repairedAt?: number;
}

type Listener = () => void;

/** The probe's writes carry this manager, so they never count as the operator's reconcile cycles. */
const PROBE_FIELD_MANAGER = `${TOOL_FIELD_MANAGER}-probe`;

/**
 * One probe per run; it may be sent again after a repair (a new journal record each time). Its
 * watch records the repair in the timeline at the instant the watch event arrives.
 */
export class ReconcileProbe {
  private current: Sent | undefined;
  private watcher: ResourceWatcher | undefined;
  private readonly controller = new AbortController();
  private readonly listeners = new Set<Listener>();
  private latest: KubeObject | undefined;
  readonly description: string;
  readonly resource: string;

  constructor(
    private readonly access: ClusterAccess,
    private readonly journal: Journal,
    private readonly recorder: TimelineRecorder,
    readonly spec: ProbeSpec,
    signal: AbortSignal,
  ) {
    this.description = describeProbe(spec);
    this.resource = objectText(spec.object);
    signal.addEventListener("abort", () => this.controller.abort(), { once: true });
  }

  private async path(): Promise<{ collection: string; object: string }> {
    const { apiVersion, kind, name, namespace } = this.spec.object;
    const collection = await this.access.discovery.collectionPath(apiVersion, kind, namespace);
    return { collection, object: `${collection}/${encodeURIComponent(name)}` };
  }

  /** Starts the watch on the probed object; the object must exist (the probe is refused otherwise). */
  async start(): Promise<void> {
    const { collection } = await this.path();
    this.watcher = new ResourceWatcher(this.access.rest, { path: collection, fieldSelector: `metadata.name=${this.spec.object.name}`, signal: this.controller.signal }, {
      onEvent: (type, object, at) => {
        this.latest = type === "DELETED" ? undefined : object;
        this.seen(at);
      },
    });
    await this.watcher.start();
    if (!this.latest) throw new Error(`the reconcile probe's object ${this.resource} does not exist`);
  }

  private seen(at: number): void {
    const sent = this.current;
    if (sent && sent.repairedAt === undefined && isRepaired(this.spec, sent.original, this.latest as Record<string, unknown> | undefined)) {
      sent.repairedAt = at;
      this.recorder.record({
        type: "probeRepaired", at, stage: sent.stage, probe: this.description, resource: this.resource,
        sentAt: sent.sentAt, roundTripMs: Math.max(0, at - sent.clockFrom),
      });
      // Repaired: nothing of ours is left on the object, so the record is closed at once.
      void this.journal.close(sent.record).catch(() => {});
    }
    for (const listener of this.listeners) listener();
  }

  /** True when a probe is out and not repaired yet. */
  get outstanding(): boolean {
    return this.current !== undefined && this.current.repairedAt === undefined;
  }

  /** Journals, then makes the change; records probeSent. */
  async send(stage: ProbeStage): Promise<void> {
    const paths = await this.path();
    const object = this.latest as Record<string, unknown> | undefined;
    if (!object) throw new Error(`the reconcile probe's object ${this.resource} does not exist`);
    const original = originalOf(this.spec, object);
    const record = await this.journal.write<ProbeRecordData>(PROBE_RECORD_TYPE, this.spec.object, { spec: this.spec, original });
    const sentAt = Date.now();
    this.current = { stage, sentAt, clockFrom: sentAt, record, original };
    this.recorder.record({ type: "probeSent", at: sentAt, stage, probe: this.description, resource: this.resource });
    if (this.spec.change.kind === "delete") {
      await this.access.rest.delete(paths.object, { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: original.uid } });
    } else {
      await this.access.rest.mergePatch(paths.object, changePatch(this.spec), { query: { fieldManager: PROBE_FIELD_MANAGER } });
    }
  }

  /** The fault is over (reverted): an outstanding probe now measures recovery, timed from here. */
  carryOver(stage: ProbeStage, from: number): void {
    if (this.current && this.current.repairedAt === undefined) {
      this.current.stage = stage;
      this.current.clockFrom = from;
    }
  }

  /** Resolves true once the outstanding probe is repaired, false at the deadline (or abort). */
  waitRepaired(deadline: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (!this.outstanding) done(this.current?.repairedAt !== undefined);
      };
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, deadline - Date.now()));
      signal.addEventListener("abort", onAbort, { once: true });
      this.listeners.add(check);
      check();
    });
  }

  /** Records that the outstanding probe was not repaired in this stage (it stays out). */
  recordUnrepaired(stage: ProbeStage): void {
    const sent = this.current;
    if (!sent || sent.repairedAt !== undefined) return;
    const at = Date.now();
    this.recorder.record({ type: "probeUnrepaired", at, stage, probe: this.description, resource: this.resource, sentAt: sent.sentAt, waitedMs: at - sent.clockFrom });
  }

  /** Stops watching and puts back whatever the operator did not repair; closes the record. */
  async close(): Promise<void> {
    this.controller.abort();
    const sent = this.current;
    this.current = undefined;
    if (!sent || sent.repairedAt !== undefined) return;
    await revertProbeRecord(this.access, { target: sent.record.target, data: sent.record.data });
    await this.journal.close(sent.record);
  }
}

/**
 * Undoes a probe from its record alone (used by the run, `clean` and the next run's sweep).
 * Label/field: the original value goes back only while the probe's value still stands (an operator
 * that repaired it, or wrote something else since, is not overwritten). Delete: the object is
 * recreated only if no object of that name exists. Idempotent.
 */
export async function revertProbeRecord(access: ClusterAccess, record: { target: JournalRecord["target"]; data: unknown }): Promise<void> {
  const { spec, original } = record.data as ProbeRecordData;
  const { apiVersion, kind, name, namespace } = spec.object;
  const collection = await access.discovery.collectionPath(apiVersion, kind, namespace);
  const path = `${collection}/${encodeURIComponent(name)}`;
  for (let attempt = 1; ; attempt += 1) {
    let current: Record<string, unknown> | undefined;
    try {
      current = await access.rest.get<Record<string, unknown>>(path);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (spec.change.kind === "delete") {
      if (current || !original.object) return;
      try {
        await access.rest.create(collection, original.object, { query: { fieldManager: PROBE_FIELD_MANAGER } });
      } catch (error) {
        // 409 AlreadyExists: the operator recreated it meanwhile, which is the repair.
        if (!isConflict(error)) throw error;
      }
      return;
    }
    if (!current || !changeStands(spec, original, current)) return;
    const resourceVersion = (current.metadata as { resourceVersion?: string }).resourceVersion;
    const restore = restorePatch(spec, original);
    // Guarded by the resourceVersion: a write by the operator in between is never overwritten.
    const patch = { ...restore, metadata: { ...(restore.metadata as Record<string, unknown> | undefined), resourceVersion } };
    try {
      await access.rest.mergePatch(path, patch, { query: { fieldManager: PROBE_FIELD_MANAGER } });
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}

/** The API permissions the probe will use, for the preflight (the resource resolved by discovery). */
export async function probePermissions(access: ClusterAccess, spec: ProbeSpec): Promise<PermissionNeed[]> {
  const info = await access.discovery.resolve(spec.object.apiVersion, spec.object.kind);
  const group = spec.object.apiVersion.includes("/") ? spec.object.apiVersion.split("/")[0]! : "";
  return probeVerbs(spec).map((verb) => ({ verb, group, resource: info.resource, ...(info.namespaced && spec.object.namespace ? { namespace: spec.object.namespace } : {}) }));
}

/** What `clean` (and a run's start-up sweep) calls for a probe's record, in the shape it calls a fault. */
export const probeRecordReverter = {
  spec: { type: PROBE_RECORD_TYPE },
  revert: (context: RevertContext, record: { target: JournalRecord["target"]; data: unknown }) => revertProbeRecord(context.cluster, record),
} as unknown as Pick<AnyRunnableFault, "spec" | "revert">;
