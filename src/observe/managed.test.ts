import { describe, expect, it } from "vitest";
import { evaluateManagedResource } from "./managed.js";

const deployment = {
  metadata: { name: "m", labels: { app: "m" }, ownerReferences: [{ kind: "DataScienceCluster", name: "d" }] },
  spec: { replicas: 1, template: { spec: { containers: [{ name: "c" }] } } },
};

describe("managed resources of a knowledge model", () => {
  it("is ok when the object exists with its owner, labels and expected spec", () => {
    expect(evaluateManagedResource({ apiVersion: "apps/v1", kind: "Deployment", name: "m", ownerRef: "DataScienceCluster", labels: { app: "m" }, expectedSpec: { replicas: 1 } }, deployment))
      .toEqual({ status: "ok", detail: "exists and matches the model" });
  });

  it("names what is wrong: missing, owner, label, spec value (compared as JSON, not as text)", () => {
    const base = { apiVersion: "apps/v1", kind: "Deployment", name: "m" };
    expect(evaluateManagedResource(base, undefined).status).toBe("missing");
    expect(evaluateManagedResource({ ...base, ownerRef: "Other" }, deployment)).toEqual({ status: "ownerRefMissing", detail: "no owner reference of kind Other" });
    expect(evaluateManagedResource({ ...base, labels: { app: "x" } }, deployment)).toEqual({ status: "specDrift", detail: 'label app: expected "x", got "m"' });
    expect(evaluateManagedResource({ ...base, expectedSpec: { replicas: "1" } }, deployment).status).toBe("specDrift");
    expect(evaluateManagedResource({ ...base, expectedSpec: { paused: true } }, deployment)).toEqual({ status: "specDrift", detail: "spec.paused not found" });
    expect(evaluateManagedResource({ ...base, expectedSpec: { template: { spec: { containers: [{ name: "c" }] } } } }, deployment).status).toBe("ok");
  });
});

describe("which writes are reconcile cycles", () => {
  const written = (...entries: [string, string][]) => ({ metadata: { managedFields: entries.map(([manager, time]) => ({ manager, time, operation: "Update" })) } });

  it("an update whose latest writer is not operator-chaos counts; the tool's own write, a first sight and a deletion do not", async () => {
    const { isReconcileWrite, lastManager } = await import("./managed.js");
    const byOperator = written(["operator-chaos-probe", "2026-12-01T10:00:00Z"], ["llamastack-operator", "2026-12-01T10:00:01Z"]);
    const byProbe = written(["llamastack-operator", "2026-12-01T10:00:00Z"], ["operator-chaos-probe", "2026-12-01T10:00:01Z"]);
    expect(lastManager(byOperator)).toBe("llamastack-operator");
    expect(isReconcileWrite("MODIFIED", byOperator)).toBe(true);
    expect(isReconcileWrite("MODIFIED", byProbe)).toBe(false);
    expect(isReconcileWrite("ADDED", byOperator)).toBe(false);
    expect(isReconcileWrite("DELETED", byOperator)).toBe(false);
  });
});
