import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  analyzeRecovery,
  collateralResults,
  finalPhase,
  latestReconcileCycles,
  managedResourceStatuses,
  recoveryStart,
  recoveryTimeMs,
  restartsDuringRecovery,
  sortEvents,
  TimelineRecorder,
  wholeSteadyStateTrace,
  type CheckOutcome,
  type Persistence,
  type TimelineEvent,
} from "./timeline.js";

const passing: CheckOutcome = { passed: true, checksRun: 1, checksPassed: 1, details: [] };
const failing: CheckOutcome = { passed: false, checksRun: 1, checksPassed: 0, details: [] };
const deployment = { apiVersion: "apps/v1", kind: "Deployment", name: "operator", namespace: "ops" };

const pre = (at: number): TimelineEvent => ({ type: "preCheck", at, result: passing });
const inject = (at: number): TimelineEvent => ({ type: "injectionStarted", at, faultType: "PodKill", targets: ["Pod/ops/operator-1"] });
const lost = (at: number): TimelineEvent => ({ type: "steadyStateLost", at, failingChecks: ["Deployment/operator Available"] });
const holds = (at: number): TimelineEvent => ({ type: "steadyStateHolds", at });
const revert = (at: number): TimelineEvent => ({ type: "faultReverted", at });
const post = (at: number, result = passing): TimelineEvent => ({ type: "postCheck", at, result });

describe("sortEvents", () => {
  it("orders by timestamp and keeps recording order for equal timestamps", () => {
    const events: TimelineEvent[] = [holds(30), lost(10), { type: "recoveryDetected", at: 10 }, pre(0)];
    expect(sortEvents(events).map((event) => `${event.type}@${event.at}`)).toEqual([
      "preCheck@0",
      "steadyStateLost@10",
      "recoveryDetected@10",
      "steadyStateHolds@30",
    ]);
  });
});

describe("TimelineRecorder", () => {
  it("stamps events with the injected clock unless a timestamp is given, and returns them in time order", () => {
    let now = 500;
    const recorder = new TimelineRecorder(() => now);
    recorder.record({ type: "phase", phase: "Pending" });
    now = 900;
    recorder.record({ type: "steadyStateHolds" });
    recorder.record({ type: "watchGap", at: 700, watch: "apps/v1 Deployment ops", reason: "410 Gone and re-list failed" });
    expect(recorder.events().map((event) => [event.type, event.at])).toEqual([
      ["phase", 500],
      ["watchGap", 700],
      ["steadyStateHolds", 900],
    ]);
  });
});

describe("wholeSteadyStateTrace", () => {
  it("holds only when every check passes and every managed resource is ok", () => {
    const trace = wholeSteadyStateTrace([
      { type: "phase", at: 0, phase: "Pending" },
      pre(10),
      { type: "managedResource", at: 20, resource: deployment, status: "missing", detail: "not found" },
      { type: "managedResource", at: 30, resource: deployment, status: "ok", detail: "" },
      lost(40),
    ]);
    expect(trace.map((step) => step.holds)).toEqual([false, true, false, true, false]);
  });
});

describe("recoveryStart", () => {
  const events = [pre(0), inject(1000), lost(1010), revert(8000), revert(9000), holds(9500)];

  it("is the injection for an instantaneous fault", () => {
    expect(recoveryStart(events, "instantaneous")).toBe(1000);
  });

  it("is the last revert for a sustained fault", () => {
    expect(recoveryStart(events, "sustained")).toBe(9000);
  });

  it("is unknown without an injection, or for a sustained fault that was never reverted", () => {
    expect(recoveryStart([pre(0), revert(10)], "instantaneous")).toBeUndefined();
    expect(recoveryStart([pre(0), inject(10), lost(20)], "sustained")).toBeUndefined();
  });
});

describe("recovery time", () => {
  it("runs from the injection to the first moment the steady state holds again (instantaneous fault)", () => {
    expect(recoveryTimeMs([pre(0), inject(1000), lost(1010), holds(4000), post(60_000)], "instantaneous")).toBe(3000);
  });

  it("comes from the event timestamps, not from the post-check", () => {
    const analysis = analyzeRecovery([pre(0), inject(1000), lost(1200), holds(2750), post(61_000)], {
      persistence: "instantaneous",
      stabilityWindowMs: 5000,
    });
    expect(analysis).toMatchObject({ injectedAt: 1000, recoveryStartAt: 1000, disruptedAt: 1200, recoveredAt: 2750, recoveryTimeMs: 1750 });
  });

  it("is zero when the fault never broke the steady state", () => {
    const analysis = analyzeRecovery([pre(0), inject(1000), post(5000)], { persistence: "instantaneous", stabilityWindowMs: 1000 });
    expect(analysis.disruptedAt).toBeUndefined();
    expect(analysis.recoveryTimeMs).toBe(0);
  });

  it("runs from the revert for a sustained fault", () => {
    expect(recoveryTimeMs([pre(0), inject(1000), lost(1500), revert(10_000), holds(12_500)], "sustained")).toBe(2500);
  });

  it("is zero for a sustained fault the operator rode out before the revert", () => {
    expect(recoveryTimeMs([pre(0), inject(1000), lost(1500), holds(3000), revert(10_000)], "sustained")).toBe(0);
  });

  it("counts a disruption that only starts after the revert from the revert", () => {
    expect(recoveryTimeMs([pre(0), inject(1000), revert(10_000), lost(10_100), holds(11_000)], "sustained")).toBe(1000);
  });

  it("is undefined when the steady state never holds again", () => {
    expect(recoveryTimeMs([pre(0), inject(1000), lost(1010), post(60_000, failing)], "instantaneous")).toBeUndefined();
  });

  it("waits for every managed resource of the knowledge model, not only the checks", () => {
    const events: TimelineEvent[] = [
      pre(0),
      { type: "managedResource", at: 0, resource: deployment, status: "ok", detail: "" },
      inject(1000),
      { type: "managedResource", at: 1005, resource: deployment, status: "missing", detail: "deleted" },
      { type: "managedResource", at: 5000, resource: deployment, status: "ok", detail: "" },
    ];
    expect(recoveryTimeMs(events, "instantaneous")).toBe(4000);
  });

  it("uses a passing post-check as evidence when no holds event was recorded", () => {
    expect(recoveryTimeMs([pre(0), inject(1000), lost(1010), post(20_000)], "instantaneous")).toBe(19_000);
  });

  it("derives the same result from events recorded out of order", () => {
    const ordered = [pre(0), inject(1000), lost(1010), holds(4000)];
    expect(recoveryTimeMs([holds(4000), lost(1010), pre(0), inject(1000)], "instantaneous")).toBe(recoveryTimeMs(ordered, "instantaneous"));
  });
});

