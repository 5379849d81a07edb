import { describe, expect, it } from "vitest";
import { Action, addFinalizerPatch, afterFailedRelease, decide, FINALIZER, FORCE_AFTER_ATTEMPTS, FORCE_REMOVE_ANNOTATION, removeFinalizerPatch } from "./finalizer.js";
import { ControllerMetrics, MetricName, snapshot } from "./metrics.js";
import { parseAddress } from "./server.js";
import { abortedAfterCrash, evaluationSummary, finishedStatus, invalidStatus, setCondition, type Condition } from "./status.js";
import type { ExperimentReport } from "../report/model.js";
import type { Evaluation } from "../verdict/verdict.js";

const object = (over: { generation?: number; deleting?: boolean; finalizer?: boolean; phase?: string; observed?: number; force?: boolean } = {}) => ({
  metadata: {
    generation: over.generation ?? 1,
    ...(over.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    ...(over.finalizer ? { finalizers: ["other", FINALIZER] } : {}),
    ...(over.force ? { annotations: { [FORCE_REMOVE_ANNOTATION]: "true" } } : {}),
  },
  ...(over.phase !== undefined ? { status: { phase: over.phase, observedGeneration: over.observed ?? 1 } } : {}),
});

describe("finalizer decisions", () => {
  it("runs a new object and a new generation, once", () => {
    expect(decide(object(), undefined)).toBe(Action.Run);
    expect(decide(object({ generation: 2, phase: "Complete", observed: 1 }), undefined)).toBe(Action.Run);
    expect(decide(object({ phase: "Complete", observed: 1 }), undefined)).toBe(Action.Ignore);
    expect(decide(object({ phase: "Aborted", observed: 1 }), undefined)).toBe(Action.Ignore);
  });

  it("waits for its own run, and aborts it on deletion or a new generation", () => {
    expect(decide(object({ phase: "Observing", finalizer: true }), { generation: 1 })).toBe(Action.Wait);
    expect(decide(object({ phase: "Observing", finalizer: true, deleting: true }), { generation: 1 })).toBe(Action.Abort);
    expect(decide(object({ generation: 2, phase: "Observing", finalizer: true }), { generation: 1 })).toBe(Action.Abort);
  });

  it("recovers a run in an active phase that no one here runs (its controller died)", () => {
    for (const phase of ["Pending", "SteadyStatePre", "Injecting", "Observing", "SteadyStatePost", "Evaluating"]) {
      expect(decide(object({ phase, finalizer: true }), undefined)).toBe(Action.Recover);
    }
  });

  it("releases a deleted object only through the revert; without our finalizer it is none of ours", () => {
    expect(decide(object({ deleting: true, finalizer: true, phase: "Observing" }), undefined)).toBe(Action.Release);
    expect(decide(object({ deleting: true }), undefined)).toBe(Action.Ignore);
    // Finished but its revert failed: the finalizer stays and the revert is retried.
    expect(decide(object({ phase: "Complete", finalizer: true }), undefined)).toBe(Action.Release);
  });

  it("forces the finalizer off only with the annotation, and only after the bounded retries", () => {
    expect(afterFailedRelease(object({ force: true }), FORCE_AFTER_ATTEMPTS - 1)).toBe("retry");
    expect(afterFailedRelease(object({ force: true }), FORCE_AFTER_ATTEMPTS)).toBe("force");
    expect(afterFailedRelease(object(), 100)).toBe("retry");
  });

  it("patches the finalizer list with a guard on its position", () => {
    expect(addFinalizerPatch(undefined)).toEqual([{ op: "add", path: "/metadata/finalizers", value: [FINALIZER] }]);
    expect(addFinalizerPatch(["a"])).toEqual([{ op: "add", path: "/metadata/finalizers/-", value: FINALIZER }]);
    expect(addFinalizerPatch([FINALIZER])).toEqual([]);
    expect(removeFinalizerPatch(["a", FINALIZER])).toEqual([
      { op: "test", path: "/metadata/finalizers/1", value: FINALIZER }, { op: "remove", path: "/metadata/finalizers/1" },
    ]);
    expect(removeFinalizerPatch(["a"])).toEqual([]);
  });
});

const evaluation: Evaluation = {
  verdict: "Degraded", confidence: "2/2 checks passed", recoveryTime: 1_500_000_000, recoveryTimeMs: 1500, reconcileCycles: 3,
  deviations: [{ type: "slow_recovery", detail: "took 1.5s" }], reasons: [],
};
const report = {
  steadyState: {
    pre: { passed: true, checksRun: 1, checksPassed: 1, details: [], timestamp: "2026-01-01T00:00:01.250Z" },
    post: { passed: false, checksRun: 2, checksPassed: 1, details: [], timestamp: "2026-01-01T00:00:09.000Z" },
  },
  injection: { type: "PodKill", timestamp: "2026-01-01T00:00:02.700Z" },
} as unknown as ExperimentReport;
const now = new Date("2026-01-01T00:00:10.400Z");

describe("status mapping", () => {
  it("maps a finished run to the Go tool's status shape", () => {
    const status = finishedStatus({ phase: "SteadyStatePost", observedGeneration: 4, cleanupError: "old" }, { phase: "Complete", report, evaluation }, 4, now);
    expect(status).toMatchObject({
      phase: "Complete", verdict: "Degraded", observedGeneration: 4, message: "Experiment complete, verdict: Degraded",
      endTime: "2026-01-01T00:00:10Z", injectionStartedAt: "2026-01-01T00:00:02Z",
      evaluationResult: { verdict: "Degraded", recoveryTime: "1.5s", reconcileCycles: 3, deviations: ["slow_recovery: took 1.5s"] },
      steadyStatePost: { passed: false, checksRun: 2, checksPassed: 1 },
    });
    expect(status.cleanupError).toBeUndefined();
    expect(status.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["RecoveryObserved", "False", "PostCheckComplete"], ["Complete", "True", "ExperimentComplete"],
    ]);
  });

  it("an aborted run keeps its error as the message and its cleanup error", () => {
    const status = finishedStatus({}, { phase: "Aborted", report, evaluation: { ...evaluation, verdict: "Inconclusive" }, error: "interrupted: the object was deleted", cleanupError: "FAULT STILL ACTIVE" }, 1, now);
    expect(status).toMatchObject({ phase: "Aborted", message: "interrupted: the object was deleted", cleanupError: "FAULT STILL ACTIVE" });
    expect(status.conditions!.find((c) => c.type === "Complete")).toMatchObject({ status: "False", reason: "ExperimentAborted" });
  });

  it("omits the recovery time when the run did not recover", () => {
    expect(evaluationSummary({ ...evaluation, recoveryTimeMs: null }).recoveryTime).toBeUndefined();
  });

  it("lists every positioned error of an invalid object in a Valid=False condition", () => {
    const status = invalidStatus(undefined, ["spec.a: bad", "spec.b: worse"], 2, now);
    expect(status.phase).toBe("Aborted");
    expect(status.conditions!.find((c) => c.type === "Valid")).toMatchObject({ status: "False", reason: "ValidationFailed", message: "spec.a: bad\nspec.b: worse", observedGeneration: 2 });
  });

  it("marks a dead run Aborted with the reason and clears its injection time", () => {
    const status = abortedAfterCrash({ phase: "Observing", injectionStartedAt: "x" }, "its controller died", 1, now);
    expect(status).toMatchObject({ phase: "Aborted", message: "experiment aborted (recovered after crash): its controller died" });
    expect(status.injectionStartedAt).toBeUndefined();
  });

  it("keeps a condition's transition time while its status does not change", () => {
    const first: Condition = { type: "Complete", status: "False", reason: "a", message: "a", lastTransitionTime: "t1" };
    expect(setCondition([first], { ...first, reason: "b", lastTransitionTime: "t2" })[0]).toMatchObject({ reason: "b", lastTransitionTime: "t1" });
    expect(setCondition([first], { ...first, status: "True", lastTransitionTime: "t2" })[0]!.lastTransitionTime).toBe("t2");
  });
});

