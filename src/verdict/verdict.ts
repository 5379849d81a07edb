// The verdict: a pure function of the recorded observations and the hypothesis.
// Base rules and deviation names are the Go tool's; the rules marked "ours" come from spec README §3.

import {
  analyzeRecovery,
  collateralResults,
  eventsOfType,
  lastEventOfType,
  latestReconcileCycles,
  managedResourceStatuses,
  sortEvents,
  type CheckOutcome,
  type Persistence,
  type RecoveryAnalysis,
  type TargetRestart,
  type Timeline,
  type WatchOutageEvent,
} from "../observe/timeline.js";
import { RunVerdict } from "../experiment/enums.js";
import { missingEffect, observedEffects, probeOutcome, stoppedReconciling } from "./evidence.js";
import { settledRecovery, SETTLED_MS } from "./flapping.js";
import { formatDuration, formatInstant, plural } from "./format.js";
import { earlierOutages, outagesAtDecision } from "../observe/outages.js";

export const Verdict = RunVerdict;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];
export const VERDICTS: readonly Verdict[] = Object.values(Verdict);

export const DeviationType = {
  PartialReconciliation: "partial_reconciliation",
  SlowRecovery: "slow_recovery",
  ExcessiveReconciliation: "excessive_reconciliation",
  CollateralDegradation: "collateral_degradation",
  /** Ours: target pods restarted between injection and recovery. */
  RecoveredByRestart: "recovered_by_restart",
  /** Ours: the whole steady state was lost again after it had recovered (held at least SETTLED_MS). */
  Flapping: "flapping",
} as const;
export type DeviationType = (typeof DeviationType)[keyof typeof DeviationType];

export interface Deviation {
  type: DeviationType;
  detail: string;
}

/** The part of the experiment's hypothesis the verdict depends on (durations resolved to ms). */
export interface Hypothesis {
  recoveryTimeoutMs: number;
  persistence: Persistence;
  stabilityWindowMs: number;
  /**
   * Go timing (`--go-timing`): the post-check was taken while a sustained fault was still held and
   * the revert came after it, so recovery is measured from the injection, as for instantaneous faults.
   */
  goTiming?: boolean;
  /** How long the whole steady state must hold to count as recovered (default SETTLED_MS). */
  settledMs?: number;
}

export interface EvaluationInput {
  timeline: Timeline;
  hypothesis: Hypothesis;
  /** From the knowledge model's `recovery.maxReconcileCycles`; 0 or absent disables the cycle check. */
  maxReconcileCycles?: number;
  /** The run only validated: nothing was injected. */
  dryRun?: boolean;
}

/**
 * The evaluation, with the Go tool's report field names (`verdict`, `confidence`, `recoveryTime`,
 * `reconcileCycles`, `deviations`) plus ours (`recoveryTimeMs`, `reasons`).
 */
export interface Evaluation {
  verdict: Verdict;
  /** One line: checks passed, recovery time, reconcile cycles; or why the run is inconclusive. */
  confidence: string;
  /** Integer nanoseconds, as the Go tool serialises a duration; 0 when recovery was not observed. */
  recoveryTime: number;
  /** The same duration in ms; null when the run did not recover (Failed, Inconclusive, never held again). */
  recoveryTimeMs: number | null;
  reconcileCycles: number;
  deviations: Deviation[];
  /** Why the verdict is what it is, for humans, most important first. */
  reasons: string[];
}

const NANOS_PER_MS = 1_000_000;

