// The ChaosExperiment status the controller writes: pure mapping from the engine's phases and its
// RunResult to the Go tool's status shape (phase, verdict, evaluationResult, conditions …).

import { ConditionStatus, RunPhase } from "../experiment/enums.js";

type RunPhase = (typeof RunPhase)[keyof typeof RunPhase];
import { Duration } from "../experiment/duration.js";
import type { ExperimentReport, ReportCheckResult } from "../report/model.js";
import type { Evaluation } from "../verdict/verdict.js";

/** Condition types, as the Go tool's controller sets them (plus Valid, ours). */
export const ConditionType = {
  Valid: "Valid",
  SteadyStateEstablished: "SteadyStateEstablished",
  FaultInjected: "FaultInjected",
  RecoveryObserved: "RecoveryObserved",
  Complete: "Complete",
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface CheckResultStatus {
  passed: boolean;
  checksRun: number;
  checksPassed: number;
  details: { check?: Record<string, string>; passed?: boolean; value?: string; error?: string }[];
  timestamp?: string;
}

export interface ExperimentStatus {
  phase?: RunPhase;
  verdict?: string;
  observedGeneration?: number;
  message?: string;
  startTime?: string;
  endTime?: string;
  injectionStartedAt?: string;
  steadyStatePre?: CheckResultStatus;
  steadyStatePost?: CheckResultStatus;
  evaluationResult?: { verdict: string; confidence?: string; recoveryTime?: string; reconcileCycles?: number; deviations?: string[] };
  cleanupError?: string;
  conditions?: Condition[];
}

/** Phases in which a run is under way (a controller that finds one at start-up finds a dead run). */
export const ACTIVE_PHASES: ReadonlySet<string> = new Set([
  RunPhase.Pending, RunPhase.SteadyStatePre, RunPhase.Injecting, RunPhase.Observing, RunPhase.SteadyStatePost, RunPhase.Evaluating,
]);
export const isTerminal = (phase: string | undefined) => phase === RunPhase.Complete || phase === RunPhase.Aborted;

/** Sets (or replaces) a condition; the transition time moves only when the status changes. */
export function setCondition(conditions: readonly Condition[] | undefined, next: Condition): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  if (index < 0) return [...list, next];
  const previous = list[index]!;
  list[index] = previous.status === next.status ? { ...next, lastTransitionTime: previous.lastTransitionTime } : next;
  return list;
}

export function condition(type: ConditionType, status: ConditionStatus, reason: string, message: string, generation: number | undefined, now: Date): Condition {
  return { type, status, reason, message, lastTransitionTime: rfc3339(now), ...(generation !== undefined ? { observedGeneration: generation } : {}) };
}

/** Kubernetes timestamps have whole seconds. */
export const rfc3339 = (at: Date | number) => new Date(Math.floor(new Date(at).getTime() / 1000) * 1000).toISOString().replace(".000Z", "Z");

/** The condition a phase transition establishes, if any. */
export function conditionForPhase(phase: RunPhase, generation: number | undefined, now: Date): Condition | undefined {
  switch (phase) {
    case RunPhase.Injecting:
      return condition(ConditionType.SteadyStateEstablished, ConditionStatus.True, "PreCheckPassed", "the steady state held before the injection", generation, now);
    case RunPhase.Observing:
      return condition(ConditionType.FaultInjected, ConditionStatus.True, "FaultInjected", "the fault was injected", generation, now);
    default:
      return undefined;
  }
}

/** The status for an object that failed validation: nothing runs, every positioned error is listed. */
export function invalidStatus(previous: ExperimentStatus | undefined, errors: readonly string[], generation: number | undefined, now: Date): ExperimentStatus {
  const message = `invalid experiment; nothing was injected: ${errors.join("; ")}`;
  return {
    phase: RunPhase.Aborted,
    message,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    endTime: rfc3339(now),
    conditions: setCondition(
      setCondition(previous?.conditions, condition(ConditionType.Valid, ConditionStatus.False, "ValidationFailed", errors.join("\n"), generation, now)),
      condition(ConditionType.Complete, ConditionStatus.False, "ExperimentAborted", message, generation, now),
    ),
  };
}

