import { describe, expect, it } from "vitest";
import { aggregateMarkdown, experimentMarkdown } from "./markdown.js";
import { buildReport, type ReportExperiment } from "./report.js";
import { evaluate } from "../verdict/verdict.js";
import type { CheckOutcome, TimelineEvent } from "../observe/timeline.js";

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const passing: CheckOutcome = { passed: true, checksRun: 2, checksPassed: 2, details: [] };

const experiment: ReportExperiment = {
  name: "config | drift",
  tier: 2,
  target: { operator: "llamastack", component: "controller" },
  faultType: "ConfigDrift",
  parameters: { key: "log<level>", name: "operator-config" },
  hypothesis: { description: "config restored\nwithout restart", persistence: "instantaneous", recoveryTimeoutMs: 30_000, stabilityWindowMs: 5000 },
};

const timeline: TimelineEvent[] = [
  { type: "preCheck", at: T0, result: passing },
  { type: "injectionStarted", at: T0 + 1000, faultType: "ConfigDrift", targets: ["ConfigMap/ops/operator-config"] },
  { type: "injectionConfirmed", at: T0 + 1010, detail: "value changed" },
  { type: "steadyStateLost", at: T0 + 1100, failingChecks: ["ConfigMap/operator-config data.log"] },
  { type: "podRestarted", at: T0 + 2000, pod: "operator-1", restartCount: 1 },
  { type: "steadyStateHolds", at: T0 + 4000 },
  { type: "postCheck", at: T0 + 9000, result: passing },
  { type: "phase", at: T0 + 9500, phase: "Complete" },
];

const report = buildReport({
  experiment,
  timeline,
  evaluation: evaluate({ timeline, hypothesis: experiment.hypothesis }),
  generatedAt: T0 + 10_000,
});

describe("experimentMarkdown", () => {
  const markdown = experimentMarkdown(report);

  it("starts with the experiment and a fact table", () => {
    const lines = markdown.split("\n");
    expect(lines[0]).toBe("# config | drift");
    expect(lines).toContain("| Verdict | **Degraded** |");
    expect(lines).toContain("| Fault | ConfigDrift |");
    expect(lines).toContain("| Tier | 2 |");
    expect(lines).toContain("| Recovery | 3s (0 reconcile cycles) |");
    expect(lines).toContain("| Hypothesis | config restored without restart |");
    expect(lines).toContain("| Timing | instantaneous fault, recovery timeout 30s, stability window 5s |");
  });

  it("explains the verdict and lists deviations", () => {
    expect(markdown).toContain("## Why\n\n- steady state restored 3s after the injection (timeout 30s)\n- recovered_by_restart:");
    expect(markdown).toContain("## Deviations\n\n- `recovered_by_restart`: 1 target pod restart before recovery: operator-1 restarted (restartCount 1)");
  });

  it("shows both steady-state checks (not N/A) and escapes HTML in parameters", () => {
    expect(markdown).toContain("Pre-check: passed (2/2) · Post-check: passed (2/2)");
    expect(markdown).toContain("- key = log&lt;level&gt;");
  });

  it("renders the timeline with offsets from the injection", () => {
    expect(markdown).toContain("| Offset | Time | Event |");
    expect(markdown).toContain("| -1s | 2025-06-01T12:00:00.000Z | pre-check passed (2/2) |");
    expect(markdown).toContain("| +0ms | 2025-06-01T12:00:01.000Z | injected ConfigDrift into ConfigMap/ops/operator-config |");
    expect(markdown).toContain("| +3s | 2025-06-01T12:00:04.000Z | steady state holds |");
  });

  it("nests headings under an aggregate when asked", () => {
    expect(experimentMarkdown(report, 2).startsWith("## config | drift\n")).toBe(true);
    expect(experimentMarkdown(report, 2)).toContain("### Timeline");
  });
});

describe("aggregateMarkdown", () => {
  const markdown = aggregateMarkdown([report, { ...report, experiment: "second", evaluation: { ...report.evaluation, verdict: "Resilient", deviations: [] } }], T0);

  it("summarises counts (non-zero verdicts only) and lists every result with table cells escaped", () => {
    expect(markdown).toContain("Generated 2025-06-01T12:00:00.000Z · 2 experiments · pass rate 50.0%");
    expect(markdown).toContain("| Verdict | Count |\n|---|---|\n| Resilient | 1 |\n| Degraded | 1 |\n\n## Results");
    expect(markdown).not.toContain("| Failed |");
    expect(markdown).toContain("| config \\| drift | ConfigDrift | Degraded | 3s | recovered_by_restart |");
    expect(markdown).toContain("| second | ConfigDrift | Resilient | 3s | - |");
  });

  it("then details every experiment", () => {
    expect(markdown).toContain("\n## config | drift\n");
    expect(markdown).toContain("\n## second\n");
  });
});

describe("the reconcile probe row", () => {
  it("shows the probe, unrepaired while held and repaired after the revert, with both times", () => {
    const probe = "ConfigMap/ops/serving deleted";
    const resource = "ConfigMap/ops/serving";
    const held: TimelineEvent[] = [
      { type: "preCheck", at: T0, result: passing },
      { type: "injectionStarted", at: T0 + 1000, faultType: "NetworkPartition", targets: ["Pod/ops/operator-1"] },
      { type: "injectionConfirmed", at: T0 + 1010, detail: "policy", needsObservedEffect: true },
      { type: "probeSent", at: T0 + 1020, stage: "fault", probe, resource },
      { type: "probeUnrepaired", at: T0 + 11_000, stage: "fault", probe, resource, sentAt: T0 + 1020, waitedMs: 9980 },
      { type: "faultReverted", at: T0 + 11_010 },
      { type: "probeRepaired", at: T0 + 11_400, stage: "recovery", probe, resource, sentAt: T0 + 1020, roundTripMs: 390 },
      { type: "postCheck", at: T0 + 14_000, result: passing },
    ];
    const sustained = { ...experiment, faultType: "NetworkPartition", hypothesis: { ...experiment.hypothesis, persistence: "sustained" as const } };
    const evaluation = evaluate({ timeline: held, hypothesis: { recoveryTimeoutMs: 30_000, persistence: "sustained", stabilityWindowMs: 2000 } });
    const markdown = experimentMarkdown(buildReport({ experiment: sustained, timeline: held, evaluation, generatedAt: T0 + 15_000 }));
    expect(markdown).toContain(`| Reconcile probe | ${probe}: unrepaired while the fault was held (10s); repaired 390ms after the revert |`);
  });
});
