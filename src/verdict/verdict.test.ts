import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DeviationType, evaluate, Verdict, type EvaluationInput, type Hypothesis } from "./verdict.js";
import type { CheckOutcome, Persistence, TimelineEvent, TimelineEventType } from "../observe/timeline.js";

const available = { type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "operator", namespace: "ops", conditionType: "Available" };
const passing: CheckOutcome = { passed: true, checksRun: 1, checksPassed: 1, details: [{ check: available, passed: true, value: "Available=True" }] };
const failing: CheckOutcome = { passed: false, checksRun: 1, checksPassed: 0, details: [{ check: available, passed: false, value: "Available=False" }] };
const deployment = { apiVersion: "apps/v1", kind: "Deployment", name: "operator", namespace: "ops" };

/**
 * A complete, healthy run: pre-check passes, the fault is injected at 1 s and confirmed, the steady state
 * is lost and holds again 3 s after recovery start, the post-check passes.
 */
function healthyRun(persistence: Persistence): TimelineEvent[] {
  const events: TimelineEvent[] = [
    { type: "phase", at: 0, phase: "Pending" },
    { type: "phase", at: 10, phase: "SteadyStatePre" },
    { type: "preCheck", at: 100, result: passing },
    { type: "phase", at: 900, phase: "Injecting" },
    { type: "injectionStarted", at: 1000, faultType: persistence === "instantaneous" ? "PodKill" : "NetworkPartition", targets: ["Pod/ops/operator-1"] },
    { type: "injectionConfirmed", at: 1050, detail: "pod gone" },
    { type: "phase", at: 1100, phase: "Observing" },
    { type: "steadyStateLost", at: 1200, failingChecks: ["Deployment/operator Available"] },
  ];
  const start = persistence === "instantaneous" ? 1000 : 20_000;
  if (persistence === "sustained") events.push({ type: "faultReverted", at: start });
  events.push(
    { type: "steadyStateHolds", at: start + 3000 },
    { type: "recoveryDetected", at: start + 3000 },
    { type: "phase", at: start + 13_000, phase: "SteadyStatePost" },
    { type: "postCheck", at: start + 13_000, result: passing },
    { type: "phase", at: start + 13_100, phase: "Evaluating" },
    { type: "phase", at: start + 13_200, phase: "Complete" },
  );
  return events;
}

const hypothesis: Hypothesis = { recoveryTimeoutMs: 60_000, persistence: "instantaneous", stabilityWindowMs: 10_000 };

const without = (events: TimelineEvent[], ...types: TimelineEventType[]) => events.filter((event) => !types.includes(event.type));
const withPostCheck = (events: TimelineEvent[], result: CheckOutcome) =>
  events.map((event) => (event.type === "postCheck" ? { ...event, result } : event));

interface Row {
  rule: string;
  input: EvaluationInput;
  verdict: Verdict;
  deviations: DeviationType[];
  reason: string | RegExp;
}

const instantaneous = healthyRun("instantaneous");
const sustained = healthyRun("sustained");

