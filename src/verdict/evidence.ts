// What the record shows beyond the steady-state checks: the reconcile probe's outcome and the
// evidence that a fault really bit. Pure derivations for the verdict.
import {
  eventsOfType,
  lastEventOfType,
  sortEvents,
  wholeSteadyStateTrace,
  type ProbeRepairedEvent,
  type ProbeSentEvent,
  type ProbeUnrepairedEvent,
  type Timeline,
} from "../observe/timeline.js";
import { formatDuration } from "./format.js";

export interface ProbeOutcome {
  /** The probe sent while the sustained fault was held, and how it ended in that stage. */
  fault?: { sent: ProbeSentEvent; repaired?: ProbeRepairedEvent; unrepaired?: ProbeUnrepairedEvent };
  /** The probe's last outcome after the revert (or after an instantaneous fault's recovery). */
  recovery?: { repaired?: ProbeRepairedEvent; unrepaired?: ProbeUnrepairedEvent };
}

export function probeOutcome(timeline: Timeline): ProbeOutcome {
  const events = sortEvents(timeline);
  const outcome: ProbeOutcome = {};
  const faultSent = eventsOfType(events, "probeSent").find((event) => event.stage === "fault");
  if (faultSent) {
    const repaired = eventsOfType(events, "probeRepaired").find((event) => event.stage === "fault");
    const unrepaired = eventsOfType(events, "probeUnrepaired").find((event) => event.stage === "fault");
    outcome.fault = { sent: faultSent, ...(repaired ? { repaired } : {}), ...(unrepaired ? { unrepaired } : {}) };
  }
  const recoveryEvents = events.filter((event): event is ProbeRepairedEvent | ProbeUnrepairedEvent =>
    (event.type === "probeRepaired" || event.type === "probeUnrepaired") && event.stage === "recovery");
  const last = recoveryEvents.at(-1);
  if (last) outcome.recovery = last.type === "probeRepaired" ? { repaired: last } : { unrepaired: last };
  return outcome;
}

/** The operator stopped reconciling: the probe was not repaired after the fault was over. */
export function stoppedReconciling(outcome: ProbeOutcome): string | undefined {
  const unrepaired = outcome.recovery?.unrepaired;
  if (!unrepaired) return undefined;
  return `the operator stopped reconciling: the reconcile probe (${unrepaired.probe}) was not repaired within ${formatDuration(unrepaired.waitedMs)}`;
}

/**
 * Evidence that a fault whose presence proves nothing (needsObservedEffect) bit while it was held:
 * an observed effect (faultEffect), the probe staying unrepaired, or the whole steady state lost
 * between the injection and `until` (the revert, or the post-check with Go timing).
 */
export function observedEffects(timeline: Timeline, until: number | undefined): string[] {
  const events = sortEvents(timeline);
  const injected = lastEventOfType(events, "injectionStarted")?.at;
  if (injected === undefined) return [];
  const end = until ?? Number.POSITIVE_INFINITY;
  const within = (at: number) => at >= injected && at <= end;
  const effects = eventsOfType(events, "faultEffect").filter((event) => within(event.at)).map((event) => event.evidence);
  for (const event of eventsOfType(events, "probeUnrepaired")) {
    if (event.stage === "fault") effects.push(`the reconcile probe stayed unrepaired for the ${formatDuration(event.waitedMs)} the fault was held`);
  }
  const lost = wholeSteadyStateTrace(events).find((step) => within(step.event.at) && step.event.at > injected && !step.holds);
  if (lost) effects.push("the steady state was lost while the fault was held");
  return effects;
}

/** Why no effect was seen, in words, for the report. */
export function missingEffect(outcome: ProbeOutcome): string {
  const probe = outcome.fault?.repaired
    ? `the reconcile probe was repaired ${formatDuration(outcome.fault.repaired.roundTripMs)} after it was sent, while the fault was held`
    : outcome.fault
      ? "the reconcile probe gave no answer"
      : "no reconcile probe was sent (give a knowledge model with --knowledge, or spec.probe)";
  return `the fault is in place but no effect of it was seen: the steady state held throughout, ${probe}, and nothing else showed the operator cut off`;
}
