// When the operator really recovered, and what flapping is. Pure.
//
// Converging is not flapping: while an operator rebuilds what a fault broke, a status can pass through
// an in-between value (1 stale → 0 → 1 within milliseconds), so the steady state may hold for an
// instant and break again. Only a hold that lasted at least `settledMs` (or lasted to the end of the
// record) is a recovery; flapping is the whole steady state lost again after such a recovery.
import { analyzeRecovery, wholeSteadyStateTrace, type Persistence, type Timeline } from "../observe/timeline.js";

/** How long the whole steady state must hold to count as recovered rather than passing through. */
export const SETTLED_MS = 1_000;

/** One stretch of time during which the whole steady state held. */
export interface HoldSpan {
  from: number;
  /** When it broke again; undefined when it held to the end of the record. */
  until?: number;
}

export interface Flap {
  /** When the whole steady state held (after having recovered). */
  recoveredAt: number;
  /** When it was lost again. */
  lostAt: number;
}

export interface SettledRecovery {
  /** Start of the first hold, at or after recovery start, that lasted `settledMs` or to the end. */
  recoveredAt?: number;
  recoveryStartAt?: number;
  /** recoveredAt − recoveryStartAt; 0 when the steady state was never disrupted. */
  recoveryTimeMs?: number;
  /** Holds shorter than `settledMs` before the recovery: in-between states while converging. */
  transients: HoldSpan[];
  /** Losses of the whole steady state after it had recovered. */
  flaps: Flap[];
}

/** The stretches during which the whole steady state held, from `from` on. */
export function holdSpans(timeline: Timeline, from: number): HoldSpan[] {
  const spans: HoldSpan[] = [];
  let open: HoldSpan | undefined;
  for (const { event, holds } of wholeSteadyStateTrace(timeline)) {
    if (event.at < from) continue;
    if (holds && !open) {
      open = { from: event.at };
      spans.push(open);
    } else if (!holds && open) {
      open.until = event.at;
      open = undefined;
    }
  }
  return spans;
}

export function settledRecovery(
  timeline: Timeline,
  options: { persistence: Persistence; settledMs?: number },
): SettledRecovery {
  const settledMs = options.settledMs ?? SETTLED_MS;
  const first = analyzeRecovery(timeline, { persistence: options.persistence });
  const base = { recoveryStartAt: first.recoveryStartAt, transients: [] as HoldSpan[], flaps: [] as Flap[] };
  if (first.recoveredAt === undefined || first.recoveryStartAt === undefined) return base;
  // Never disrupted: recovered at recovery start by definition.
  if (first.disruptedAt === undefined) {
    return { ...base, recoveredAt: first.recoveredAt, recoveryTimeMs: first.recoveryTimeMs ?? 0 };
  }
  const spans = holdSpans(timeline, first.recoveredAt);
  const settledIndex = spans.findIndex((span) => span.until === undefined || span.until - span.from >= settledMs);
  if (settledIndex < 0) return { ...base, transients: spans };
  const settled = spans[settledIndex]!;
  const flaps = spans.slice(settledIndex).flatMap((span) => (span.until === undefined ? [] : [{ recoveredAt: span.from, lostAt: span.until }]));
  return {
    ...base,
    recoveredAt: settled.from,
    recoveryTimeMs: settled.from - first.recoveryStartAt,
    transients: spans.slice(0, settledIndex),
    flaps,
  };
}