const rows: Row[] = [
  {
    rule: "base: post-check passes, everything reconciled → Resilient",
    input: { timeline: instantaneous, hypothesis },
    verdict: Verdict.Resilient,
    deviations: [],
    reason: "steady state restored 3s after the injection (timeout 1m)",
  },
  {
    rule: "base: sustained fault, recovery measured from the revert → Resilient",
    input: { timeline: sustained, hypothesis: { ...hypothesis, persistence: "sustained" } },
    verdict: Verdict.Resilient,
    deviations: [],
    reason: "steady state restored 3s after the revert (timeout 1m)",
  },
  {
    rule: "base: steady state never disrupted → Resilient",
    input: { timeline: without(instantaneous, "steadyStateLost", "steadyStateHolds"), hypothesis },
    verdict: Verdict.Resilient,
    deviations: [],
    reason: "the steady state held throughout the fault",
  },
  {
    rule: "base: post-check fails → Failed",
    input: { timeline: withPostCheck(without(instantaneous, "steadyStateHolds"), failing), hypothesis },
    verdict: Verdict.Failed,
    deviations: [],
    reason: "steady state not restored: post-check 0/1 checks passed (failing: conditionTrue Deployment/operator: Available=False)",
  },
  {
    rule: "base: post-check fails while resources are also unreconciled → Failed (the post-check decides)",
    input: {
      timeline: [
        ...withPostCheck(without(instantaneous, "steadyStateHolds"), failing),
        { type: "managedResource", at: 1300, resource: deployment, status: "missing", detail: "not found" },
      ],
      hypothesis,
    },
    verdict: Verdict.Failed,
    deviations: [],
    reason: /^steady state not restored/,
  },
  {
    rule: "partial_reconciliation: checks pass but a managed resource is not reconciled → Degraded",
    input: {
      timeline: [
        ...instantaneous,
        { type: "managedResource", at: 1300, resource: deployment, status: "specDrift", detail: "spec.replicas: expected 1, got 0" },
      ],
      hypothesis,
    },
    verdict: Verdict.Degraded,
    deviations: [DeviationType.PartialReconciliation],
    reason: "steady-state checks pass but 1 managed resource not reconciled: Deployment/ops/operator (specDrift: spec.replicas: expected 1, got 0)",
  },
  {
    rule: "slow_recovery: recovered later than the recovery timeout → Degraded",
    input: { timeline: instantaneous, hypothesis: { ...hypothesis, recoveryTimeoutMs: 2000 } },
    verdict: Verdict.Degraded,
    deviations: [DeviationType.SlowRecovery],
    reason: "slow_recovery: took 3s to recover, over the 2s recovery timeout",
  },
  {
    rule: "excessive_reconciliation: more reconcile cycles than the knowledge model allows → Degraded",
    input: { timeline: [...instantaneous, { type: "reconcileCycles", at: 4000, count: 12 }], hypothesis, maxReconcileCycles: 10 },
    verdict: Verdict.Degraded,
    deviations: [DeviationType.ExcessiveReconciliation],
    reason: "excessive_reconciliation: 12 reconcile cycles, more than the allowed 10",
  },
  {
    rule: "excessive_reconciliation is disabled by a limit of 0 → Resilient",
    input: { timeline: [...instantaneous, { type: "reconcileCycles", at: 4000, count: 12 }], hypothesis, maxReconcileCycles: 0 },
    verdict: Verdict.Resilient,
    deviations: [],
    reason: /^steady state restored/,
  },
  {
    rule: "collateral_degradation: a dependent lost its steady state → Degraded",
    input: {
      timeline: [...instantaneous, { type: "collateral", at: 14_000, operator: "model-registry", component: "api", passed: false, result: failing }],
      hypothesis,
    },
    verdict: Verdict.Degraded,
    deviations: [DeviationType.CollateralDegradation],
    reason: "collateral_degradation: dependent model-registry/api lost its steady state (0/1 checks passed)",
  },
  {
    rule: "recovered_by_restart (ours): a target pod restarted before recovery → Degraded",
    input: {
      timeline: [...instantaneous, { type: "podRestarted", at: 2500, pod: "operator-1", container: "manager", restartCount: 1 }],
      hypothesis,
    },
    verdict: Verdict.Degraded,
    deviations: [DeviationType.RecoveredByRestart],
    reason: "recovered_by_restart: 1 target pod restart before recovery: operator-1/manager restarted (restartCount 1)",
  },
  {
    rule: "flapping (ours): the whole steady state lost again after it had held for a while → Degraded",
    input: {
      timeline: [...instantaneous, { type: "steadyStateLost", at: 5000, failingChecks: [] }, { type: "steadyStateHolds", at: 6000 }],
      hypothesis,
    },
    verdict: Verdict.Degraded,
    deviations: [DeviationType.Flapping],
    reason: "flapping: the whole steady state was lost again after it had recovered: held from 1970-01-01T00:00:04.000Z, lost 1s later",
  },
  {
    rule: "not flapping: a value passing through an in-between state while converging (1 → 0 → 1 within 68 ms) → Resilient",
    input: {
      timeline: [
        ...without(instantaneous, "steadyStateHolds", "recoveryDetected"),
        { type: "steadyStateHolds", at: 3000 },
        { type: "steadyStateLost", at: 3020, failingChecks: ["status.ready"] },
        { type: "steadyStateHolds", at: 3088 },
      ],
      hypothesis,
    },
    verdict: Verdict.Resilient,
    deviations: [],
    // Recovered when it settled, not at the instant it passed through.
    reason: "steady state restored 2.1s after the injection (timeout 1m)",
  },
  {
    rule: "deviations never upgrade Failed",
    input: {
      timeline: [
        ...withPostCheck(instantaneous, failing),
        { type: "steadyStateLost", at: 5000, failingChecks: [] },
        { type: "podRestarted", at: 3000, pod: "operator-1", restartCount: 1 },
      ],
      hypothesis,
    },
    verdict: Verdict.Failed,
    deviations: [DeviationType.RecoveredByRestart, DeviationType.Flapping],
    reason: "recovered_by_restart: 1 target pod restart before recovery: operator-1 restarted (restartCount 1)",
  },
  {
    rule: "restarts are reported even when the steady state never came back (Failed stays Failed)",
    input: {
      timeline: [
        ...withPostCheck(without(instantaneous, "steadyStateHolds"), failing),
        { type: "podReplaced", at: 3000, pod: "operator-2", previousPod: "operator-1", causedByFault: false },
      ],
      hypothesis,
    },
    verdict: Verdict.Failed,
    deviations: [DeviationType.RecoveredByRestart],
    reason: "recovered_by_restart: 1 target pod restart after the injection (no recovery): operator-1 replaced by operator-2",
  },
  {
    rule: "dry run → Inconclusive",
    input: { timeline: [], hypothesis, dryRun: true },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "dry run: nothing was injected, so the hypothesis was not tested",
  },
  {
    rule: "no pre-check → Inconclusive",
    input: { timeline: without(instantaneous, "preCheck"), hypothesis },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "no pre-check result was recorded, so there is no baseline",
  },
  {
    rule: "pre-check failure → Inconclusive with the reason",
    input: {
      timeline: [
        { type: "preCheck", at: 100, result: failing },
        { type: "phase", at: 110, phase: "Aborted" },
      ],
      hypothesis,
    },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason:
      "pre-check failed: 0/1 checks passed; the system was not in steady state before injection (failing: conditionTrue Deployment/operator: Available=False)",
  },
  {
    rule: "fault never injected → Inconclusive",
    input: { timeline: without(instantaneous, "injectionStarted", "injectionConfirmed"), hypothesis },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "the fault was never injected",
  },
  {
    rule: "fault not confirmed (the tool gave up) → Inconclusive, never Resilient",
    input: {
      timeline: [...without(instantaneous, "injectionConfirmed"), { type: "injectionUnconfirmed", at: 1050, reason: "pod operator-1 still running after 10s" }],
      hypothesis,
    },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "the fault was not confirmed to take effect: pod operator-1 still running after 10s",
  },
  {
    rule: "fault confirmation missing → Inconclusive",
    input: { timeline: without(instantaneous, "injectionConfirmed"), hypothesis },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "the fault was never confirmed to take effect",
  },
  {
    rule: "sustained fault never reverted → Inconclusive",
    input: { timeline: without(sustained, "faultReverted"), hypothesis: { ...hypothesis, persistence: "sustained" } },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "the sustained fault was never reverted, so the recovery window never started",
  },
  {
    rule: "run aborted → Inconclusive",
    input: { timeline: [...without(instantaneous, "postCheck"), { type: "phase", at: 3000, phase: "Aborted" }], hypothesis },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "the run was aborted",
  },
  {
    rule: "no post-check → Inconclusive",
    input: { timeline: without(instantaneous, "postCheck"), hypothesis },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "no post-check result was recorded",
  },
  {
    rule: "watch gap (ours): would-be Resilient → Inconclusive",
    input: {
      timeline: [...instantaneous, { type: "watchGap", at: 2000, watch: "apps/v1 Deployment ops", reason: "re-list after 410 Gone failed" }],
      hypothesis,
    },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "watch gap at 1970-01-01T00:00:02.000Z: apps/v1 Deployment ops could not be resumed (re-list after 410 Gone failed)",
  },
  {
    rule: "tool bookkeeping error (ours): would-be Resilient → Inconclusive",
    input: { timeline: [...instantaneous, { type: "toolError", at: 900, operation: "journal", message: "could not write the journal record" }], hypothesis },
    verdict: Verdict.Inconclusive,
    deviations: [],
    reason: "tool error at 1970-01-01T00:00:00.900Z during journal: could not write the journal record",
  },
  {
    rule: "a watch gap does not hide a failure: Failed stays Failed, with the gap listed",
    input: {
      timeline: [
        ...withPostCheck(without(instantaneous, "steadyStateHolds"), failing),
        { type: "watchGap", at: 2000, watch: "apps/v1 Deployment ops", reason: "timeout" },
      ],
      hypothesis,
    },
    verdict: Verdict.Failed,
    deviations: [],
    reason: /^watch gap at .*timeout\)$/,
  },
];

