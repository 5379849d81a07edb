import { describe, expect, it } from "vitest";
import { buildReport, reportFileStem, type ReportExperiment } from "./report.js";
import { parseReport, reportRecoveryMs } from "./model.js";
import { evaluate } from "../verdict/verdict.js";
import type { CheckOutcome, TimelineEvent } from "../observe/timeline.js";

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const available = { type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "operator", namespace: "ops", conditionType: "Available" };
const passing: CheckOutcome = { passed: true, checksRun: 1, checksPassed: 1, details: [{ check: available, passed: true, value: "Available=True" }] };

const experiment: ReportExperiment = {
  name: "operator-pod-kill",
  tier: 1,
  target: { operator: "llamastack", component: "controller", resource: "Deployment/operator" },
  faultType: "PodKill",
  parameters: { signal: "SIGKILL", labelSelector: "app=operator" },
  hypothesis: { description: "the operator pod comes back", persistence: "instantaneous", recoveryTimeoutMs: 60_000, stabilityWindowMs: 10_000 },
};

const timeline: TimelineEvent[] = [
  { type: "phase", at: T0, phase: "Pending" },
  { type: "preCheck", at: T0 + 100, result: passing },
  { type: "managedResource", at: T0 + 150, resource: { apiVersion: "apps/v1", kind: "Deployment", name: "operator", namespace: "ops" }, status: "ok", detail: "exists" },
  { type: "injectionStarted", at: T0 + 1000, faultType: "PodKill", targets: ["Pod/ops/operator-1"] },
  { type: "injectionConfirmed", at: T0 + 1050, detail: "pod gone" },
  { type: "steadyStateLost", at: T0 + 1200, failingChecks: ["Deployment/operator Available"] },
  { type: "collateral", at: T0 + 1300, operator: "dep-op", component: "api", passed: true, result: passing },
  { type: "steadyStateHolds", at: T0 + 4000 },
  { type: "reconcileCycles", at: T0 + 4001, count: 2 },
  { type: "toolError", at: T0 + 14_500, operation: "revert", message: "could not remove label" },
  { type: "postCheck", at: T0 + 14_000, result: passing },
  { type: "phase", at: T0 + 15_000, phase: "Complete" },
];

function build(events: TimelineEvent[] = timeline) {
  const evaluation = evaluate({ timeline: events, hypothesis: experiment.hypothesis, maxReconcileCycles: 10 });
  return buildReport({ experiment, timeline: events, evaluation, generatedAt: T0 + 20_000 });
}

