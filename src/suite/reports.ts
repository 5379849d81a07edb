// The suite's aggregate reports, in the report folder: suite-results.xml (JUnit, suite name = the
// folder's base name, as the Go tool), suite-results.json (every entry with its line, timing and
// report), suite-results.md (for a pull-request comment) and report.html (self-contained: verdict
// table plus a timeline chart of every experiment and a recovery-time chart per tier, inline SVG).

import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { escapeHtml, aggregateHtml } from "../report/html.js";
import { junitXml } from "../report/junit.js";
import { aggregateMarkdown } from "../report/markdown.js";
import type { ExperimentReport } from "../report/model.js";
import { reportRecoveryMs } from "../report/model.js";
import type { SuiteStatus } from "./lines.js";
import type { Wait } from "./schedule.js";

export interface SuiteEntryResult {
  readonly file: string;
  readonly name: string;
  readonly status: SuiteStatus;
  readonly line: string;
  readonly tier?: number;
  readonly report: ExperimentReport;
  /** Whether it ran now, was taken from a resumed suite, or never ran (skipped, invalid, dry run). */
  readonly origin: "ran" | "resumed" | "not-run";
  readonly startedAt?: number;
  readonly endedAt?: number;
}

export interface SuiteDocument {
  readonly suite: string;
  readonly generatedAt: string;
  readonly summary: string;
  readonly waits: readonly { experiment: string; waitedFor: string; shared: readonly string[] }[];
  readonly experiments: readonly Omit<SuiteEntryResult, "report">[];
  readonly reports: readonly ExperimentReport[];
}

/** A report for an entry that never ran, as the Go tool synthesises one for its JUnit file. */
export function notRunReport(name: string, status: SuiteStatus, reason: string, target?: { operator: string; component: string }, tier?: number): ExperimentReport {
  const verdict = status === "pass" ? "Resilient" : status === "fail" ? "Failed" : "Inconclusive";
  return {
    experiment: name,
    timestamp: new Date().toISOString(),
    ...(tier !== undefined ? { tier } : {}),
    target: target ?? { operator: "", component: "" },
    injection: { type: "" },
    evaluation: { verdict, confidence: reason, recoveryTime: 0, reconcileCycles: 0 },
    steadyState: {},
  } as ExperimentReport;
}

async function replace(file: string, content: string): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}

export function suiteDocument(suite: string, summary: string, entries: readonly SuiteEntryResult[], waits: readonly Wait[], now = Date.now()): SuiteDocument {
  return {
    suite,
    generatedAt: new Date(now).toISOString(),
    summary,
    waits: waits.map((wait) => ({ experiment: entries[wait.task]?.name ?? String(wait.task), waitedFor: entries[wait.for]?.name ?? String(wait.for), shared: wait.shared })),
    experiments: entries.map(({ report: _report, ...rest }) => rest),
    reports: entries.map((entry) => entry.report),
  };
}

