// The evidence rules: the reconcile probe, effects of a fault whose presence proves nothing, no
// evidence at all, and reports that lead with the real reason.
import { describe, expect, it } from "vitest";
import { evaluate, Verdict, type Hypothesis } from "./verdict.js";
import { holdSpans, settledRecovery } from "./flapping.js";
import type { CheckOutcome, TimelineEvent } from "../observe/timeline.js";

const available = { type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "operator", namespace: "ops", conditionType: "Available" };
const passing: CheckOutcome = { passed: true, checksRun: 1, checksPassed: 1, details: [{ check: available, passed: true, value: "Available=True" }] };
const none: CheckOutcome = { passed: true, checksRun: 0, checksPassed: 0, details: [] };
const sustained: Hypothesis = { recoveryTimeoutMs: 180_000, persistence: "sustained", stabilityWindowMs: 3000 };
const instantaneous: Hypothesis = { ...sustained, persistence: "instantaneous" };
const probe = "label app.kubernetes.io/instance on Deployment/ops/sample";
const resource = "Deployment/ops/sample";

/** A partition held from 1 s to 181 s, the steady state never disturbed. */
function partition(extra: TimelineEvent[], options: { needsObservedEffect?: boolean; pre?: CheckOutcome } = {}): TimelineEvent[] {
  return [
    { type: "preCheck", at: 100, result: options.pre ?? passing },
    { type: "injectionStarted", at: 1000, faultType: "NetworkPartition", targets: ["Pod/ops/operator-1"] },
    { type: "injectionConfirmed", at: 1050, detail: "policy in place", ...(options.needsObservedEffect === false ? {} : { needsObservedEffect: true }) },
    ...extra,
    { type: "faultReverted", at: 181_000 },
    { type: "postCheck", at: 186_000, result: options.pre ?? passing },
  ];
}

const sent = (at: number, stage: "fault" | "recovery" = "fault"): TimelineEvent => ({ type: "probeSent", at, stage, probe, resource });
const unrepaired = (at: number, sentAt: number, stage: "fault" | "recovery", waitedMs: number): TimelineEvent => ({ type: "probeUnrepaired", at, stage, probe, resource, sentAt, waitedMs });
const repaired = (at: number, sentAt: number, stage: "fault" | "recovery", roundTripMs: number): TimelineEvent => ({ type: "probeRepaired", at, stage, probe, resource, sentAt, roundTripMs });

describe("the reconcile probe", () => {
  it("unrepaired while held and repaired after the revert: Resilient, both times in the reasons", () => {
    const evaluation = evaluate({
      timeline: partition([sent(1100), unrepaired(180_999, 1100, "fault", 179_900), repaired(181_400, 1100, "recovery", 400)]),
      hypothesis: sustained,
    });
    expect(evaluation.verdict).toBe(Verdict.Resilient);
    expect(evaluation.reasons).toContain(`the reconcile probe (${probe}) was repaired 400ms after the revert`);
    expect(evaluation.reasons).toContain("the reconcile probe stayed unrepaired for the 3m the fault was held: the fault stopped reconciliation");
  });

  it("never repaired after the fault is over: Failed (the operator stopped reconciling), whatever the checks say, with no recovery time", () => {
    const evaluation = evaluate({
      timeline: partition([sent(1100), unrepaired(180_999, 1100, "fault", 179_900), unrepaired(361_000, 1100, "recovery", 180_000)]),
      hypothesis: sustained,
    });
    expect(evaluation.verdict).toBe(Verdict.Failed);
    expect(evaluation.reasons[0]).toBe(`the operator stopped reconciling: the reconcile probe (${probe}) was not repaired within 3m`);
    expect(evaluation.confidence).toBe(evaluation.reasons[0]);
    expect(evaluation.recoveryTimeMs).toBeNull();
    expect(evaluation.recoveryTime).toBe(0);
  });

  it("an instantaneous fault's probe after recovery, never repaired: Failed (a zombie that is Ready)", () => {
    const timeline: TimelineEvent[] = [
      { type: "preCheck", at: 100, result: passing },
      { type: "injectionStarted", at: 1000, faultType: "PodKill", targets: ["Pod/ops/operator-1"] },
      { type: "injectionConfirmed", at: 1050, detail: "pod gone" },
      { type: "steadyStateLost", at: 1100, failingChecks: ["x"] },
      { type: "steadyStateHolds", at: 2000 },
      sent(5000, "recovery"),
      unrepaired(65_000, 5000, "recovery", 60_000),
      { type: "postCheck", at: 65_001, result: passing },
    ];
    const evaluation = evaluate({ timeline, hypothesis: instantaneous });
    expect(evaluation.verdict).toBe(Verdict.Failed);
    expect(evaluation.reasons[0]).toMatch(/^the operator stopped reconciling/);
  });

  it("its own drift of a managed resource is not a loss of the steady state, nor flapping", () => {
    const drift = (at: number, ok: boolean): TimelineEvent => ({
      type: "managedResource", at, resource: { apiVersion: "apps/v1", kind: "Deployment", name: "sample", namespace: "ops" }, status: ok ? "ok" : "specDrift", detail: "",
    });
    const timeline = partition([drift(500, true), sent(1100), drift(1101, false), unrepaired(180_999, 1100, "fault", 179_900), drift(181_300, true), repaired(181_300, 1100, "recovery", 300)]);
    const evaluation = evaluate({ timeline: [drift(50, true), ...timeline], hypothesis: sustained });
    // Effect seen through the probe; the drift it caused is not a lost steady state.
    expect(evaluation.verdict).toBe(Verdict.Resilient);
    expect(evaluation.deviations).toEqual([]);
  });
});