describe("evaluate: verdict table", () => {
  it.each(rows)("$rule", (row) => {
    const evaluation = evaluate(row.input);
    expect(evaluation.verdict).toBe(row.verdict);
    expect(evaluation.deviations.map((deviation) => deviation.type)).toEqual(row.deviations);
    if (typeof row.reason === "string") expect(evaluation.reasons).toContain(row.reason);
    else expect(evaluation.reasons.some((reason) => (row.reason as RegExp).test(reason))).toBe(true);
  });
});

describe("evaluate: fields", () => {
  it("gives recovery time in ms and in the Go tool's integer nanoseconds, with a one-line confidence", () => {
    const evaluation = evaluate({ timeline: [...instantaneous, { type: "reconcileCycles", at: 3000, count: 3 }], hypothesis });
    expect(evaluation).toEqual({
      verdict: "Resilient",
      confidence: "1/1 steady-state checks passed, 3s recovery, 3 reconcile cycles",
      recoveryTime: 3_000_000_000,
      recoveryTimeMs: 3000,
      reconcileCycles: 3,
      deviations: [],
      reasons: ["steady state restored 3s after the injection (timeout 1m)"],
    });
  });

  it("reports no recovery time when the steady state never came back", () => {
    const evaluation = evaluate({ timeline: withPostCheck(without(instantaneous, "steadyStateHolds"), failing), hypothesis });
    expect(evaluation.recoveryTimeMs).toBeNull();
    expect(evaluation.recoveryTime).toBe(0);
    expect(evaluation.confidence).toBe("0/1 steady-state checks passed, not recovered, 0 reconcile cycles");
  });

  it("puts the first reason in the confidence of an inconclusive run and lists every gate", () => {
    const evaluation = evaluate({ timeline: without(instantaneous, "injectionConfirmed", "postCheck"), hypothesis });
    expect(evaluation.confidence).toBe("the fault was never confirmed to take effect");
    expect(evaluation.reasons).toEqual(["the fault was never confirmed to take effect", "no post-check result was recorded"]);
    expect(evaluation.recoveryTimeMs).toBeNull();
  });

  it("explains why resilience cannot be claimed before listing the gap", () => {
    const evaluation = evaluate({ timeline: [...instantaneous, { type: "watchGap", at: 2000, watch: "pods", reason: "gone" }], hypothesis });
    expect(evaluation.reasons[0]).toBe("the observations are incomplete, so resilience cannot be claimed");
    expect(evaluation.confidence).toBe(evaluation.reasons[0]);
  });

  it("collects several deviations on one run", () => {
    const evaluation = evaluate({
      timeline: [
        ...instantaneous,
        { type: "podRestarted", at: 2500, pod: "operator-1", restartCount: 1 },
        { type: "collateral", at: 14_000, operator: "dep", component: "c", passed: false },
      ],
      hypothesis: { ...hypothesis, recoveryTimeoutMs: 1000 },
    });
    expect(evaluation.verdict).toBe("Degraded");
    expect(evaluation.deviations.map((deviation) => deviation.type)).toEqual(["slow_recovery", "collateral_degradation", "recovered_by_restart"]);
  });
});

