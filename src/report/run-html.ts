// The HTML page of one run, written next to its JSON report: self-contained (inline CSS and SVG, no
// scripts, no external assets) so it can be attached to a CI job or mailed as it is. Styles and the
// experiment section are the aggregate report's (html.ts); this adds a timeline chart.

import { describeEvent } from "./describe.js";
import { escapeHtml, experimentSection, STYLE } from "./html.js";
import type { ExperimentReport, ReportTimelineEvent } from "./model.js";
import { formatDuration } from "../verdict/format.js";

const CHART_STYLE = `
.timeline { width: 100%; height: auto; margin: 1rem 0; font: 11px system-ui, sans-serif; }
.timeline .band text { fill: #1b1f24; }
.timeline .axis { stroke: #8c959f; }
.timeline .mark { stroke-width: 2; }
`;

/** Colours of the run's phases in the chart. */
const PHASE_FILL: Readonly<Record<string, string>> = {
  Pending: "#eaeef2", SteadyStatePre: "#ddf4ff", Injecting: "#ffebe9", Observing: "#fff8c5",
  SteadyStatePost: "#dafbe1", Evaluating: "#f6f8fa", Complete: "#eaeef2", Aborted: "#ffcecb",
};

/** Events drawn as full-height lines: the moments a reader looks for first. */
const MARKS: Readonly<Record<string, { colour: string; label: string }>> = {
  injectionStarted: { colour: "#cf222e", label: "fault injected" },
  faultReverted: { colour: "#1a7f37", label: "fault reverted" },
  recoveryDetected: { colour: "#0969da", label: "recovered" },
  steadyStateLost: { colour: "#9a6700", label: "steady state lost" },
  steadyStateHolds: { colour: "#1a7f37", label: "steady state holds" },
};

export function runHtml(report: ExperimentReport, version = ""): string {
  const verdict = report.evaluation.verdict;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(report.experiment)}: ${escapeHtml(verdict)}</title>
<style>${STYLE}${CHART_STYLE}</style>
</head>
<body>
<h1>Chaos experiment ${escapeHtml(report.experiment)}</h1>
<p>Run of ${escapeHtml(report.timestamp)}${version ? ` by operator-chaos ${escapeHtml(version)}` : ""}</p>
${timelineSvg(report.timeline ?? [])}
${experimentSection(report)}
</body>
</html>
`;
}

const WIDTH = 960;
const LEFT = 10;
const RIGHT = 10;
const BAND_TOP = 24;
const BAND_HEIGHT = 28;
const DOTS_TOP = 70;
const HEIGHT = 120;

/** The timeline as an inline SVG: phases as bands, key moments as lines, every other event as a dot. */
export function timelineSvg(events: readonly ReportTimelineEvent[]): string {
  if (events.length === 0) return "<p>No timeline recorded.</p>";
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const start = sorted[0]!.at;
  const end = Math.max(sorted.at(-1)!.at, start + 1);
  const x = (at: number) => LEFT + ((at - start) / (end - start)) * (WIDTH - LEFT - RIGHT);
  const phases = sorted.filter((event) => event.type === "phase");
  const bands = phases.map((event, index) => {
    const from = x(event.at);
    const to = index + 1 < phases.length ? x(phases[index + 1]!.at) : x(end);
    const phase = String(event["phase"] ?? "");
    const width = Math.max(to - from, 1);
    // A name only where it fits; the tooltip always has it.
    const label = width > phase.length * 6.5 ? `<text x="${(from + 4).toFixed(1)}" y="${BAND_TOP + 18}">${escapeHtml(phase)}</text>` : "";
    return `<g class="band"><rect x="${from.toFixed(1)}" y="${BAND_TOP}" width="${width.toFixed(1)}" height="${BAND_HEIGHT}" fill="${PHASE_FILL[phase] ?? "#f6f8fa"}" stroke="#d0d7de"><title>${escapeHtml(phase)} from +${formatDuration(event.at - start)}</title></rect>${label}</g>`;
  });
  const marks = sorted.filter((event) => MARKS[event.type] !== undefined).map((event) => {
    const mark = MARKS[event.type]!;
    const at = x(event.at).toFixed(1);
    return `<line class="mark" x1="${at}" x2="${at}" y1="${BAND_TOP - 8}" y2="${HEIGHT - 20}" stroke="${mark.colour}"><title>${escapeHtml(`${mark.label} at +${formatDuration(event.at - start)}: ${describeEvent(event)}`)}</title></line>`;
  });
  const dots = sorted.filter((event) => event.type !== "phase" && MARKS[event.type] === undefined).map((event) =>
    `<circle cx="${x(event.at).toFixed(1)}" cy="${DOTS_TOP + 12}" r="4" fill="#57606a"><title>${escapeHtml(`+${formatDuration(event.at - start)} ${describeEvent(event)}`)}</title></circle>`);
  const legend = Object.entries(MARKS)
    .filter(([type]) => sorted.some((event) => event.type === type))
    .map(([, mark], index) => `<text x="${LEFT + index * 150}" y="12" fill="${mark.colour}">▌ ${escapeHtml(mark.label)}</text>`);
  const axis = `<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${HEIGHT - 16}" y2="${HEIGHT - 16}"/>` +
    `<text x="${LEFT}" y="${HEIGHT - 2}">0</text><text x="${WIDTH - RIGHT}" y="${HEIGHT - 2}" text-anchor="end">+${escapeHtml(formatDuration(end - start))}</text>`;
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Timeline of the run: ${sorted.length} events over ${escapeHtml(formatDuration(end - start))}">
${legend.join("\n")}
${bands.join("\n")}
${dots.join("\n")}
${marks.join("\n")}
${axis}
</svg>`;
}
