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
} from "../observe/timeline.js";
import { RunVerdict } from "../experiment/enums.js";
import { formatDuration, formatInstant, plural } from "./format.js";

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
  /** Ours: the steady state recovered and broke again inside the stability window. */
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
  /** The same duration in ms; null when the whole steady state never held again. */
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

  const preCheck = lastEventOfType(events, "preCheck");
  if (!preCheck) return inconclusive(["no pre-check result was recorded, so there is no baseline"]);
  if (!preCheck.result.passed) {
    return inconclusive([`pre-check failed: ${countPassed(preCheck.result)}; the system was not in steady state before injection${failingSuffix(preCheck.result)}`]);
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

  const analysis = analyzeRecovery(events, hypothesis);
  const recoveryTimeMs = analysis.recoveryTimeMs ?? null;
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
    reasons.push(describeRecovery(analysis, hypothesis));
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
  if (analysis.flaps.length > 0) {
    deviations.push({
      type: DeviationType.Flapping,
      detail: `steady state broke again inside the ${formatDuration(hypothesis.stabilityWindowMs)} stability window: ${analysis.flaps
        .map((flap) => `held at ${formatInstant(flap.recoveredAt)}, lost ${formatDuration(flap.lostAt - flap.recoveredAt)} later`)
        .join("; ")}`,
    });
  }
  const downgrading = deviations.filter((deviation) => deviation.type !== DeviationType.PartialReconciliation);
  if (verdict === Verdict.Resilient && downgrading.length > 0) verdict = Verdict.Degraded;
  for (const deviation of downgrading) reasons.push(`${deviation.type}: ${deviation.detail}`);

  // Ours: an incomplete record can hide a breakage, so it can never prove resilience.
  if (integrityProblems.length > 0) {
    if (verdict === Verdict.Resilient) {
      verdict = Verdict.Inconclusive;
      reasons.unshift("the observations are incomplete, so resilience cannot be claimed");
    }
    reasons.push(...integrityProblems);
  }

  const confidence =
    verdict === Verdict.Inconclusive
      ? reasons[0]!
      : `${postCheck.result.checksPassed}/${postCheck.result.checksRun} steady-state checks passed, ${
          recoveryTimeMs === null ? "recovery not observed" : `${formatDuration(recoveryTimeMs)} recovery`
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

function describeRecovery(analysis: RecoveryAnalysis, hypothesis: Hypothesis): string {
  if (analysis.disruptedAt === undefined) return "the steady state held throughout the fault";
  if (analysis.recoveryTimeMs === undefined) return "steady-state checks pass at the post-check";
  const from = hypothesis.persistence === "sustained" ? "the revert" : "the injection";
  return `steady state restored ${formatDuration(analysis.recoveryTimeMs)} after ${from} (timeout ${formatDuration(hypothesis.recoveryTimeoutMs)})`;
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
