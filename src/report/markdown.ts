// Readable Markdown: one experiment, or an aggregate of many (summary counts, a results table, then each
// experiment in detail).

import type { ExperimentReport, ReportCheckResult } from "./model.js";
import { reportDeviations } from "./model.js";
import { countVerdicts, recoveryLabel, summaryRow } from "./summary.js";
import { describeEvent } from "./describe.js";
import { formatDuration, formatInstant, plural } from "../verdict/format.js";
import { VERDICTS } from "../verdict/verdict.js";

/** One experiment; `level` is the heading level of its title (2 inside an aggregate document). */
export function experimentMarkdown(report: ExperimentReport, level = 1): string {
  const heading = "#".repeat(level);
  const sub = "#".repeat(level + 1);
  const evaluation = report.evaluation;
  const lines: string[] = [`${heading} ${inline(report.experiment)}`, "", "| | |", "|---|---|"];
  const row = (label: string, value: string) => lines.push(`| ${label} | ${cell(value)} |`);
  row("Verdict", `**${evaluation.verdict}**`);
  row("Fault", report.injection.type);
  row("Target", `${report.target.operator}/${report.target.component}${report.target.resource ? ` (${report.target.resource})` : ""}`);
  if (report.tier) row("Tier", String(report.tier));
  row("Recovery", `${recoveryLabel(report)} (${plural(evaluation.reconcileCycles, "reconcile cycle")})`);
  if (report.hypothesis) {
    if (report.hypothesis.description) row("Hypothesis", report.hypothesis.description);
    row(
      "Timing",
      `${report.hypothesis.persistence} fault, recovery timeout ${formatDuration(report.hypothesis.recoveryTimeoutMs)}, stability window ${formatDuration(report.hypothesis.stabilityWindowMs)}`,
    );
  }
  const probe = probeSummary(report);
  if (probe) row("Reconcile probe", probe);
  if (report.phase) row("Final phase", report.phase);
  row("Injected at", report.injection.timestamp ?? "never");
  lines.push("");

  const reasons = evaluation.reasons ?? [evaluation.confidence];
  lines.push(`${sub} Why`, "", ...reasons.map((reason) => `- ${inline(reason)}`), "");

  const deviations = reportDeviations(report);
  lines.push(`${sub} Deviations`, "");
  if (deviations.length === 0) lines.push("None.");
  else lines.push(...deviations.map((deviation) => `- \`${deviation.type}\`: ${inline(deviation.detail)}`));
  lines.push("");

  lines.push(`${sub} Steady state`, "", `Pre-check: ${checkSummary(report.steadyState.pre)} · Post-check: ${checkSummary(report.steadyState.post)}`, "");

  const details = report.injection.details ?? {};
  if (Object.keys(details).length > 0) {
    lines.push(`${sub} Injection parameters`, "", ...Object.keys(details).sort().map((key) => `- ${inline(key)} = ${inline(details[key]!)}`), "");
  }
  if (report.reconciliation) {
    lines.push(`${sub} Managed resources`, "", "| Resource | Reconciled | Details |", "|---|---|---|");
    for (const resource of report.reconciliation.resources) {
      const name = [resource.kind, resource.namespace, resource.name].filter(Boolean).join("/");
      lines.push(`| ${cell(name)} | ${resource.reconciled ? "yes" : "no"} | ${cell(resource.details)} |`);
    }
    lines.push("");
  }
  if (report.collateral && report.collateral.length > 0) {
    lines.push(`${sub} Dependents`, "", ...report.collateral.map((entry) => `- ${inline(`${entry.operator}/${entry.component}`)}: ${entry.passed ? "healthy" : "degraded"}`), "");
  }
  if (report.cleanupError) lines.push(`${sub} Cleanup error`, "", inline(report.cleanupError), "");

  if (report.timeline && report.timeline.length > 0) {
    const injected = report.timeline.find((event) => event.type === "injectionStarted");
    const origin = injected?.at ?? report.timeline[0]!.at;
    lines.push(`${sub} Timeline`, "", `Offsets are from ${injected ? "the injection" : "the first event"}.`, "", "| Offset | Time | Event |", "|---|---|---|");
    for (const event of report.timeline) {
      const offset = event.at - origin;
      lines.push(`| ${offset < 0 ? "-" : "+"}${formatDuration(Math.abs(offset))} | ${event.time} | ${cell(describeEvent(event))} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** Many experiments: counts by verdict, a results table, then every experiment. */
export function aggregateMarkdown(reports: readonly ExperimentReport[], generatedAt: number): string {
  const counts = countVerdicts(reports);
  const lines: string[] = [
    "# Chaos experiment report",
    "",
    `Generated ${formatInstant(generatedAt)} · ${plural(counts.total, "experiment")} · pass rate ${(counts.passRate * 100).toFixed(1)}%`,
    "",
    "## Verdicts",
    "",
    "| Verdict | Count |",
    "|---|---|",
  ];
  const byVerdict: Record<string, number> = {
    Resilient: counts.resilient,
    Degraded: counts.degraded,
    Failed: counts.failed,
    Inconclusive: counts.inconclusive,
  };
  for (const verdict of VERDICTS) if (byVerdict[verdict]! > 0) lines.push(`| ${verdict} | ${byVerdict[verdict]} |`);
  lines.push("", "## Results", "", "| Experiment | Fault | Verdict | Recovery | Deviations |", "|---|---|---|---|---|");
  for (const report of reports) {
    const row = summaryRow(report);
    lines.push(`| ${cell(row.experiment)} | ${cell(row.fault)} | ${row.verdict} | ${cell(row.recovery)} | ${cell(row.deviations)} |`);
  }
  lines.push("");
  for (const report of reports) lines.push(experimentMarkdown(report, 2));
  return lines.join("\n");
}

function checkSummary(result: ReportCheckResult | undefined): string {
  if (!result || typeof result !== "object") return "not run";
  return `${result.passed ? "passed" : "failed"} (${result.checksPassed}/${result.checksRun})`;
}

/** Text safe inside a Markdown paragraph: no raw HTML, no line breaks. */
function inline(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, " ");
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, "\\|");
}

/** The reconcile probe's outcomes with their times, from the timeline; undefined when none was sent. */
export function probeSummary(report: ExperimentReport): string | undefined {
  const timeline = report.timeline ?? [];
  const sent = timeline.find((event) => event.type === "probeSent");
  if (!sent) return undefined;
  const parts = timeline.flatMap((event) => {
    if (event.type === "probeRepaired") {
      return [`repaired ${formatDuration(Number(event.roundTripMs))} after ${event.stage === "recovery" && timeline.some((e) => e.type === "faultReverted" && e.at <= event.at && e.at >= sent.at) ? "the revert" : "it was sent"}`];
    }
    if (event.type === "probeUnrepaired") {
      return [event.stage === "fault" ? `unrepaired while the fault was held (${formatDuration(Number(event.waitedMs))})` : `NOT repaired within ${formatDuration(Number(event.waitedMs))}`];
    }
    return [];
  });
  return `${String(sent.probe)}: ${parts.join("; ") || "no answer"}`;
}
