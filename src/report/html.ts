// A self-contained HTML page (inline CSS, no scripts, no external assets) for many experiments.

import type { ExperimentReport } from "./model.js";
import { reportDeviations } from "./model.js";
import { countVerdicts, recoveryLabel } from "./summary.js";
import { describeEvent } from "./describe.js";
import { formatDuration, formatInstant, plural } from "../verdict/format.js";

/** Shared with the per-run page (run-html.ts), so both look alike. */
export const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 0.6rem 1rem; min-width: 8rem; }
.card strong { display: block; font-size: 1.6rem; }
.verdict { font-weight: 600; }
.resilient { color: #1a7f37; } .degraded { color: #9a6700; } .failed { color: #cf222e; } .inconclusive { color: #57606a; }
details { margin: 0.5rem 0 1.5rem; }
code { background: #f6f8fa; padding: 0 0.2rem; }
`;

export function aggregateHtml(reports: readonly ExperimentReport[], generatedAt: number, version = ""): string {
  const counts = countVerdicts(reports);
  const cards = [
    ["Experiments", counts.total, ""],
    ["Resilient", counts.resilient, "resilient"],
    ["Degraded", counts.degraded, "degraded"],
    ["Failed", counts.failed, "failed"],
    ["Inconclusive", counts.inconclusive, "inconclusive"],
  ]
    .map(([label, count, css]) => `<div class="card ${css}"><strong>${count}</strong>${label}</div>`)
    .join("\n");
  const rows = reports
    .map((report) => {
      const verdict = report.evaluation.verdict;
      const deviations = reportDeviations(report).map((deviation) => deviation.type).join(", ") || "-";
      return `<tr><td><a href="#${anchor(report)}">${escapeHtml(report.experiment)}</a></td><td>${report.tier ?? ""}</td><td>${escapeHtml(
        report.target.component,
      )}</td><td>${escapeHtml(report.injection.type)}</td><td class="verdict ${verdict.toLowerCase()}">${verdict}</td><td>${escapeHtml(
        recoveryLabel(report),
      )}</td><td>${escapeHtml(deviations)}</td></tr>`;
    })
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Chaos experiment report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Chaos experiment report</h1>
<p>Generated ${formatInstant(generatedAt)}${version ? ` by operator-chaos ${escapeHtml(version)}` : ""} · pass rate ${(counts.passRate * 100).toFixed(1)}%</p>
<div class="cards">
${cards}
</div>
<table>
<thead><tr><th>Experiment</th><th>Tier</th><th>Component</th><th>Fault</th><th>Verdict</th><th>Recovery</th><th>Deviations</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${reports.map(experimentSection).join("\n")}
</body>
</html>
`;
}

export function experimentSection(report: ExperimentReport): string {
  const verdict = report.evaluation.verdict;
  const parts: string[] = [
    `<h2 id="${anchor(report)}">${escapeHtml(report.experiment)} <span class="verdict ${verdict.toLowerCase()}">${verdict}</span></h2>`,
    `<p>${escapeHtml(report.injection.type)} on ${escapeHtml(`${report.target.operator}/${report.target.component}`)} · recovery ${escapeHtml(
      recoveryLabel(report),
    )} · ${escapeHtml(plural(report.evaluation.reconcileCycles, "reconcile cycle"))}</p>`,
    `<ul>${(report.evaluation.reasons ?? [report.evaluation.confidence]).map((reason) => `<li>${escapeHtml(reason)}</li>`).join("")}</ul>`,
  ];
  const deviations = reportDeviations(report);
  if (deviations.length > 0) {
    parts.push(`<h3>Deviations</h3><ul>${deviations.map((deviation) => `<li><code>${escapeHtml(deviation.type)}</code>: ${escapeHtml(deviation.detail)}</li>`).join("")}</ul>`);
  }
  const details = report.injection.details ?? {};
  if (Object.keys(details).length > 0) {
    parts.push(
      `<h3>Injection parameters</h3><ul>${Object.keys(details)
        .sort()
        .map((key) => `<li><code>${escapeHtml(key)}</code> = <code>${escapeHtml(details[key]!)}</code></li>`)
        .join("")}</ul>`,
    );
  }
  if (report.cleanupError) parts.push(`<h3>Cleanup error</h3><p>${escapeHtml(report.cleanupError)}</p>`);
  if (report.collateral && report.collateral.length > 0) {
    parts.push(
      `<h3>Dependents</h3><ul>${report.collateral
        .map((entry) => `<li>${escapeHtml(`${entry.operator}/${entry.component}`)}: ${entry.passed ? "healthy" : "degraded"}</li>`)
        .join("")}</ul>`,
    );
  }
  if (report.timeline && report.timeline.length > 0) {
    const origin = report.timeline.find((event) => event.type === "injectionStarted")?.at ?? report.timeline[0]!.at;
    const rows = report.timeline
      .map((event) => {
        const offset = event.at - origin;
        return `<tr><td>${offset < 0 ? "-" : "+"}${formatDuration(Math.abs(offset))}</td><td>${escapeHtml(event.time)}</td><td>${escapeHtml(describeEvent(event))}</td></tr>`;
      })
      .join("\n");
    parts.push(`<details><summary>Timeline (${plural(report.timeline.length, "event")})</summary><table><thead><tr><th>Offset</th><th>Time</th><th>Event</th></tr></thead><tbody>
${rows}
</tbody></table></details>`);
  }
  return parts.join("\n");
}

function anchor(report: ExperimentReport): string {
  return `exp-${report.experiment.replace(/[^A-Za-z0-9_-]+/g, "-")}-${report.timestamp.replace(/[^0-9]/g, "")}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