describe("a fault whose presence proves nothing (NetworkPartition)", () => {
  it("no effect seen (steady state held, no probe): Inconclusive, saying so", () => {
    const evaluation = evaluate({ timeline: partition([]), hypothesis: sustained });
    expect(evaluation.verdict).toBe(Verdict.Inconclusive);
    expect(evaluation.reasons[0]).toMatch(/^the fault is in place but no effect of it was seen: .*no reconcile probe was sent/);
  });

  it("the probe repaired while the fault was held: no effect, Inconclusive", () => {
    const evaluation = evaluate({ timeline: partition([sent(1100), repaired(1300, 1100, "fault", 200), sent(181_001, "recovery"), repaired(181_200, 181_001, "recovery", 199)]), hypothesis: sustained });
    expect(evaluation.verdict).toBe(Verdict.Inconclusive);
    expect(evaluation.reasons[0]).toMatch(/the reconcile probe was repaired 200ms after it was sent, while the fault was held/);
  });

  it("an observed disconnect is an effect: Resilient", () => {
    const evaluation = evaluate({ timeline: partition([{ type: "faultEffect", at: 20_000, evidence: "Lease ops/leader was not renewed for 19s" }]), hypothesis: sustained });
    expect(evaluation.verdict).toBe(Verdict.Resilient);
    expect(evaluation.reasons).toContain("the fault bit: Lease ops/leader was not renewed for 19s");
  });

  it("a steady state lost during the hold is an effect", () => {
    const evaluation = evaluate({
      timeline: partition([{ type: "steadyStateLost", at: 5000, failingChecks: ["x"] }, { type: "steadyStateHolds", at: 6000 }]),
      hypothesis: sustained,
    });
    expect(evaluation.verdict).toBe(Verdict.Resilient);
    expect(evaluation.reasons.some((reason) => reason.includes("the steady state was lost while the fault was held"))).toBe(true);
  });

  it("a fault confirmed by its effect (RBACRevoke's SubjectAccessReview) needs nothing more", () => {
    expect(evaluate({ timeline: partition([], { needsObservedEffect: false }), hypothesis: sustained }).verdict).toBe(Verdict.Resilient);
  });
});

describe("no evidence, no Resilient; the real reason first", () => {
  it("zero checks and no managed resources: Inconclusive", () => {
    const evaluation = evaluate({ timeline: partition([], { needsObservedEffect: false, pre: none }), hypothesis: sustained });
    expect(evaluation.verdict).toBe(Verdict.Inconclusive);
    expect(evaluation.reasons[0]).toMatch(/^no evidence: the experiment has no steady-state checks/);
  });

  it("zero checks but a repaired probe is evidence", () => {
    const evaluation = evaluate({
      timeline: partition([sent(1100), unrepaired(180_999, 1100, "fault", 179_900), repaired(181_400, 1100, "recovery", 400)], { pre: none }),
      hypothesis: sustained,
    });
    expect(evaluation.verdict).toBe(Verdict.Resilient);
  });

  it("a refused run leads with why it was refused, not with a missing pre-check", () => {
    const evaluation = evaluate({
      timeline: [{ type: "runRefused", at: 10, reason: "the ImageCorrupt fault can be validated but not run yet" }],
      hypothesis: sustained,
    });
    expect(evaluation.verdict).toBe(Verdict.Inconclusive);
    expect(evaluation.reasons[0]).toBe("refused: the ImageCorrupt fault can be validated but not run yet");
    expect(evaluation.confidence).toBe(evaluation.reasons[0]);
  });
});

describe("settled recovery (the flapping definition)", () => {
  const base: TimelineEvent[] = [
    { type: "preCheck", at: 0, result: passing },
    { type: "injectionStarted", at: 1000, faultType: "PodKill", targets: [] },
    { type: "steadyStateLost", at: 1010, failingChecks: ["x"] },
  ];
  it("an in-between value is a transient, and recovery is when it settled", () => {
    const timeline: TimelineEvent[] = [...base, { type: "steadyStateHolds", at: 2000 }, { type: "steadyStateLost", at: 2068, failingChecks: ["x"] }, { type: "steadyStateHolds", at: 2100 }];
    expect(settledRecovery(timeline, { persistence: "instantaneous" })).toMatchObject({
      recoveredAt: 2100, recoveryTimeMs: 1100, transients: [{ from: 2000, until: 2068 }], flaps: [],
    });
  });

  it("a loss after a settled hold is a flap", () => {
    const timeline: TimelineEvent[] = [...base, { type: "steadyStateHolds", at: 2000 }, { type: "steadyStateLost", at: 4000, failingChecks: ["x"] }, { type: "steadyStateHolds", at: 4500 }];
    expect(settledRecovery(timeline, { persistence: "instantaneous" })).toMatchObject({ recoveredAt: 2000, flaps: [{ recoveredAt: 2000, lostAt: 4000 }] });
    expect(holdSpans(timeline, 0)).toEqual([{ from: 0, until: 1010 }, { from: 2000, until: 4000 }, { from: 4500 }]);
  });

  it("only short holds and the record ends lost: not recovered", () => {
    const timeline: TimelineEvent[] = [...base, { type: "steadyStateHolds", at: 2000 }, { type: "steadyStateLost", at: 2010, failingChecks: ["x"] }];
    expect(settledRecovery(timeline, { persistence: "instantaneous" }).recoveredAt).toBeUndefined();
  });
});
