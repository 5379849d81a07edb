// What a fault driver's runtime operations use, with the engine's concrete types. The driver
// contract keeps the cluster and journal opaque (so validation never loads a client); drivers
// that act on a cluster unwrap them here, in one place.
import type { ClusterAccess } from "../engine/context.js";
import type { Journal } from "../journal/journal.js";
import type { FaultRuntimeContext, RevertContext } from "./driver.js";

export function clusterOf(context: FaultRuntimeContext | RevertContext): ClusterAccess {
  return context.cluster as ClusterAccess;
}

export function journalOf(context: FaultRuntimeContext): Journal {
  return context.journal as Journal;
}

/** Fisher–Yates with a cryptographic source: which pods die must not be predictable or biased. */
export async function randomSubset<T>(items: readonly T[], count: number): Promise<T[]> {
  const { randomInt } = await import("node:crypto");
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}