describe("evaluate: properties", () => {
  const optionalEvent: fc.Arbitrary<TimelineEvent> = fc.oneof(
    fc.nat(40_000).map((at): TimelineEvent => ({ type: "steadyStateLost", at, failingChecks: [] })),
    fc.nat(40_000).map((at): TimelineEvent => ({ type: "steadyStateHolds", at })),
    fc.nat(40_000).map((at): TimelineEvent => ({ type: "podRestarted", at, pod: "p", restartCount: 1 })),
    fc.nat(40_000).map((at): TimelineEvent => ({ type: "reconcileCycles", at, count: at % 20 })),
    fc.nat(40_000).map((at): TimelineEvent => ({ type: "faultReverted", at })),
  );
  interface ArbitraryRun {
    persistence: Persistence;
    extra: TimelineEvent[];
    recoveryTimeoutMs: number;
    stabilityWindowMs: number;
    postPassed: boolean;
  }
  const arbitraryRun: fc.Arbitrary<ArbitraryRun> = fc.record({
    persistence: fc.constantFrom<Persistence>("instantaneous", "sustained"),
    extra: fc.array(optionalEvent, { maxLength: 12 }),
    recoveryTimeoutMs: fc.integer({ min: 1, max: 120_000 }),
    stabilityWindowMs: fc.nat(30_000),
    postPassed: fc.boolean(),
  });
  const build = (run: ArbitraryRun, more: TimelineEvent[]): EvaluationInput => ({
    timeline: [...withPostCheck(healthyRun(run.persistence), run.postPassed ? passing : failing), ...run.extra, ...more],
    hypothesis: { persistence: run.persistence, recoveryTimeoutMs: run.recoveryTimeoutMs, stabilityWindowMs: run.stabilityWindowMs },
    maxReconcileCycles: 10,
  });

  it("recovery time is never negative", () => {
    fc.assert(
      fc.property(arbitraryRun, (run) => {
        const evaluation = evaluate(build(run, []));
        expect(evaluation.recoveryTime).toBeGreaterThanOrEqual(0);
        if (evaluation.recoveryTimeMs !== null) expect(evaluation.recoveryTimeMs).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("a run with a watch gap is never Resilient", () => {
    fc.assert(
      fc.property(arbitraryRun, fc.nat(40_000), (run, at) => {
        expect(evaluate(build(run, [{ type: "watchGap", at, watch: "pods", reason: "lost" }])).verdict).not.toBe("Resilient");
      }),
    );
  });

  it("a run with a tool error is never Resilient", () => {
    fc.assert(
      fc.property(arbitraryRun, fc.nat(40_000), (run, at) => {
        expect(evaluate(build(run, [{ type: "toolError", at, operation: "revert", message: "x" }])).verdict).not.toBe("Resilient");
      }),
    );
  });

  it("an unconfirmed fault is always Inconclusive", () => {
    fc.assert(
      fc.property(arbitraryRun, fc.nat(40_000), (run, at) => {
        const input = build(run, [{ type: "injectionUnconfirmed", at, reason: "no effect" }]);
        expect(evaluate(input).verdict).toBe("Inconclusive");
        expect(evaluate({ ...input, timeline: without(input.timeline as TimelineEvent[], "injectionConfirmed", "injectionUnconfirmed") }).verdict).toBe(
          "Inconclusive",
        );
      }),
    );
  });

  it("Resilient always comes with no deviations and a passing post-check", () => {
    fc.assert(
      fc.property(arbitraryRun, (run) => {
        const evaluation = evaluate(build(run, []));
        if (evaluation.verdict === "Resilient") {
          expect(evaluation.deviations).toEqual([]);
          expect(run.postPassed).toBe(true);
        }
      }),
    );
  });
});
