// Watch outages and the decision they may undermine: pure derivations over the timeline.

import { eventsOfType, lastEventOfType, type Timeline, type WatchOutageEvent } from "./timeline.js";

/**
 * The span the verdict rests on: the stability window that ended in the decision, up to the
 * post-check (the observer restarts that window after every outage, so a clean decision has none
 * inside it). Undefined without a post-check.
 */
export function decisionSpan(timeline: Timeline, stabilityWindowMs: number): { from: number; to: number } | undefined {
  const postCheck = lastEventOfType(timeline, "postCheck");
  if (!postCheck) return undefined;
  return { from: postCheck.at - stabilityWindowMs, to: postCheck.at };
}

/** Outages that overlap the decision span, or were still going on when observation ended. */
export function outagesAtDecision(timeline: Timeline, stabilityWindowMs: number): WatchOutageEvent[] {
  const span = decisionSpan(timeline, stabilityWindowMs);
  if (!span) return [];
  return eventsOfType(timeline, "watchOutage").filter((outage) => outage.at <= span.to && (outage.until === undefined || outage.until >= span.from));
}

/** Outages before the decision: nothing lost, but events right after them carry arrival times. */
export function earlierOutages(timeline: Timeline, stabilityWindowMs: number): WatchOutageEvent[] {
  const overlapping = new Set(outagesAtDecision(timeline, stabilityWindowMs));
  return eventsOfType(timeline, "watchOutage").filter((outage) => !overlapping.has(outage));
}