export async function writeSuiteReports(dir: string, document: SuiteDocument, entries: readonly SuiteEntryResult[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const reports = entries.map((entry) => entry.report);
  const now = Date.parse(document.generatedAt);
  const files: [string, string][] = [
    ["suite-results.xml", junitXml(reports, document.suite)],
    ["suite-results.json", `${JSON.stringify(document, null, 2)}\n`],
    ["suite-results.md", `${document.summary}\n\n${aggregateMarkdown(reports, now)}`],
    ["report.html", suiteHtml(document, entries, now)],
  ];
  for (const [name, content] of files) await replace(path.join(dir, name), content);
  return files.map(([name]) => path.join(dir, name));
}

const VERDICT_COLOUR: Record<string, string> = { Resilient: "#2e7d32", Degraded: "#ef6c00", Failed: "#c62828", Inconclusive: "#757575" };

/** The Go-style aggregate page with the suite's charts added below its title. */
export function suiteHtml(document: SuiteDocument, entries: readonly SuiteEntryResult[], now: number): string {
  const page = aggregateHtml(entries.map((entry) => entry.report), now);
  const charts = `<section><h2>Suite ${escapeHtml(document.suite)}</h2><p>${escapeHtml(document.summary)}</p>${timelineChart(entries)}${tierChart(entries)}${waitList(document)}</section>`;
  return page.replace("</h1>", `</h1>\n${charts}`);
}

function timelineChart(entries: readonly SuiteEntryResult[]): string {
  const timed = entries.filter((entry) => entry.startedAt !== undefined && entry.endedAt !== undefined);
  if (timed.length === 0) return "";
  const start = Math.min(...timed.map((e) => e.startedAt!));
  const end = Math.max(...timed.map((e) => e.endedAt!));
  const span = Math.max(1, end - start);
  const width = 760;
  const label = 260;
  const row = 22;
  const x = (at: number) => label + ((at - start) / span) * (width - label - 10);
  const bars = timed.map((entry, index) => {
    const y = 20 + index * row;
    const injected = entry.report.timeline?.find((event) => event.type === "injectionStarted")?.at;
    const marker = injected !== undefined ? `<line x1="${x(injected).toFixed(1)}" x2="${x(injected).toFixed(1)}" y1="${y}" y2="${y + 14}" stroke="#000" stroke-width="2"><title>fault injected</title></line>` : "";
    return `<text x="4" y="${y + 11}" font-size="11">${escapeHtml(entry.name)}</text>`
      + `<rect x="${x(entry.startedAt!).toFixed(1)}" y="${y}" width="${Math.max(2, x(entry.endedAt!) - x(entry.startedAt!)).toFixed(1)}" height="14" fill="${VERDICT_COLOUR[entry.report.evaluation.verdict] ?? "#999"}">`
      + `<title>${escapeHtml(`${entry.name}: ${entry.report.evaluation.verdict}, ${((entry.endedAt! - entry.startedAt!) / 1000).toFixed(1)} s`)}</title></rect>${marker}`;
  }).join("");
  const height = 30 + timed.length * row;
  return `<h3>Timeline</h3><svg role="img" aria-label="experiment timeline" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${bars}`
    + `<text x="${label}" y="${height - 2}" font-size="10">0 s</text><text x="${width - 60}" y="${height - 2}" font-size="10">${(span / 1000).toFixed(1)} s</text></svg>`;
}

function tierChart(entries: readonly SuiteEntryResult[]): string {
  const byTier = new Map<number, number[]>();
  for (const entry of entries) {
    const recovery = reportRecoveryMs(entry.report);
    if (entry.origin === "not-run" || recovery === null) continue;
    const tier = entry.tier ?? 0;
    byTier.set(tier, [...(byTier.get(tier) ?? []), recovery]);
  }
  if (byTier.size === 0) return "";
  const tiers = [...byTier.keys()].sort((a, b) => a - b);
  const max = Math.max(1, ...[...byTier.values()].flat());
  const width = 760;
  const bar = 26;
  const rows = tiers.map((tier, index) => {
    const values = byTier.get(tier)!;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const worst = Math.max(...values);
    const y = 10 + index * (bar + 8);
    const w = (value: number) => Math.max(2, (value / max) * (width - 200));
    return `<text x="4" y="${y + 17}" font-size="12">${tier > 0 ? `Tier ${tier}` : "no tier"} (${values.length})</text>`
      + `<rect x="120" y="${y}" width="${w(worst).toFixed(1)}" height="${bar}" fill="#bbdefb"><title>slowest ${(worst / 1000).toFixed(1)} s</title></rect>`
      + `<rect x="120" y="${y + 6}" width="${w(mean).toFixed(1)}" height="${bar - 12}" fill="#1565c0"><title>mean ${(mean / 1000).toFixed(1)} s</title></rect>`
      + `<text x="${(125 + w(worst)).toFixed(1)}" y="${y + 17}" font-size="11">mean ${(mean / 1000).toFixed(1)} s, slowest ${(worst / 1000).toFixed(1)} s</text>`;
  }).join("");
  return `<h3>Recovery time per tier</h3><svg role="img" aria-label="recovery time per tier" width="${width}" height="${20 + tiers.length * (bar + 8)}" xmlns="http://www.w3.org/2000/svg">${rows}</svg>`;
}

function waitList(document: SuiteDocument): string {
  if (document.waits.length === 0) return "";
  return `<h3>Serialised</h3><ul>${document.waits.map((wait) => `<li>${escapeHtml(wait.experiment)} waited for ${escapeHtml(wait.waitedFor)} (${escapeHtml(wait.shared.join(", "))})</li>`).join("")}</ul>`;
}
