// The per-experiment report as stored on disk: the Go tool's ExperimentReport field names, plus our
// optional extensions (phase, hypothesis, timeline, recoveryTimeMs, reasons). Reports written by the Go
// tool lack the extensions, so everything that reads reports treats them as optional.

import type { Deviation, Verdict } from "../verdict/verdict.js";
import { VERDICTS } from "../verdict/verdict.js";
import type { CheckDetail, Persistence, Phase } from "../observe/timeline.js";

export interface ReportCheckResult {
  passed: boolean;
  checksRun: number;
  checksPassed: number;
  details: CheckDetail[];
  /** RFC 3339. */
  timestamp: string;
}

export interface ReportEvaluation {
  verdict: Verdict;
  confidence: string;
  /** Integer nanoseconds (the Go tool's unit). */
  recoveryTime: number;
  reconcileCycles: number;
  deviations?: Deviation[];
  /** Ours: recovery time in ms, null when not recovered. */
  recoveryTimeMs?: number | null;
  /** Ours. */
  reasons?: string[];
}

export interface ReportReconciledResource {
  kind: string;
  name: string;
  namespace: string;
  reconciled: boolean;
  details: string;
}

export interface ReportReconciliation {
  allReconciled: boolean;
  reconcileCycles: number;
  /** Integer nanoseconds. */
  recoveryTime: number;
  resources: ReportReconciledResource[];
}

export interface ReportCollateral {
  operator: string;
  component: string;
  passed: boolean;
  checks?: ReportCheckResult;
}

/** A timeline event in a report: `at` in ms since the epoch, `time` the same instant in RFC 3339. */
export interface ReportTimelineEvent {
  type: string;
  at: number;
  time: string;
  [field: string]: unknown;
}

export interface ReportHypothesis {
  description?: string;
  persistence: Persistence;
  recoveryTimeoutMs: number;
  stabilityWindowMs: number;
}

export interface ExperimentReport {
  experiment: string;
  /** RFC 3339: when the report was produced. */
  timestamp: string;
  tier?: number;
  target: { operator: string; component: string; resource?: string };
  injection: {
    type: string;
    targets?: string[];
    /** RFC 3339: when the fault was injected (absent when it never was). */
    timestamp?: string;
    details?: Record<string, string>;
  };
  evaluation: ReportEvaluation;
  steadyState: { pre?: ReportCheckResult; post?: ReportCheckResult };
  reconciliation?: ReportReconciliation;
  cleanupError?: string;
  collateral?: ReportCollateral[];
  /** Ours: the phase the run ended in. */
  phase?: Phase;
  /** Ours. */
  hypothesis?: ReportHypothesis;
  /** Ours: every recorded observation, in time order. */
  timeline?: ReportTimelineEvent[];
}

export type ParsedReport = { ok: true; report: ExperimentReport } | { ok: false; error: string };

/**
 * Checks the fields the aggregate views rely on; the rest is passed through untouched so reports from the
 * Go tool and from newer versions of ours both aggregate.
 */
export function parseReport(value: unknown): ParsedReport {
  if (!isRecord(value)) return { ok: false, error: "not a JSON object" };
  if (typeof value.experiment !== "string" || value.experiment === "") return { ok: false, error: "missing `experiment`" };
  if (!isRecord(value.evaluation)) return { ok: false, error: "missing `evaluation`" };
  const { verdict } = value.evaluation;
  if (typeof verdict !== "string" || !(VERDICTS as readonly string[]).includes(verdict)) {
    return { ok: false, error: `unknown verdict ${JSON.stringify(verdict)}` };
  }
  if (!isRecord(value.injection) || typeof value.injection.type !== "string") return { ok: false, error: "missing `injection.type`" };
  if (!isRecord(value.target)) return { ok: false, error: "missing `target`" };
  return { ok: true, report: value as unknown as ExperimentReport };
}

/** Recovery time in ms from either our field or the Go tool's nanoseconds; null when not recovered. */
export function reportRecoveryMs(report: ExperimentReport): number | null {
  const { recoveryTimeMs, recoveryTime } = report.evaluation;
  if (recoveryTimeMs !== undefined) return recoveryTimeMs;
  return typeof recoveryTime === "number" && recoveryTime > 0 ? recoveryTime / 1_000_000 : null;
}

export function reportDeviations(report: ExperimentReport): Deviation[] {
  return report.evaluation.deviations ?? [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
