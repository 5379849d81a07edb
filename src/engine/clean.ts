import { findRunnableFault, runnableFaults } from "../faults/registry.js";
import { PROBE_RECORD_TYPE } from "../probe/probe.js";
import { probeRecordReverter } from "../probe/runner.js";
import type { RevertRecord } from "../faults/driver.js";
import { listRecords, recordPath, removeRecord, type JournalRecord } from "../journal/journal.js";
import { isConflict, isNotFound, type KubeRest } from "../kube/rest.js";
import type { ClusterAccess, RevertContext } from "./context.js";
import { CleanStep, revertBrokenForTest, testStep } from "./crash-points.js";
import { lockHeldBy } from "./lock.js";
import { LeaseJudge } from "./liveness.js";
import { ListSharingRest } from "../kube/list-sharing.js";
import { recordsWhereAllowed, removeDeadLocks } from "./clean-scope.js";
import { currentOwner, ownerIsDead, type RunOwner } from "./owner.js";

export interface CleanOptions {
  access: ClusterAccess;
  /** One namespace, or undefined for all namespaces. */
  namespace: string | undefined;
  /** Only this operator's records (a run's start-up sweep). */
  operator?: string | undefined;
  dryRun?: boolean;
  signal?: AbortSignal;
  now?: () => Date;
  /** Called for each record or leftover handled, for progress output. */
  onItem?: (item: CleanItem) => void;
  /** What is known of each lock Lease across sweeps (clean --watch keeps one). */
  judge?: LeaseJudge;
  /** With namespace undefined: where to look when listing across namespaces is forbidden (the kubeconfig's namespace). */
  fallbackNamespace?: string;
}

export type CleanOutcome = "reverted" | "would-revert" | "skipped-live" | "failed";

export interface CleanItem {
  /** lock: a dead run's lock Lease, removed. */
  source: "journal" | "leftover" | "lock";
  faultType: string;
  target: string;
  outcome: CleanOutcome;
  detail?: string;
  record?: string;
}

export interface CleanResult {
  items: CleanItem[];
  reverted: number;
  failed: number;
  skippedLive: number;
}

const describeTarget = (record: Pick<RevertRecord, "target">) =>
  `${record.target.kind}/${record.target.namespace ? `${record.target.namespace}/` : ""}${record.target.name}`;

/**
 * A record belongs to a live run while that run still holds its lock and the injection's TTL has
 * not passed; everything else is reverted. Past its TTL a fault is reverted even if its run lives.
 */
export async function recordIsLive(access: ClusterAccess, record: JournalRecord, now: Date, judge: LeaseJudge = new LeaseJudge(), signal?: AbortSignal): Promise<boolean> {
  if (record.expiresAt && Date.parse(record.expiresAt) <= now.getTime()) return false;
  if (!record.lock) return false;
  return lockHeldBy(access.rest, record.lock.namespace, record.lock.name, record.lock.holder, { now, judge, ...(signal ? { signal } : {}) });
}

/**
 * Reverts every journaled mutation of dead (or expired) runs, newest first so that layered
 * changes unwind in order, and every leftover of the Go tool that a fault driver recognises.
 * Each fault reverts its own records: this function knows none of them by hand.
 */
