// JUnit XML, mapped as the Go tool maps verdicts so CI dashboards read both the same way:
// one <testsuite>, one <testcase> per experiment (classname `chaos.<component>`, or `chaos.T<tier>.<component>`
// with a tier; time = recovery seconds), Failed → <failure type="FAILED">, Degraded → <failure type="DEGRADED">,
// Inconclusive → <skipped>, Resilient → a plain pass, cleanup error → <system-err>.

import type { ExperimentReport } from "./model.js";
import { reportDeviations, reportRecoveryMs } from "./model.js";

export function junitXml(reports: readonly ExperimentReport[], suiteName: string): string {
  const cases = reports.map(testCase);
  const failures = reports.filter((report) => ["Failed", "Degraded"].includes(report.evaluation.verdict)).length;
  const skipped = reports.filter((report) => report.evaluation.verdict === "Inconclusive").length;
  const totalSeconds = reports.reduce((sum, report) => sum + (reportRecoveryMs(report) ?? 0), 0) / 1000;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites>`,
    `  <testsuite name="${escapeXml(suiteName)}" tests="${reports.length}" failures="${failures}" skipped="${skipped}" time="${totalSeconds.toFixed(3)}">`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}

function testCase(report: ExperimentReport): string {
  const classname = report.tier && report.tier > 0 ? `chaos.T${report.tier}.${report.target.component}` : `chaos.${report.target.component}`;
  const seconds = (reportRecoveryMs(report) ?? 0) / 1000;
  const open = `    <testcase name="${escapeXml(report.experiment)}" classname="${escapeXml(classname)}" time="${seconds.toFixed(3)}"`;
  const body: string[] = [];
  const explanation = caseExplanation(report);
  switch (report.evaluation.verdict) {
    case "Failed":
      body.push(`      <failure message="${escapeXml(`Failed: ${report.evaluation.confidence}`)}" type="FAILED">${escapeXml(explanation)}</failure>`);
      break;
    case "Degraded":
      body.push(`      <failure message="${escapeXml(`Degraded: ${report.evaluation.confidence}`)}" type="DEGRADED">${escapeXml(explanation)}</failure>`);
      break;
    case "Inconclusive":
      body.push(`      <skipped message="${escapeXml(`Inconclusive: ${report.evaluation.confidence}`)}"/>`);
      break;
    default:
      break;
  }
  if (report.cleanupError) body.push(`      <system-err>${escapeXml(report.cleanupError)}</system-err>`);
  if (body.length === 0) return `${open}/>`;
  return [`${open}>`, ...body, `    </testcase>`].join("\n");
}

function caseExplanation(report: ExperimentReport): string {
  const lines = [report.evaluation.confidence, ...(report.evaluation.reasons ?? [])];
  for (const deviation of reportDeviations(report)) lines.push(`deviation ${deviation.type}: ${deviation.detail}`);
  return [...new Set(lines)].join("\n");
}

/**
 * Escapes text for XML attributes and content, and drops characters XML 1.0 cannot carry at all
 * (control characters other than tab/newline/return, lone surrogates, U+FFFE/U+FFFF).
 */
export function escapeXml(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const allowed =
      code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
    if (!allowed) continue;
    switch (char) {
      case "&":
        out += "&amp;";
        break;
      case "<":
        out += "&lt;";
        break;
      case ">":
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case "'":
        out += "&apos;";
        break;
      // Attribute values normalise raw newlines and tabs to spaces; character references survive.
      case "\n":
        out += "&#10;";
        break;
      case "\r":
        out += "&#13;";
        break;
      case "\t":
        out += "&#9;";
        break;
      default:
        out += char;
    }
  }
  return out;
}