export function evaluate(input: EvaluationInput): Evaluation {
  const events = sortEvents(input.timeline);
  const { hypothesis } = input;
  const reconcileCycles = latestReconcileCycles(events) ?? 0;
  const integrityProblems = describeIntegrityProblems(events);

  const inconclusive = (reasons: string[]): Evaluation => ({
    verdict: Verdict.Inconclusive,
    confidence: reasons[0] ?? "inconclusive",
    recoveryTime: 0,
    recoveryTimeMs: null,
    reconcileCycles,
    deviations: [],
    reasons: [...reasons, ...integrityProblems],
  });

  if (input.dryRun) return inconclusive(["dry run: nothing was injected, so the hypothesis was not tested"]);

  // The real reason first: a refused run never reached the pre-check, or stopped right after it.
  const preCheck = lastEventOfType(events, "preCheck");
  const refused = lastEventOfType(events, "runRefused");
  if (preCheck && !preCheck.result.passed) {
    return inconclusive([`pre-check failed: ${countPassed(preCheck.result)}; the system was not in steady state before injection${failingSuffix(preCheck.result)}`]);
  }
  if (refused) return inconclusive([`refused: ${refused.reason}`]);
  if (!preCheck) return inconclusive(["no pre-check result was recorded, so there is no baseline"]);
  const probe = probeOutcome(events);
  // No evidence, no Resilient: with nothing to look at, any operator (even a dead one) would pass.
  if (preCheck.result.checksRun === 0 && eventsOfType(events, "managedResource").length === 0 && !probe.recovery?.repaired) {
    return inconclusive(["no evidence: the experiment has no steady-state checks, the knowledge model names no managed resource and no reconcile probe was repaired, so nothing could show whether the operator works"]);
  }

  const gates: string[] = [];
  const injection = lastEventOfType(events, "injectionStarted");
  if (!injection) gates.push("the fault was never injected");
  else {
    const unconfirmed = eventsOfType(events, "injectionUnconfirmed");
    if (unconfirmed.length > 0) {
      gates.push(`the fault was not confirmed to take effect: ${unconfirmed.map((event) => event.reason).join("; ")}`);
    } else if (!lastEventOfType(events, "injectionConfirmed")) {
      gates.push("the fault was never confirmed to take effect");
    }
    if (hypothesis.persistence === "sustained" && !lastEventOfType(events, "faultReverted")) {
      gates.push("the sustained fault was never reverted, so the recovery window never started");
    }
  }
  if (eventsOfType(events, "phase").some((event) => event.phase === "Aborted")) gates.push("the run was aborted");
  const postCheck = lastEventOfType(events, "postCheck");
  if (!postCheck) gates.push("no post-check result was recorded");
  if (gates.length > 0 || !postCheck) return inconclusive(gates);

  const persistence = hypothesis.goTiming ? "instantaneous" : hypothesis.persistence;
  const analysis = analyzeRecovery(events, { persistence });
  const settled = settledRecovery(events, { persistence, settledMs: hypothesis.settledMs ?? SETTLED_MS });
  let recoveryTimeMs = settled.recoveryTimeMs ?? null;
  const deviations: Deviation[] = [];
  const reasons: string[] = [];

  // Base rule: the post-check decides between Failed and the rest; reconciliation of every managed
  // resource decides between Resilient and Degraded.
  const notReconciled = [...managedResourceStatuses(events).entries()].filter(([, event]) => event.status !== "ok");
  let verdict: Verdict;
  if (!postCheck.result.passed) {
    verdict = Verdict.Failed;
    reasons.push(`steady state not restored: post-check ${countPassed(postCheck.result)}${failingSuffix(postCheck.result)}`);
  } else if (notReconciled.length > 0) {
    verdict = Verdict.Degraded;
    const detail = `${plural(notReconciled.length, "managed resource")} not reconciled: ${notReconciled
      .map(([key, event]) => `${key} (${event.status}${event.detail ? `: ${event.detail}` : ""})`)
      .join(", ")}`;
    deviations.push({ type: DeviationType.PartialReconciliation, detail });
    reasons.push(`steady-state checks pass but ${detail}`);
  } else {
    verdict = Verdict.Resilient;
    reasons.push(describeRecovery(analysis, settled.recoveryTimeMs, hypothesis));
  }

  // Ours: steady-state checks cannot tell a working controller from a dead one when nothing needed
  // repairing; the reconcile probe can. Unrepaired after the fault is over: Failed, whatever the checks say.
  const stopped = stoppedReconciling(probe);
  if (stopped) {
    if (verdict === Verdict.Failed) reasons.push(stopped);
    else reasons.unshift(stopped);
    verdict = Verdict.Failed;
  } else if (probe.recovery?.repaired) {
    const repaired = probe.recovery.repaired;
    reasons.push(`the reconcile probe (${repaired.probe}) was repaired ${formatDuration(repaired.roundTripMs)} after ${
      hypothesis.persistence === "sustained" && !hypothesis.goTiming && probe.fault ? "the revert" : "it was sent"}`);
  }
  if (probe.fault?.unrepaired) {
    reasons.push(`the reconcile probe stayed unrepaired for the ${formatDuration(probe.fault.unrepaired.waitedMs)} the fault was held: the fault stopped reconciliation`);
  }

  // Deviations are recorded whatever the verdict; each one turns Resilient into Degraded, never more.
  if (recoveryTimeMs !== null && recoveryTimeMs > hypothesis.recoveryTimeoutMs) {
    deviations.push({
      type: DeviationType.SlowRecovery,
      detail: `took ${formatDuration(recoveryTimeMs)} to recover, over the ${formatDuration(hypothesis.recoveryTimeoutMs)} recovery timeout`,
    });
  }
  const maxCycles = input.maxReconcileCycles ?? 0;
  if (maxCycles > 0 && reconcileCycles > maxCycles) {
    deviations.push({
      type: DeviationType.ExcessiveReconciliation,
      detail: `${plural(reconcileCycles, "reconcile cycle")}, more than the allowed ${maxCycles}`,
    });
  }
  for (const [key, event] of collateralResults(events)) {
    if (!event.passed) {
      const counts = event.result ? ` (${countPassed(event.result)})` : "";
      deviations.push({ type: DeviationType.CollateralDegradation, detail: `dependent ${key} lost its steady state${counts}` });
    }
  }
  if (analysis.restarts.length > 0) {
    deviations.push({
      type: DeviationType.RecoveredByRestart,
      detail: `${plural(analysis.restarts.length, "target pod restart")} ${
        analysis.recoveredAt === undefined ? "after the injection (no recovery)" : "before recovery"
      }: ${analysis.restarts.map(describeRestart).join(", ")}`,
    });
  }
  if (settled.flaps.length > 0) {
    deviations.push({
      type: DeviationType.Flapping,
      detail: `the whole steady state was lost again after it had recovered: ${settled.flaps
        .map((flap) => `held from ${formatInstant(flap.recoveredAt)}, lost ${formatDuration(flap.lostAt - flap.recoveredAt)} later`)
        .join("; ")}`,
    });
  }
  const downgrading = deviations.filter((deviation) => deviation.type !== DeviationType.PartialReconciliation);
  if (verdict === Verdict.Resilient && downgrading.length > 0) verdict = Verdict.Degraded;
  for (const deviation of downgrading) reasons.push(`${deviation.type}: ${deviation.detail}`);

  // Ours: a fault whose presence proves nothing (a policy a network plugin may ignore) must show an
  // effect while it is held; otherwise the run tested nothing and cannot be Resilient.
  let noEffect = false;
  const confirmation = lastEventOfType(events, "injectionConfirmed");
  if (confirmation?.needsObservedEffect && verdict !== Verdict.Failed) {
    const until = hypothesis.goTiming ? postCheck.at : lastEventOfType(events, "faultReverted")?.at;
    const effects = observedEffects(events, until);
    if (effects.length === 0) {
      noEffect = true;
      const before = verdict;
      verdict = Verdict.Inconclusive;
      reasons.unshift(missingEffect(probe) + (before === Verdict.Resilient ? "" : ` (it would otherwise be ${before})`));
    } else {
      reasons.push(`the fault bit: ${effects.join("; ")}`);
    }
  }

  // Ours: an incomplete record can hide a breakage, so it can never prove resilience.
  if (integrityProblems.length > 0) {
    if (verdict === Verdict.Resilient) {
      verdict = Verdict.Inconclusive;
      reasons.unshift("the observations are incomplete, so resilience cannot be claimed");
    }
    reasons.push(...integrityProblems);
  }

  // Ours: a verdict read from a watch that was down when it was taken rests on a stale cache.
  const blind = outagesAtDecision(events, hypothesis.stabilityWindowMs);
  if (blind.length > 0) {
    if (verdict !== Verdict.Inconclusive) reasons.unshift(`a watch was down when the verdict was taken, so the observed state may be stale (it would otherwise be ${verdict})`);
    verdict = Verdict.Inconclusive;
    reasons.push(...blind.map(describeOutage));
  }
  reasons.push(...earlierOutages(events, hypothesis.stabilityWindowMs).map((outage) => `${describeOutage(outage)}; events delivered after it carry their arrival time`));

  // A run that did not recover (Failed), or whose fault showed no effect to recover from, has no
  // recovery time, even if its checks held for a moment.
  if (verdict === Verdict.Failed || noEffect) recoveryTimeMs = null;
  const confidence =
    verdict === Verdict.Inconclusive || stopped
      ? reasons[0]!
      : `${postCheck.result.checksPassed}/${postCheck.result.checksRun} steady-state checks passed, ${
          recoveryTimeMs === null ? "not recovered" : `${formatDuration(recoveryTimeMs)} recovery`
        }, ${plural(reconcileCycles, "reconcile cycle")}`;

  return {
    verdict,
    confidence,
    recoveryTime: recoveryTimeMs === null ? 0 : Math.round(recoveryTimeMs * NANOS_PER_MS),
    recoveryTimeMs,
    reconcileCycles,
    deviations,
    reasons,
  };
}