describe("restartsDuringRecovery", () => {
  const restart = (at: number, restartCount: number): TimelineEvent => ({ type: "podRestarted", at, pod: "operator-1", container: "manager", restartCount });

  it("counts container restarts between injection and recovery only", () => {
    const events = [pre(0), restart(500, 1), inject(1000), lost(1010), restart(2000, 2), holds(4000), restart(6000, 3)];
    expect(restartsDuringRecovery(events, "instantaneous").map((event) => event.at)).toEqual([2000]);
  });

  it("counts pod replacements the fault did not cause, not the ones it did", () => {
    const events: TimelineEvent[] = [
      pre(0),
      inject(1000),
      lost(1010),
      { type: "podReplaced", at: 1500, pod: "operator-2", previousPod: "operator-1", causedByFault: true },
      { type: "podReplaced", at: 2500, pod: "operator-3", previousPod: "operator-2", causedByFault: false },
      holds(4000),
    ];
    expect(restartsDuringRecovery(events, "instantaneous").map((event) => event.type === "podReplaced" && event.pod)).toEqual(["operator-3"]);
  });

  it("counts a crash during a sustained fault's hold", () => {
    const events = [pre(0), inject(1000), lost(1010), restart(5000, 1), revert(10_000), holds(11_000)];
    expect(restartsDuringRecovery(events, "sustained")).toHaveLength(1);
  });

  it("counts restarts until the end when the steady state never came back", () => {
    expect(restartsDuringRecovery([pre(0), inject(1000), lost(1010), restart(50_000, 7)], "instantaneous")).toHaveLength(1);
  });
});

describe("latest-value helpers", () => {
  it("keep the latest status per managed resource and per dependent, the latest cycle count and the final phase", () => {
    const events: TimelineEvent[] = [
      { type: "phase", at: 0, phase: "Pending" },
      { type: "managedResource", at: 10, resource: deployment, status: "missing", detail: "" },
      { type: "managedResource", at: 20, resource: { kind: "ClusterRole", name: "operator-role" }, status: "ok", detail: "" },
      { type: "managedResource", at: 30, resource: deployment, status: "specDrift", detail: "spec.replicas: expected 1, got 0" },
      { type: "collateral", at: 40, operator: "other", component: "api", passed: false },
      { type: "collateral", at: 50, operator: "other", component: "api", passed: true },
      { type: "reconcileCycles", at: 60, count: 2 },
      { type: "reconcileCycles", at: 70, count: 5 },
      { type: "phase", at: 80, phase: "Complete" },
    ];
    expect([...managedResourceStatuses(events)].map(([key, event]) => [key, event.status])).toEqual([
      ["Deployment/ops/operator", "specDrift"],
      ["ClusterRole/operator-role", "ok"],
    ]);
    expect([...collateralResults(events)].map(([key, event]) => [key, event.passed])).toEqual([["other/api", true]]);
    expect(latestReconcileCycles(events)).toBe(5);
    expect(finalPhase(events)).toBe("Complete");
  });
});

describe("properties", () => {
  const arbitraryEvent: fc.Arbitrary<TimelineEvent> = fc.oneof(
    fc.nat(100_000).map(pre),
    fc.nat(100_000).map((at) => post(at, failing)),
    fc.nat(100_000).map((at) => post(at)),
    fc.nat(100_000).map(inject),
    fc.nat(100_000).map(lost),
    fc.nat(100_000).map(holds),
    fc.nat(100_000).map(revert),
    fc.record({ at: fc.nat(100_000), ok: fc.boolean() }).map(
      ({ at, ok }): TimelineEvent => ({ type: "managedResource", at, resource: deployment, status: ok ? "ok" : "missing", detail: "" }),
    ),
  );
  const arbitraryPersistence = fc.constantFrom<Persistence>("instantaneous", "sustained");

  it("recovery time is never negative, and recovery never precedes recovery start", () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 30 }), arbitraryPersistence, fc.nat(20_000), (events, persistence, window) => {
        const analysis = analyzeRecovery(events, { persistence, stabilityWindowMs: window });
        if (analysis.recoveryTimeMs !== undefined) {
          expect(analysis.recoveryTimeMs).toBeGreaterThanOrEqual(0);
          expect(analysis.recoveredAt).toBeGreaterThanOrEqual(analysis.recoveryStartAt!);
        }
      }),
    );
  });
});