export interface FinishedRun {
  phase: RunPhase;
  report: ExperimentReport;
  evaluation: Evaluation;
  error?: string;
  cleanupError?: string;
}

/** The final status of a run the engine finished (Complete or Aborted). */
export function finishedStatus(previous: ExperimentStatus, run: FinishedRun, generation: number | undefined, now: Date): ExperimentStatus {
  const { evaluation, report } = run;
  const complete = run.phase === RunPhase.Complete;
  const message = complete ? `Experiment complete, verdict: ${evaluation.verdict}` : (run.error ?? "experiment aborted");
  let conditions = previous.conditions;
  const post = report.steadyState.post;
  if (post) {
    conditions = setCondition(conditions, condition(ConditionType.RecoveryObserved, post.passed ? ConditionStatus.True : ConditionStatus.False,
      "PostCheckComplete", `${post.checksPassed}/${post.checksRun} steady-state checks passed after the fault`, generation, now));
  }
  conditions = setCondition(conditions, complete
    ? condition(ConditionType.Complete, ConditionStatus.True, "ExperimentComplete", message, generation, now)
    : condition(ConditionType.Complete, ConditionStatus.False, "ExperimentAborted", message, generation, now));
  const status: ExperimentStatus = {
    ...previous,
    phase: run.phase,
    verdict: evaluation.verdict,
    message,
    endTime: rfc3339(now),
    evaluationResult: evaluationSummary(evaluation),
    conditions,
    ...(report.steadyState.pre ? { steadyStatePre: checkResult(report.steadyState.pre) } : {}),
    ...(post ? { steadyStatePost: checkResult(post) } : {}),
    ...(report.injection.timestamp ? { injectionStartedAt: rfc3339(Date.parse(report.injection.timestamp)) } : {}),
  };
  if (run.cleanupError) status.cleanupError = run.cleanupError;
  else delete status.cleanupError;
  return status;
}

/** As the Go tool: the recovery time as a Go duration string, deviations as "type: detail". */
export function evaluationSummary(evaluation: Evaluation): NonNullable<ExperimentStatus["evaluationResult"]> {
  return {
    verdict: evaluation.verdict,
    confidence: evaluation.confidence,
    ...(evaluation.recoveryTimeMs !== null ? { recoveryTime: Duration.fromMilliseconds(evaluation.recoveryTimeMs).toString() } : {}),
    reconcileCycles: evaluation.reconcileCycles,
    deviations: evaluation.deviations.map((d) => `${d.type}: ${d.detail}`),
  };
}

function checkResult(result: ReportCheckResult): CheckResultStatus {
  return {
    passed: result.passed,
    checksRun: result.checksRun,
    checksPassed: result.checksPassed,
    details: result.details.map((d) => ({
      check: Object.fromEntries(Object.entries(d.check).filter(([, v]) => typeof v === "string")) as Record<string, string>,
      passed: d.passed,
      ...(d.value !== undefined ? { value: String(d.value) } : {}),
      ...(d.error !== undefined ? { error: d.error } : {}),
    })),
    timestamp: rfc3339(Date.parse(result.timestamp)),
  };
}

/** The status of an experiment whose run died with its controller, once its journal was reverted. */
export function abortedAfterCrash(previous: ExperimentStatus, reason: string, generation: number | undefined, now: Date): ExperimentStatus {
  const message = `experiment aborted (recovered after crash): ${reason}`;
  const status: ExperimentStatus = {
    ...previous,
    phase: RunPhase.Aborted,
    message,
    endTime: rfc3339(now),
    conditions: setCondition(previous.conditions, condition(ConditionType.Complete, ConditionStatus.False, "ExperimentAborted", message, generation, now)),
  };
  delete status.injectionStartedAt;
  return status;
}
