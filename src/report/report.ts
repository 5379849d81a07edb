// Builds the per-experiment report from the experiment, its timeline and its evaluation. Pure: the caller
// passes the report time, so the same inputs always give the same report.

import {
  collateralResults,
  eventsOfType,
  finalPhase,
  firstEventOfType,
  lastEventOfType,
  managedResourceStatuses,
  sortEvents,
  type CheckOutcome,
  type Persistence,
  type Timeline,
  type TimelineEvent,
} from "../observe/timeline.js";
import type { Evaluation } from "../verdict/verdict.js";
import { formatInstant } from "../verdict/format.js";
import type {
  ExperimentReport,
  ReportCheckResult,
  ReportCollateral,
  ReportEvaluation,
  ReportReconciliation,
  ReportTimelineEvent,
} from "./model.js";

/** The narrow view of an experiment the report needs (the lead maps the loaded experiment onto it). */
export interface ReportExperiment {
  name: string;
  tier?: number;
  target: { operator: string; component: string; resource?: string };
  faultType: string;
  parameters?: Readonly<Record<string, string>>;
  hypothesis: {
    description?: string;
    persistence: Persistence;
    recoveryTimeoutMs: number;
    stabilityWindowMs: number;
  };
}

export interface BuildReportInput {
  experiment: ReportExperiment;
  timeline: Timeline;
  evaluation: Evaluation;
  /** When the report is produced, ms since the epoch. */
  generatedAt: number;
}

export function buildReport(input: BuildReportInput): ExperimentReport {
  const { experiment, evaluation } = input;
  const events = sortEvents(input.timeline);
  const injection = firstEventOfType(events, "injectionStarted");
  const preCheck = lastEventOfType(events, "preCheck");
  const postCheck = lastEventOfType(events, "postCheck");

  const report: ExperimentReport = {
    experiment: experiment.name,
    timestamp: formatInstant(input.generatedAt),
    ...(experiment.tier ? { tier: experiment.tier } : {}),
    target: {
      operator: experiment.target.operator,
      component: experiment.target.component,
      ...(experiment.target.resource ? { resource: experiment.target.resource } : {}),
    },
    injection: {
      type: experiment.faultType,
      ...(injection && injection.targets.length > 0 ? { targets: [...injection.targets] } : {}),
      ...(injection ? { timestamp: formatInstant(injection.at) } : {}),
      ...(experiment.parameters && Object.keys(experiment.parameters).length > 0
        ? { details: sortedRecord(experiment.parameters) }
        : {}),
    },
    evaluation: reportEvaluation(evaluation),
    steadyState: {
      ...(preCheck ? { pre: reportCheckResult(preCheck.result, preCheck.at) } : {}),
      ...(postCheck ? { post: reportCheckResult(postCheck.result, postCheck.at) } : {}),
    },
  };

  const reconciliation = reportReconciliation(events, evaluation);
  if (reconciliation) report.reconciliation = reconciliation;
  const cleanupError = eventsOfType(events, "toolError")
    .filter((error) => error.operation === "revert")
    .map((error) => error.message)
    .join("; ");
  if (cleanupError) report.cleanupError = cleanupError;
  const collateral = [...collateralResults(events).values()].map(
    (event): ReportCollateral => ({
      operator: event.operator,
      component: event.component,
      passed: event.passed,
      ...(event.result ? { checks: reportCheckResult(event.result, event.at) } : {}),
    }),
  );
  if (collateral.length > 0) report.collateral = collateral;

  const phase = finalPhase(events);
  if (phase) report.phase = phase;
  report.hypothesis = {
    ...(experiment.hypothesis.description ? { description: experiment.hypothesis.description } : {}),
    persistence: experiment.hypothesis.persistence,
    recoveryTimeoutMs: experiment.hypothesis.recoveryTimeoutMs,
    stabilityWindowMs: experiment.hypothesis.stabilityWindowMs,
  };
  report.timeline = events.map(reportTimelineEvent);
  return report;
}

/** `<experiment>-<YYYYMMDD-HHMMSS>` in UTC, from the report's timestamp: the stem of its file names. */
export function reportFileStem(report: Pick<ExperimentReport, "experiment" | "timestamp">): string {
  const time = new Date(report.timestamp);
  const pad = (value: number) => String(value).padStart(2, "0");
  const stamp = Number.isNaN(time.getTime())
    ? "unknown-time"
    : `${time.getUTCFullYear()}${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())}-${pad(time.getUTCHours())}${pad(
        time.getUTCMinutes(),
      )}${pad(time.getUTCSeconds())}`;
  const name = report.experiment.replace(/[^A-Za-z0-9._-]+/g, "_") || "experiment";
  return `${name}-${stamp}`;
}

function reportEvaluation(evaluation: Evaluation): ReportEvaluation {
  return {
    verdict: evaluation.verdict,
    confidence: evaluation.confidence,
    recoveryTime: evaluation.recoveryTime,
    reconcileCycles: evaluation.reconcileCycles,
    ...(evaluation.deviations.length > 0
      ? { deviations: evaluation.deviations.map((deviation) => ({ type: deviation.type, detail: deviation.detail })) }
      : {}),
    recoveryTimeMs: evaluation.recoveryTimeMs,
    reasons: [...evaluation.reasons],
  };
}

export function reportCheckResult(result: CheckOutcome, at: number): ReportCheckResult {
  return {
    passed: result.passed,
    checksRun: result.checksRun,
    checksPassed: result.checksPassed,
    details: result.details.map((detail) => ({
      check: {
        type: detail.check.type,
        ...pick(detail.check, ["apiVersion", "kind", "name", "namespace", "conditionType", "fieldPath", "expectedValue"]),
      },
      passed: detail.passed,
      ...(detail.value !== undefined ? { value: detail.value } : {}),
      ...(detail.error !== undefined ? { error: detail.error } : {}),
    })),
    timestamp: formatInstant(at),
  };
}

function reportReconciliation(events: readonly TimelineEvent[], evaluation: Evaluation): ReportReconciliation | undefined {
  const statuses = managedResourceStatuses(events);
  if (statuses.size === 0) return undefined;
  const resources = [...statuses.values()].map((event) => ({
    kind: event.resource.kind,
    name: event.resource.name,
    namespace: event.resource.namespace ?? "",
    reconciled: event.status === "ok",
    details: event.detail || event.status,
  }));
  return {
    allReconciled: resources.every((resource) => resource.reconciled),
    reconcileCycles: evaluation.reconcileCycles,
    recoveryTime: evaluation.recoveryTime,
    resources,
  };
}

/** `type`, `at`, `time`, then the event's own fields in alphabetical order (nested objects too). */
function reportTimelineEvent(event: TimelineEvent): ReportTimelineEvent {
  const { type, at, ...rest } = event;
  return { type, at, time: formatInstant(at), ...(sortKeysDeep(rest) as Record<string, unknown>) };
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value === "object" && value !== null) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeysDeep(child);
    }
    return sorted;
  }
  return value;
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key]!;
  return sorted;
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined && source[key] !== "") picked[key] = source[key];
  return picked;
}
