import { describe, expect, it } from "vitest";
import { evaluate, Verdict, type Hypothesis } from "../verdict/verdict.js";
import { earlierOutages, outagesAtDecision } from "./outages.js";
import type { CheckOutcome, TimelineEvent } from "./timeline.js";

const available = { type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "operator", namespace: "ops", conditionType: "Available" };
const passing: CheckOutcome = { passed: true, checksRun: 1, checksPassed: 1, details: [{ check: available, passed: true, value: "Available=True" }] };
const hypothesis: Hypothesis = { recoveryTimeoutMs: 60_000, persistence: "instantaneous", stabilityWindowMs: 5_000 };

/** Injected at 1 s, lost at 1.2 s, holds again at 4 s, stable window of 5 s, post-check at 9 s. */
const run: TimelineEvent[] = [
  { type: "phase", at: 0, phase: "Pending" },
  { type: "preCheck", at: 100, result: passing },
  { type: "phase", at: 900, phase: "Injecting" },
  { type: "injectionStarted", at: 1000, faultType: "PodKill", targets: ["Pod/ops/operator-1"] },
  { type: "injectionConfirmed", at: 1050, detail: "pod gone" },
  { type: "phase", at: 1100, phase: "Observing" },
  { type: "checkTransition", at: 1200, checkId: "Deployment/operator Available", passed: false, detail: "Available=False" },
  { type: "steadyStateLost", at: 1200, failingChecks: ["Deployment/operator Available"] },
  { type: "checkTransition", at: 4000, checkId: "Deployment/operator Available", passed: true, detail: "Available=True" },
  { type: "steadyStateHolds", at: 4000 },
  { type: "recoveryDetected", at: 9000 },
  { type: "phase", at: 9000, phase: "SteadyStatePost" },
  { type: "postCheck", at: 9000, result: passing },
  { type: "phase", at: 9100, phase: "Complete" },
];

const outage = (at: number, until: number | undefined): TimelineEvent => ({
  type: "watchOutage", at, ...(until === undefined ? {} : { until }), watch: "pods", reason: "no event or bookmark for 4000 ms (connection stalled)",
});

describe("watch outages and the decision", () => {
  it("the baseline run (no outage) is Resilient", () => {
    expect(evaluate({ timeline: run, hypothesis }).verdict).toBe(Verdict.Resilient);
  });

  it("an outage inside the final stability window makes a would-be Resilient run Inconclusive, with the outage named", () => {
    const evaluation = evaluate({ timeline: [...run, outage(5000, 6000)], hypothesis });
    expect(evaluation.verdict).toBe(Verdict.Inconclusive);
    expect(evaluation.reasons[0]).toMatch(/a watch was down when the verdict was taken.*would otherwise be Resilient/);
    expect(evaluation.reasons.join("\n")).toMatch(/watch outage on pods from .* to .*connection stalled/);
  });

  it("an outage still going on when observation ended makes the run Inconclusive", () => {
    const evaluation = evaluate({ timeline: [...run, outage(8500, undefined)], hypothesis });
    expect(evaluation.verdict).toBe(Verdict.Inconclusive);
    expect(evaluation.reasons.join("\n")).toMatch(/still down at the end of observation/);
  });

  it("an outage that began before the window and lasted into it counts", () => {
    expect(outagesAtDecision([...run, outage(2000, 4500)], hypothesis.stabilityWindowMs)).toHaveLength(1);
  });

  it("an outage that ended before the final window only marks the events after it as late", () => {
    const evaluation = evaluate({ timeline: [...run, outage(2000, 3500)], hypothesis });
    expect(evaluation.verdict).toBe(Verdict.Resilient);
    expect(evaluation.reasons.join("\n")).toMatch(/watch outage on pods .*events delivered after it carry their arrival time/);
    expect(earlierOutages([...run, outage(2000, 3500)], hypothesis.stabilityWindowMs)).toHaveLength(1);
  });

  it("a Failed verdict read from a watch that was down is Inconclusive too, saying what it would be", () => {
    const failing: CheckOutcome = { passed: false, checksRun: 1, checksPassed: 0, details: [{ check: available, passed: false, value: "Available=False" }] };
    const timeline = run.map((event) => (event.type === "postCheck" ? { ...event, result: failing } : event));
    expect(evaluate({ timeline, hypothesis }).verdict).toBe(Verdict.Failed);
    const evaluation = evaluate({ timeline: [...timeline, outage(8000, undefined)], hypothesis });
    expect(evaluation.verdict).toBe(Verdict.Inconclusive);
    expect(evaluation.reasons[0]).toMatch(/would otherwise be Failed/);
  });

  it("without a post-check there is no decision to overlap", () => {
    expect(outagesAtDecision(run.filter((event) => event.type !== "postCheck"), 5000)).toEqual([]);
  });
});
