import { describe, expect, it } from "vitest";
import type { ExperimentReport } from "./model.js";
import { runHtml, timelineSvg } from "./run-html.js";

const T0 = Date.parse("2026-06-01T12:00:00.000Z");
const at = (ms: number) => ({ at: T0 + ms, time: new Date(T0 + ms).toISOString() });

function report(): ExperimentReport {
  return {
    experiment: "config-drift <demo>",
    timestamp: "2026-06-01T12:00:20.000Z",
    target: { operator: "llamastack", component: "controller" },
    injection: { type: "ConfigDrift", details: { key: "app.yaml" } },
    evaluation: { verdict: "Resilient", confidence: "ok", recoveryTime: 2_000_000_000, recoveryTimeMs: 2000, reconcileCycles: 1, reasons: ["recovered in 2s"] },
    steadyState: {},
    timeline: [
      { type: "phase", phase: "Pending", ...at(0) },
      { type: "phase", phase: "SteadyStatePre", ...at(100) },
      { type: "phase", phase: "Injecting", ...at(1_000) },
      { type: "injectionStarted", ...at(1_050) },
      { type: "steadyStateLost", ...at(1_200) },
      { type: "phase", phase: "Observing", ...at(1_300) },
      { type: "checkTransition", ...at(2_000) },
      { type: "recoveryDetected", ...at(3_050) },
      { type: "faultReverted", ...at(4_000) },
      { type: "phase", phase: "Complete", ...at(5_000) },
    ],
  };
}

describe("runHtml", () => {
  it("is one self-contained page: no scripts, no external references, the names escaped", () => {
    const page = runHtml(report(), "0.1.0");
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page).not.toMatch(/<script|<link|src=|url\(/i);
    expect(page).not.toMatch(/href="(?!#)/);
    expect(page).toContain("config-drift &lt;demo&gt;");
    expect(page).toContain("<style>");
    expect(page).toContain("Resilient");
  });

  it("draws the timeline: one band per phase, a line per key moment, a dot per other event, at their offsets", () => {
    const svg = timelineSvg(report().timeline!);
    // Every element is closed (no XML parser is at hand; the count of tags is checked instead).
    const opened = (svg.match(/<(svg|g|rect|line|circle|text|title)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|g|rect|line|circle|text|title)>|\/>/g) ?? []).length;
    expect(closed).toBe(opened);
    expect(svg.match(/<rect /g)).toHaveLength(5);
    expect(svg.match(/<line class="mark"/g)).toHaveLength(4);
    expect(svg.match(/<circle /g)).toHaveLength(1);
    // 5 s over 940 px: the injection at 1.05 s is drawn at x = 10 + 1.05 / 5 × 940.
    expect(svg).toContain(`x1="${(10 + (1_050 / 5_000) * 940).toFixed(1)}"`);
    expect(svg).toContain("fault injected at +1.1s");
    expect(svg).toContain("+5s</text>");
  });

  it("says so when there is no timeline (reports of the Go tool)", () => {
    expect(timelineSvg([])).toBe("<p>No timeline recorded.</p>");
    const { timeline: _, ...goReport } = report();
    expect(runHtml(goReport)).toContain("No timeline recorded.");
  });
});
