import { describe, expect, it } from "vitest";
import { AGGREGATE_FORMATS, consolidate, defaultAggregateFile, isAggregateFormat, orderReports, renderAggregate } from "./aggregate.js";
import { escapeHtml } from "./html.js";
import type { ExperimentReport } from "./model.js";
import type { Verdict } from "../verdict/verdict.js";

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

function makeReport(experiment: string, verdict: Verdict, timestamp = "2025-06-01T12:00:00.000Z"): ExperimentReport {
  return {
    experiment,
    timestamp,
    target: { operator: "op", component: "controller" },
    injection: { type: "PodKill" },
    evaluation: { verdict, confidence: `${verdict} <confidence>`, recoveryTime: 2_000_000_000, recoveryTimeMs: 2000, reconcileCycles: 0 },
    steadyState: {},
    timeline: [{ type: "injectionStarted", at: T0, time: "2025-06-01T12:00:00.000Z", faultType: "PodKill", targets: [] }],
  };
}

const reports = [
  makeReport("b-exp", "Failed"),
  makeReport("a-exp", "Resilient", "2025-06-01T13:00:00.000Z"),
  makeReport("a-exp", "Degraded", "2025-06-01T12:30:00.000Z"),
  makeReport("c-exp <script>", "Inconclusive"),
];

describe("orderReports", () => {
  it("orders by experiment then report time, independent of input order", () => {
    const order = (list: ExperimentReport[]) => orderReports(list).map((report) => `${report.experiment}@${report.timestamp.slice(11, 16)}`);
    expect(order(reports)).toEqual(["a-exp@12:30", "a-exp@13:00", "b-exp@12:00", "c-exp <script>@12:00"]);
    expect(order([...reports].reverse())).toEqual(order(reports));
  });
});

describe("consolidate", () => {
  it("uses the Go tool's consolidated field names and counts by verdict", () => {
    const consolidated = consolidate(reports, T0);
    expect(Object.keys(consolidated)).toEqual(["generated", "experiments", "summary"]);
    expect(consolidated.generated).toBe("2025-06-01T12:00:00.000Z");
    expect(consolidated.summary).toEqual({ total: 4, resilient: 1, degraded: 1, failed: 1, inconclusive: 1, passRate: 0.25 });
  });

  it("gives an empty list, never null, for no reports", () => {
    expect(JSON.parse(renderAggregate([], "json", { generatedAt: T0 })).experiments).toEqual([]);
  });
});

describe("renderAggregate", () => {
  it("knows exactly the five formats", () => {
    expect(AGGREGATE_FORMATS).toEqual(["summary", "json", "junit", "markdown", "html"]);
    expect(isAggregateFormat("html")).toBe(true);
    expect(isAggregateFormat("yaml")).toBe(false);
  });

  it("is deterministic for every format and ends with a newline", () => {
    for (const format of AGGREGATE_FORMATS) {
      const once = renderAggregate(reports, format, { generatedAt: T0 });
      expect(renderAggregate([...reports].reverse(), format, { generatedAt: T0 })).toBe(once);
      expect(once.endsWith("\n")).toBe(true);
    }
  });

  it("renders the summary table", () => {
    const lines = renderAggregate(reports, "summary", { generatedAt: T0 }).split("\n");
    expect(lines[0]).toMatch(/^EXPERIMENT\s+FAULT\s+VERDICT\s+RECOVERY\s+DEVIATIONS$/);
    expect(lines.at(-2)).toBe("4 experiments: 1 Resilient, 1 Degraded, 1 Failed, 1 Inconclusive (pass rate 25.0%)");
  });

  it("names the JUnit suite operator-chaos-results unless told otherwise", () => {
    expect(renderAggregate(reports, "junit", { generatedAt: T0 })).toContain('<testsuite name="operator-chaos-results" tests="4" failures="2" skipped="1"');
    expect(renderAggregate(reports, "junit", { generatedAt: T0, suiteName: "nightly" })).toContain('<testsuite name="nightly"');
  });

  it("renders a self-contained HTML page with every value escaped", () => {
    const html = renderAggregate(reports, "html", { generatedAt: T0, version: "0.1.0" });
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain("c-exp &lt;script&gt;");
    expect(html).toContain('<td class="verdict failed">Failed</td>');
    expect(html).toContain("Generated 2025-06-01T12:00:00.000Z by operator-chaos 0.1.0");
    expect(html).toContain("<details><summary>Timeline (1 event)</summary>");
  });

  it("renders Markdown with counts", () => {
    expect(renderAggregate(reports, "markdown", { generatedAt: T0 })).toContain("| Resilient | 1 |");
  });
});

describe("defaultAggregateFile", () => {
  it("sends json, junit and html to files in the results directory and the rest to stdout", () => {
    expect(AGGREGATE_FORMATS.map((format) => defaultAggregateFile(format))).toEqual([undefined, "report.json", "report.xml", undefined, "report.html"]);
  });
});

describe("escapeHtml", () => {
  it("escapes markup and both quotes", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
