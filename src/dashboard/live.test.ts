import { describe, expect, it } from "vitest";
import { controllerReport, goDurationMs } from "./controller-report.js";
import { LiveBoard, LivePhase, type LiveChange } from "./live.js";

describe("LiveBoard", () => {
  it("follows a CLI run from its lock through a held fault to its revert and end", () => {
    const board = new LiveBoard(() => new Date("2026-12-01T10:00:00Z"));
    const changes: LiveChange[] = [];
    board.subscribe((change) => changes.push(change));
    board.lease("demo", "operator-chaos-lock-llamastack", "llamastack", "host-1-abc", "2026-12-01T09:59:58Z");
    expect(board.list()).toMatchObject([{ id: "cli/demo/operator-chaos-lock-llamastack", phase: LivePhase.Running, startedAt: "2026-12-01T09:59:58Z" }]);
    board.record("ConfigMap/demo/j-1", "llamastack", "drift-1", { faultType: "ConfigDrift", target: "ConfigMap/demo/cfg", since: "2026-12-01T10:00:00Z" });
    expect(board.list()[0]).toMatchObject({ phase: LivePhase.FaultHeld, experiment: "drift-1", faults: [{ faultType: "ConfigDrift" }] });
    // A record of another operator's run changes nothing here.
    board.record("ConfigMap/demo/j-9", "other", "x", { faultType: "PodKill", target: "", since: "" });
    expect(board.list()[0]!.faults).toHaveLength(1);
    board.recordGone("ConfigMap/demo/j-1");
    expect(board.list()[0]).toMatchObject({ phase: LivePhase.Reverted, experiment: "drift-1", faults: [] });
    board.leaseGone("demo", "operator-chaos-lock-llamastack");
    expect(board.list()).toEqual([]);
    expect(changes.map((c) => (c.type === "upsert" ? c.run.phase : "removed"))).toEqual(["Running", "FaultHeld", "Reverted", "removed"]);
  });

  it("shows controller-mode experiments until they finish", () => {
    const board = new LiveBoard();
    board.controller("ns", "ce-1", "op", "Observing", "2026-12-01T10:00:00Z", "PodKill", false);
    expect(board.list()).toMatchObject([{ kind: "controller", phase: "Observing", experiment: "ce-1" }]);
    board.controller("ns", "ce-1", "op", "Complete", "2026-12-01T10:00:00Z", "PodKill", true);
    expect(board.list()).toEqual([]);
  });
});

describe("controllerReport", () => {
  it("reads Go durations", () => {
    expect(goDurationMs("1m2.5s")).toBe(62_500);
    expect(goDurationMs("350ms")).toBe(350);
    expect(goDurationMs("0")).toBe(0);
    expect(goDurationMs("soon")).toBeUndefined();
  });

  it("turns a finished ChaosExperiment into a report, and refuses one without a verdict", () => {
    const object = {
      metadata: { name: "ce-1", namespace: "ns" },
      spec: { target: { operator: "op", component: "c" }, injection: { type: "PodKill" }, hypothesis: { description: "comes back", recoveryTimeout: "2m" } },
      status: { phase: "Complete", verdict: "Resilient", endTime: "2026-12-01T10:01:00Z", evaluationResult: { verdict: "Resilient", confidence: "high", recoveryTime: "1.5s", reconcileCycles: 2, deviations: ["slow_recovery: took long"] } },
    };
    const report = controllerReport(object)!;
    expect(report).toMatchObject({
      experiment: "ce-1", timestamp: "2026-12-01T10:01:00Z", target: { operator: "op", component: "c" }, injection: { type: "PodKill" },
      evaluation: { verdict: "Resilient", recoveryTimeMs: 1500, recoveryTime: 1_500_000_000, deviations: [{ type: "slow_recovery", detail: "slow_recovery: took long" }] },
      hypothesis: { description: "comes back", recoveryTimeoutMs: 120_000 },
    });
    expect(controllerReport({ ...object, status: { phase: "Aborted" } })).toBeUndefined();
  });
});