export async function clean(options: CleanOptions): Promise<CleanResult> {
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  const items: CleanItem[] = [];
  const report = (item: CleanItem) => {
    items.push(item);
    options.onItem?.(item);
  };
  const judge = options.judge ?? new LeaseJudge();
  // In one namespace, the journal's and the faults' many selector lists of the same collections
  // share one list each (every request of this sweep goes through it, so a write drops what it changes).
  const access = options.namespace === undefined ? options.access : { ...options.access, rest: new ListSharingRest(options.access.rest) };
  const { records: listed, namespaces } = await recordsWhereAllowed(access.rest, options.namespace, options.fallbackNamespace);
  const records = listed
    .filter((r) => !options.operator || r.operator === options.operator)
    .reverse();
  for (const record of records) {
    signal.throwIfAborted();
    const base = { source: "journal" as const, faultType: record.faultType, target: describeTarget(record), record: `${record.namespace}/${record.id}` };
    if (await recordIsLive(access, record, now(), judge, signal)) {
      report({ ...base, outcome: "skipped-live", detail: `run ${record.runId} of ${record.experiment} is still running` });
      continue;
    }
    // A reconcile probe's record is reverted by src/probe; every other record by its fault.
    const fault = record.faultType === PROBE_RECORD_TYPE ? probeRecordReverter : findRunnableFault(record.faultType);
    if (!fault) {
      report({ ...base, outcome: "failed", detail: `no fault driver can revert ${record.faultType}` });
      continue;
    }
    if (options.dryRun) {
      report({ ...base, outcome: "would-revert" });
      continue;
    }
    try {
      await testStep(CleanStep.Reverting);
      // Two cleans (or a clean and a run's start-up sweep) may find the same record: one reverts it.
      const claim = await claimRecord(access.rest, record, now());
      if (claim === "gone") continue; // reverted and closed meanwhile by someone else
      if (claim !== "claimed") {
        report({ ...base, outcome: "skipped-live", detail: `being reverted right now by process ${claim.pid} on ${claim.host}` });
        continue;
      }
      if (!revertBrokenForTest(record.faultType)) {
        await fault.revert(revertContext(access, record.namespace, signal, now), { type: fault.spec.type, target: record.target, data: record.data });
      }
      await removeRecord(access.rest, record);
      report({ ...base, outcome: "reverted" });
    } catch (error) {
      report({ ...base, outcome: "failed", detail: (error as Error).message });
    }
  }
  for (const fault of runnableFaults()) {
    if (!fault.leftovers) continue;
    const context = revertContext(access, options.namespace ?? "", signal, now);
    let leftovers: readonly RevertRecord[] = [];
    try {
      // The whole cluster in one call when it could be listed, else each namespace that could.
      const scopes = options.namespace === undefined && namespaces !== undefined ? namespaces : [options.namespace];
      for (const scope of scopes) leftovers = [...leftovers, ...await fault.leftovers(context, scope)];
    } catch (error) {
      report({ source: "leftover", faultType: fault.spec.type, target: "(listing)", outcome: "failed", detail: (error as Error).message });
      continue;
    }
    for (const leftover of leftovers) {
      const base = { source: "leftover" as const, faultType: fault.spec.type, target: describeTarget(leftover) };
      if (options.dryRun) {
        report({ ...base, outcome: "would-revert" });
        continue;
      }
      try {
        if (!revertBrokenForTest(fault.spec.type)) await fault.revert(revertContext(access, leftover.target.namespace ?? "", signal, now), leftover);
        report({ ...base, outcome: "reverted" });
      } catch (error) {
        report({ ...base, outcome: "failed", detail: (error as Error).message });
      }
    }
  }
  // A full clean (not a run's own start-up sweep) also removes the lock Leases of dead runs.
  if (!options.operator) await removeDeadLocks(options.access.rest, namespaces, judge, { dryRun: options.dryRun ?? false, now, signal, report });
  return {
    items,
    reverted: items.filter((i) => i.outcome === "reverted").length,
    failed: items.filter((i) => i.outcome === "failed").length,
    skippedLive: items.filter((i) => i.outcome === "skipped-live").length,
  };
}

/** Annotation on a journal record while a process reverts it: JSON {host, pid, until}. */
export const CLAIM_ANNOTATION = "chaos.operatorchaos.io/reverting";
/** A claim whose holder cannot be seen to die (another machine) lapses after this long. */
const CLAIM_MS = 120_000;

interface Claim extends RunOwner {
  until: string;
}

/**
 * Claims a record before reverting it, with a resourceVersion-guarded write of the claim
 * annotation: of two processes claiming at the same moment exactly one succeeds. A claim held by a
 * process that is gone, or past its time, is taken over; this process's own is kept. Returns the claim that
 * stands in the way, or "gone" when the record was removed meanwhile (its revert is done).
 */
async function claimRecord(rest: KubeRest, record: JournalRecord, now: Date): Promise<"claimed" | "gone" | Claim> {
  const path = recordPath(record);
  const me = currentOwner();
  for (let attempt = 1; ; attempt += 1) {
    let stored: { metadata: { annotations?: Record<string, string> } };
    try {
      stored = await rest.get(path);
    } catch (error) {
      if (isNotFound(error)) return "gone";
      throw error;
    }
    const held = parseClaim(stored.metadata.annotations?.[CLAIM_ANNOTATION]);
    if (held && Date.parse(held.until) > now.getTime()) {
      // Ours already (an earlier attempt of this process failed): no second write, which would
      // wake `clean --watch` again and again.
      if (held.host === me.host && held.pid === me.pid) return "claimed";
      if (!ownerIsDead(held)) return held;
    }
    const claim: Claim = { ...me, until: new Date(now.getTime() + CLAIM_MS).toISOString() };
    stored.metadata.annotations = { ...stored.metadata.annotations, [CLAIM_ANNOTATION]: JSON.stringify(claim) };
    try {
      // The body carries the resourceVersion just read: a claim written meanwhile makes this a conflict.
      await rest.replace(path, stored);
      return "claimed";
    } catch (error) {
      if (isNotFound(error)) return "gone";
      // Changed meanwhile: read again (normally to find the other process's claim).
      if (!isConflict(error) || attempt >= 3) throw error;
    }
  }
}

function parseClaim(text: string | undefined): Claim | undefined {
  if (!text) return undefined;
  try {
    const claim = JSON.parse(text) as Partial<Claim>;
    return typeof claim.host === "string" && typeof claim.pid === "number" && typeof claim.until === "string" ? (claim as Claim) : undefined;
  } catch {
    return undefined;
  }
}

export function revertContext(access: ClusterAccess, namespace: string, signal: AbortSignal, now: () => Date): RevertContext {
  return { namespace, cluster: access, signal, now };
}
