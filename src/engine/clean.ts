import { faultDrivers, findFaultDriver } from "../faults/registry.js";
import type { RevertRecord } from "../faults/driver.js";
import { listRecords, removeRecord, type JournalRecord } from "../journal/journal.js";
import type { ClusterAccess, RevertContext } from "./context.js";
import { lockHeldBy } from "./lock.js";
import { revertBrokenForTest } from "./crash-points.js";

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
}

export type CleanOutcome = "reverted" | "would-revert" | "skipped-live" | "failed";

export interface CleanItem {
  source: "journal" | "leftover";
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
export async function recordIsLive(access: ClusterAccess, record: JournalRecord, now: Date): Promise<boolean> {
  if (record.expiresAt && Date.parse(record.expiresAt) <= now.getTime()) return false;
  if (!record.lock) return false;
  return lockHeldBy(access.rest, record.lock.namespace, record.lock.name, record.lock.holder, now);
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
  const records = (await listRecords(options.access.rest, options.namespace))
    .filter((r) => !options.operator || r.operator === options.operator)
    .reverse();
  for (const record of records) {
    signal.throwIfAborted();
    const base = { source: "journal" as const, faultType: record.faultType, target: describeTarget(record), record: `${record.namespace}/${record.id}` };
    if (await recordIsLive(options.access, record, now())) {
      report({ ...base, outcome: "skipped-live", detail: `run ${record.runId} of ${record.experiment} is still running` });
      continue;
    }
    const driver = findFaultDriver(record.faultType);
    if (!driver?.revert) {
      report({ ...base, outcome: "failed", detail: `no fault driver can revert ${record.faultType}` });
      continue;
    }
    if (options.dryRun) {
      report({ ...base, outcome: "would-revert" });
      continue;
    }
    try {
      if (!revertBrokenForTest(record.faultType)) {
        await driver.revert(revertContext(options.access, record.namespace, signal, now), { type: record.faultType as RevertRecord["type"], target: record.target, data: record.data });
      }
      await removeRecord(options.access.rest, record);
      report({ ...base, outcome: "reverted" });
    } catch (error) {
      report({ ...base, outcome: "failed", detail: (error as Error).message });
    }
  }
  for (const driver of faultDrivers()) {
    if (!driver.leftovers || !driver.revert) continue;
    const context = revertContext(options.access, options.namespace ?? "", signal, now);
    let leftovers: readonly RevertRecord[] = [];
    try {
      leftovers = await driver.leftovers(context, options.namespace);
    } catch (error) {
      report({ source: "leftover", faultType: driver.type, target: "(listing)", outcome: "failed", detail: (error as Error).message });
      continue;
    }
    for (const leftover of leftovers) {
      const base = { source: "leftover" as const, faultType: driver.type, target: describeTarget(leftover) };
      if (options.dryRun) {
        report({ ...base, outcome: "would-revert" });
        continue;
      }
      try {
        await driver.revert(revertContext(options.access, leftover.target.namespace ?? "", signal, now), leftover);
        report({ ...base, outcome: "reverted" });
      } catch (error) {
        report({ ...base, outcome: "failed", detail: (error as Error).message });
      }
    }
  }
  return {
    items,
    reverted: items.filter((i) => i.outcome === "reverted").length,
    failed: items.filter((i) => i.outcome === "failed").length,
    skippedLive: items.filter((i) => i.outcome === "skipped-live").length,
  };
}

export function revertContext(access: ClusterAccess, namespace: string, signal: AbortSignal, now: () => Date): RevertContext {
  return { namespace, cluster: access, journal: undefined as never, signal, now };
}
