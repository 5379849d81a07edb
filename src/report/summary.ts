// Terminal summaries: a verdict table (experiment, fault, verdict, recovery time, deviations) and counts.
// Plain text with no colour codes: the CLI decides about colour.

import type { ExperimentReport } from "./model.js";
import { reportDeviations, reportRecoveryMs } from "./model.js";
import { formatDuration, plural } from "../verdict/format.js";
import type { Verdict } from "../verdict/verdict.js";

export interface SummaryRow {
  experiment: string;
  fault: string;
  verdict: Verdict;
  recovery: string;
  deviations: string;
}

export interface VerdictCounts {
  total: number;
  resilient: number;
  degraded: number;
  failed: number;
  inconclusive: number;
  /** resilient / total, 0..1 (0 when there are no reports). */
  passRate: number;
}

export function countVerdicts(reports: readonly ExperimentReport[]): VerdictCounts {
  const count = (verdict: Verdict) => reports.filter((report) => report.evaluation.verdict === verdict).length;
  const resilient = count("Resilient");
  return {
    total: reports.length,
    resilient,
    degraded: count("Degraded"),
    failed: count("Failed"),
    inconclusive: count("Inconclusive"),
    passRate: reports.length === 0 ? 0 : resilient / reports.length,
  };
}

/** "3.2s", or "not recovered" / "n/a" when there is no recovery time to show. */
export function recoveryLabel(report: ExperimentReport): string {
  const ms = reportRecoveryMs(report);
  if (ms !== null) return formatDuration(ms);
  return report.evaluation.verdict === "Failed" ? "not recovered" : "n/a";
}

export function summaryRow(report: ExperimentReport): SummaryRow {
  const deviations = reportDeviations(report).map((deviation) => deviation.type);
  return {
    experiment: report.experiment,
    fault: report.injection.type,
    verdict: report.evaluation.verdict,
    recovery: recoveryLabel(report),
    deviations: deviations.length > 0 ? deviations.join(", ") : "-",
  };
}

const HEADERS: Record<keyof SummaryRow, string> = {
  experiment: "EXPERIMENT",
  fault: "FAULT",
  verdict: "VERDICT",
  recovery: "RECOVERY",
  deviations: "DEVIATIONS",
};

/** The verdict table and a counts line, one string per line. */
export function summaryLines(reports: readonly ExperimentReport[]): string[] {
  const rows = reports.map(summaryRow);
  const columns = Object.keys(HEADERS) as (keyof SummaryRow)[];
  const widths = columns.map((column) => Math.max(HEADERS[column].length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join("  ")
      .trimEnd();
  return [
    line(columns.map((column) => HEADERS[column])),
    ...rows.map((row) => line(columns.map((column) => row[column]))),
    "",
    countsLine(countVerdicts(reports)),
  ];
}

export function countsLine(counts: VerdictCounts): string {
  return `${plural(counts.total, "experiment")}: ${counts.resilient} Resilient, ${counts.degraded} Degraded, ${counts.failed} Failed, ${counts.inconclusive} Inconclusive (pass rate ${(counts.passRate * 100).toFixed(1)}%)`;
}

/** One line for a single run, e.g. `Resilient  pod-kill (PodKill): recovered in 3.2s, no deviations`. */
export function runSummaryLine(report: ExperimentReport): string {
  const deviations = reportDeviations(report);
  const recovery = reportRecoveryMs(report);
  const recoveryText = recovery === null ? "recovery not observed" : `recovered in ${formatDuration(recovery)}`;
  const deviationText = deviations.length === 0 ? "no deviations" : `deviations: ${deviations.map((deviation) => deviation.type).join(", ")}`;
  return `${report.evaluation.verdict}  ${report.experiment} (${report.injection.type}): ${recoveryText}, ${deviationText}`;
}