describe("metrics", () => {
  const objects = [
    { spec: { target: { operator: "op", component: "c" }, injection: { type: "PodKill" } }, status: { phase: "Complete", verdict: "Resilient", evaluationResult: { recoveryTime: "2.5s", reconcileCycles: 2, deviations: ["slow_recovery: x", "flapping: y"] } } },
    { spec: { target: { operator: "op", component: "c" }, injection: { type: "PodKill" } }, status: { phase: "Observing" } },
    { spec: { target: { operator: "op", component: "c" }, injection: { type: "PodKill" } }, status: { phase: "Pending" } },
  ];

  it("recomputes the Go tool's series from the objects", () => {
    const s = snapshot(objects);
    const base = { operator: "op", component: "c", injection_type: "PodKill" };
    expect(s.verdicts).toEqual([{ labels: { ...base, verdict: "Resilient" }, value: 1 }]);
    expect(s.injections).toEqual([{ labels: base, value: 2 }]);
    expect(s.active).toEqual([{ labels: { operator: "op" }, value: 1 }]);
    expect(s.deviations.map((d) => d.labels.deviation_type)).toEqual(["slow_recovery", "flapping"]);
    expect(s.recoverySeconds).toEqual([{ labels: base, value: 2.5 }]);
    expect(s.recoveryCycles).toEqual([{ labels: base, value: 2 }]);
  });

  it("exposes them in Prometheus text with the Go tool's names and buckets", async () => {
    const text = await new ControllerMetrics(() => objects).text();
    for (const name of Object.values(MetricName)) expect(text).toContain(`# TYPE ${name}`);
    expect(text).toContain('chaosexperiment_recovery_seconds_bucket{le="5",operator="op",component="c",injection_type="PodKill"} 1');
    expect(text).toContain('chaosexperiment_recovery_cycles_bucket{le="1",operator="op",component="c",injection_type="PodKill"} 0');
  });
});

describe("addresses", () => {
  it("reads :port, host:port and [v6]:port, and refuses anything else", () => {
    expect(parseAddress(":8080")).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(parseAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseAddress("[::1]:9")).toEqual({ host: "::1", port: 9 });
    expect(() => parseAddress("8080")).toThrow(/expected \[host\]:port/);
    expect(() => parseAddress(":99999")).toThrow();
  });
});

describe("install manifests", () => {
  it("the RBAC files are what the fault registry's permissions give (node dist/src/controller/manifests.js rewrites them)", async () => {
    const { readFileSync } = await import("node:fs");
    const { resolve } = await import("node:path");
    const { renderedFiles, faultRules } = await import("./manifests.js");
    const root = resolve(import.meta.dirname, "../..");
    for (const [file, text] of renderedFiles(root)) expect(readFileSync(file, "utf8"), file).toBe(text);
    expect(readFileSync(resolve(root, "charts/operator-chaos/crds/chaosexperiments.yaml"), "utf8"))
      .toBe(readFileSync(resolve(root, "config/crd/chaos.operatorchaos.io_chaosexperiments.yaml"), "utf8"));
    const podKill = faultRules().find((f) => f.type === "PodKill")!;
    expect(podKill.rules).toEqual([{ apiGroups: [""], resources: ["pods"], verbs: ["delete", "get", "list", "watch"] }]);
  });
});
