// Reverting what a run no longer in flight left in the journal, with clean's logic: for a deleted
// object before its finalizer comes off, and for a run whose controller died (marked Aborted).

import type { ChaosExperiment } from "../experiment/types.js";
import { clean, type CleanItem } from "../engine/clean.js";
import type { ClusterAccess } from "../engine/context.js";
import { resolveNamespace } from "../engine/settings.js";

export interface Sweep {
  /** Everything of the experiment's operator is reverted (or there was nothing). */
  done: boolean;
  reverted: number;
  /** Why not done: failures and records of runs still live. */
  problems: string[];
}

/** Reverts the journal records of dead runs of this experiment's operator in its namespace. */
export async function sweep(access: ClusterAccess, experiment: ChaosExperiment, signal: AbortSignal): Promise<Sweep> {
  const namespace = resolveNamespace(experiment);
  const result = await clean({ access, namespace, operator: experiment.spec.target.operator, signal });
  const blocking = result.items.filter((item) => (item.outcome === "failed" && item.target !== "(listing)") || (item.outcome === "skipped-live" && mine(item, experiment)));
  return {
    done: blocking.length === 0,
    reverted: result.items.filter((item) => item.outcome === "reverted" && item.source === "journal").length,
    problems: blocking.map((item) => `${item.faultType} ${item.target}: ${item.outcome === "failed" ? item.detail ?? "failed" : item.detail ?? "still live"}`),
  };
}

/** A live record of another experiment of the same operator does not hold this one up. */
function mine(item: CleanItem, experiment: ChaosExperiment): boolean {
  return item.detail === undefined || item.detail.includes(` of ${experiment.metadata.name} `);
}