function describeIntegrityProblems(events: Timeline): string[] {
  return [
    ...eventsOfType(events, "watchGap").map(
      (gap) => `watch gap at ${formatInstant(gap.at)}: ${gap.watch} could not be resumed (${gap.reason})`,
    ),
    ...eventsOfType(events, "toolError").map(
      (error) => `tool error at ${formatInstant(error.at)} during ${error.operation}: ${error.message}`,
    ),
  ];
}

function describeRecovery(analysis: RecoveryAnalysis, recoveryTimeMs: number | undefined, hypothesis: Hypothesis): string {
  if (analysis.disruptedAt === undefined) return "the steady state held throughout the fault";
  if (recoveryTimeMs === undefined) return "steady-state checks pass at the post-check";
  const from = hypothesis.persistence === "sustained" && !hypothesis.goTiming ? "the revert" : "the injection";
  return `steady state restored ${formatDuration(recoveryTimeMs)} after ${from} (timeout ${formatDuration(hypothesis.recoveryTimeoutMs)})`;
}

function describeRestart(restart: TargetRestart): string {
  if (restart.type === "podRestarted") {
    return `${restart.pod}${restart.container ? `/${restart.container}` : ""} restarted (restartCount ${restart.restartCount})`;
  }
  return restart.previousPod ? `${restart.previousPod} replaced by ${restart.pod}` : `${restart.pod} replaced a pod`;
}

function countPassed(result: CheckOutcome): string {
  return `${result.checksPassed}/${result.checksRun} checks passed`;
}

function failingSuffix(result: CheckOutcome): string {
  const failing = result.details.filter((detail) => !detail.passed);
  if (failing.length === 0) return "";
  return ` (failing: ${failing
    .map((detail) => {
      const { check } = detail;
      const name = [check.type, check.kind && check.name ? `${check.kind}/${check.name}` : check.kind ?? check.name]
        .filter(Boolean)
        .join(" ");
      const why = detail.error ?? detail.value;
      return why ? `${name}: ${why}` : name;
    })
    .join("; ")})`;
}

function describeOutage(outage: WatchOutageEvent): string {
  const end = outage.until === undefined ? "still down at the end of observation" : `to ${formatInstant(outage.until)}`;
  return `watch outage on ${outage.watch} from ${formatInstant(outage.at)} ${end} (${outage.reason})`;
}