describe("buildReport", () => {
  it("uses the Go tool's field names, in its order, then our extensions", () => {
    const report = build();
    expect(Object.keys(report)).toEqual([
      "experiment",
      "timestamp",
      "tier",
      "target",
      "injection",
      "evaluation",
      "steadyState",
      "reconciliation",
      "cleanupError",
      "collateral",
      "phase",
      "hypothesis",
      "timeline",
    ]);
    expect(Object.keys(report.target)).toEqual(["operator", "component", "resource"]);
    expect(Object.keys(report.injection)).toEqual(["type", "targets", "timestamp", "details"]);
    expect(Object.keys(report.evaluation)).toEqual(["verdict", "confidence", "recoveryTime", "reconcileCycles", "recoveryTimeMs", "reasons"]);
    expect(Object.keys(report.steadyState.pre!)).toEqual(["passed", "checksRun", "checksPassed", "details", "timestamp"]);
    expect(Object.keys(report.steadyState.pre!.details[0]!)).toEqual(["check", "passed", "value"]);
    expect(Object.keys(report.reconciliation!)).toEqual(["allReconciled", "reconcileCycles", "recoveryTime", "resources"]);
    expect(Object.keys(report.reconciliation!.resources[0]!)).toEqual(["kind", "name", "namespace", "reconciled", "details"]);
    expect(Object.keys(report.collateral![0]!)).toEqual(["operator", "component", "passed", "checks"]);
  });

  it("fills the values from the timeline: real injection time, targets, recovery, cleanup error", () => {
    const report = build();
    expect(report.experiment).toBe("operator-pod-kill");
    expect(report.timestamp).toBe("2025-06-01T12:00:20.000Z");
    expect(report.injection).toEqual({
      type: "PodKill",
      targets: ["Pod/ops/operator-1"],
      timestamp: "2025-06-01T12:00:01.000Z",
      details: { labelSelector: "app=operator", signal: "SIGKILL" },
    });
    // The revert error makes the run inconclusive (never Resilient) and is the report's cleanupError.
    expect(report.evaluation.verdict).toBe("Inconclusive");
    expect(report.cleanupError).toBe("could not remove label");
    expect(report.evaluation.recoveryTime).toBe(3_000_000_000);
    expect(report.evaluation.recoveryTimeMs).toBe(3000);
    expect(report.reconciliation).toEqual({
      allReconciled: true,
      reconcileCycles: 2,
      recoveryTime: 3_000_000_000,
      resources: [{ kind: "Deployment", name: "operator", namespace: "ops", reconciled: true, details: "exists" }],
    });
    expect(report.steadyState.post?.timestamp).toBe("2025-06-01T12:00:14.000Z");
    expect(report.phase).toBe("Complete");
    expect(report.hypothesis).toEqual(experiment.hypothesis);
  });

  it("records the timeline in time order with type, at and time first and sorted fields after", () => {
    const report = build();
    expect(report.timeline!.map((event) => event.type)).toEqual([
      "phase",
      "preCheck",
      "managedResource",
      "injectionStarted",
      "injectionConfirmed",
      "steadyStateLost",
      "collateral",
      "steadyStateHolds",
      "reconcileCycles",
      "postCheck",
      "toolError",
      "phase",
    ]);
    const injection = report.timeline![3]!;
    expect(Object.keys(injection)).toEqual(["type", "at", "time", "faultType", "targets"]);
    expect(injection.time).toBe("2025-06-01T12:00:01.000Z");
    expect(Object.keys(report.timeline![2]!.resource as object)).toEqual(["apiVersion", "kind", "name", "namespace"]);
  });

  it("is deterministic: the same inputs give byte-identical JSON", () => {
    expect(JSON.stringify(build())).toBe(JSON.stringify(build()));
  });

  it("orders events by time, so the recording order of events at distinct instants does not matter", () => {
    const reversed = [...timeline].reverse();
    expect(JSON.stringify(build(reversed))).toBe(JSON.stringify(build()));
  });

  it("leaves out optional Go fields that are empty", () => {
    const minimal = build([
      { type: "preCheck", at: T0, result: passing },
      { type: "injectionStarted", at: T0 + 1, faultType: "PodKill", targets: [] },
      { type: "injectionConfirmed", at: T0 + 2, detail: "" },
      { type: "postCheck", at: T0 + 3, result: passing },
    ]);
    expect(minimal.evaluation.verdict).toBe("Resilient");
    for (const key of ["reconciliation", "cleanupError", "collateral", "phase"]) expect(minimal).not.toHaveProperty(key);
    expect(minimal.evaluation).not.toHaveProperty("deviations");
    expect(minimal.injection).not.toHaveProperty("targets");
  });

  it("omits the injection time when nothing was injected", () => {
    const report = build([{ type: "preCheck", at: T0, result: { ...passing, passed: false, checksPassed: 0 } }]);
    expect(report.injection).not.toHaveProperty("timestamp");
    expect(report.evaluation.verdict).toBe("Inconclusive");
  });

  it("round-trips through JSON and parseReport", () => {
    const parsed = parseReport(JSON.parse(JSON.stringify(build())));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(reportRecoveryMs(parsed.report)).toBe(3000);
  });
});

describe("parseReport", () => {
  it("accepts a report written by the Go tool (no extensions, nanosecond recovery time)", () => {
    const goReport = {
      experiment: "x",
      timestamp: "2025-06-01T12:00:00Z",
      target: { operator: "o", component: "c" },
      injection: { type: "PodKill", timestamp: "2025-06-01T12:00:00Z" },
      evaluation: { verdict: "Degraded", confidence: "c", recoveryTime: 1_500_000_000, reconcileCycles: 3, deviations: [{ type: "slow_recovery", detail: "d" }] },
      steadyState: {},
    };
    const parsed = parseReport(goReport);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(reportRecoveryMs(parsed.report)).toBe(1500);
  });

  it.each([
    [[], "not a JSON object"],
    [{ evaluation: { verdict: "Resilient" } }, "missing `experiment`"],
    [{ experiment: "x" }, "missing `evaluation`"],
    [{ experiment: "x", evaluation: { verdict: "Great" } }, 'unknown verdict "Great"'],
    [{ experiment: "x", evaluation: { verdict: "Failed" } }, "missing `injection.type`"],
    [{ experiment: "x", evaluation: { verdict: "Failed" }, injection: { type: "PodKill" } }, "missing `target`"],
  ])("rejects %j: %s", (value, error) => {
    expect(parseReport(value)).toEqual({ ok: false, error });
  });
});

describe("reportFileStem", () => {
  it("is the experiment name and the UTC report time to the second", () => {
    expect(reportFileStem({ experiment: "operator-pod-kill", timestamp: "2025-06-01T12:00:20.123Z" })).toBe("operator-pod-kill-20250601-120020");
  });

  it("cannot escape the report directory", () => {
    expect(reportFileStem({ experiment: "../../etc/passwd", timestamp: "2025-06-01T12:00:20Z" })).toBe(".._.._etc_passwd-20250601-120020");
  });
});
