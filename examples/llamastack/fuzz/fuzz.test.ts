// The reconciler fuzz harness (operator-chaos/sdk/fuzz) on the demo operator's distribution
// reconciler: with the planted bug (LLAMASTACK_DELETE_ON_NAME_CLASH) it finds a failing sequence
// within a fixed budget and seed, shrinks it to the minimal one and prints it; the shipped
// reconciler survives the same budget. The printed sequence replays as a test.
import { describe, expect, it } from "vitest";
import { formatSteps, fuzzReconciler, replayFuzz, type FuzzStep } from "../../../src/sdk/fuzz/index.js";
import { distributionFuzzTarget } from "./target.js";

const BUDGET = { seed: 42, runs: 150, maxSteps: 10 };

describe("fuzzing the distribution reconciler", () => {
  it("finds the planted bug (deletes a Service it does not own) within the budget and prints the minimal sequence", async () => {
    const result = await fuzzReconciler(distributionFuzzTarget({ deleteOnNameClash: true }), BUDGET);
    process.stdout.write(`${result.report}\n`);
    expect(result.failed).toBe(true);
    expect(result.runs).toBeLessThanOrEqual(BUDGET.runs);
    expect(result.violation).toMatch(/property "never deletes what it does not own" violated: the operator deleted services\/opendatahub\/llamastack-sample-service/);
    // Minimal: another team's Service takes the name; the reconciles that settle the run delete it.
    expect(result.steps).toEqual([{ kind: "change", name: "another team's Service takes the Service's name" }]);
    expect(result.report).toContain(formatSteps(result.steps!));
    expect(result.report).toMatch(/replay: expect\(await replayFuzz\(target, \[/);
  });

  it("finds nothing in the shipped reconciler over the same budget", async () => {
    const result = await fuzzReconciler(distributionFuzzTarget(), BUDGET);
    process.stdout.write(`${result.report}\n`);
    expect(result.failed, result.report).toBe(false);
    expect(result.runs).toBe(BUDGET.runs);
  });

  it("replays a printed sequence: the bug's, and sequences of faults and restarts the shipped reconciler rides out", async () => {
    const clash: FuzzStep[] = [{ kind: "change", name: "another team's Service takes the Service's name" }, { kind: "reconcile" }];
    expect(await replayFuzz(distributionFuzzTarget({ deleteOnNameClash: true }), clash)).toMatch(/never deletes what it does not own/);
    expect(await replayFuzz(distributionFuzzTarget(), clash)).toBeUndefined();
    const rough: FuzzStep[] = [
      { kind: "fault", operation: "create" as never, failure: "conflict", times: 2 },
      { kind: "reconcile" },
      { kind: "restart", afterWrites: 1 },
      { kind: "change", name: "a user deletes the Deployment" },
      { kind: "fault", operation: "update" as never, failure: "timeout", times: 3 },
      { kind: "reconcile" },
      { kind: "change", name: "the distribution asks for 2 replicas" },
      { kind: "reconcile" },
    ];
    expect(await replayFuzz(distributionFuzzTarget(), rough)).toBeUndefined();
  });

  it("reports a reconcile that is not idempotent and one that never converges", async () => {
    const base = distributionFuzzTarget();
    // A reconciler that bumps the world on every pass never settles.
    const restless = { ...base, reconcile: async (...args: Parameters<typeof base.reconcile>) => {
      await base.reconcile(...args);
      args[1].put("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "noise", namespace: "opendatahub" } });
    } };
    expect(await replayFuzz(restless, [])).toMatch(/not idempotent/);
    // One that does nothing never converges.
    const idle = { ...base, reconcile: async () => {} };
    expect(await replayFuzz(idle, [])).toMatch(/converges to the desired state" violated: Deployment llamastack-sample is missing/);
  });
});
