import { describe, expect, it } from "vitest";
import {
  PROBE_VALUE, changePatch, changeStands, describeProbe, isRepaired, originalOf, probeFromExperiment, probeFromKnowledge, recreatable, restorePatch,
} from "./probe.js";

const deployment = { apiVersion: "apps/v1", kind: "Deployment", name: "sample", namespace: "ops", labels: { "app.kubernetes.io/instance": "sample" }, expectedSpec: { replicas: 1 } };

describe("probeFromKnowledge", () => {
  it("moves the first modelled label of the first probe-able managed resource", () => {
    expect(probeFromKnowledge([{ apiVersion: "v1", kind: "ServiceAccount", name: "sa", namespace: "ops" }, deployment])).toEqual({
      object: { apiVersion: "apps/v1", kind: "Deployment", name: "sample", namespace: "ops" },
      change: { kind: "label", key: "app.kubernetes.io/instance", value: PROBE_VALUE },
      source: "knowledge",
    });
  });

  it("skips the component's own workload and the experiment's target resource; uses an expectedSpec field, else deletes a ConfigMap", () => {
    const own = { ...deployment, name: "manager" };
    const config = { apiVersion: "v1", kind: "ConfigMap", name: "serving", namespace: "ops" };
    const scaled = { apiVersion: "apps/v1", kind: "Deployment", name: "worker", namespace: "ops", expectedSpec: { replicas: 1 } };
    expect(probeFromKnowledge([own, scaled], { component: "manager" })?.change).toEqual({ kind: "field", path: "spec.replicas", value: 2 });
    expect(probeFromKnowledge([own, scaled, config], { component: "manager", exclude: ["Deployment/worker"] })).toMatchObject({
      object: { kind: "ConfigMap", name: "serving" }, change: { kind: "delete" },
    });
    expect(probeFromKnowledge([own, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: "l", namespace: "ops" }], { component: "manager" })).toBeUndefined();
  });
});

describe("a label probe", () => {
  const spec = probeFromExperiment({ apiVersion: "apps/v1", kind: "Deployment", name: "sample", namespace: "ops", label: "tier" });
  const object = (tier?: string) => ({ metadata: { uid: "u1", labels: tier === undefined ? {} : { tier } } });
  const original = originalOf(spec, object("web"));

  it("is described, patched and restored", () => {
    expect(describeProbe(spec)).toBe(`label tier of Deployment/ops/sample set to "${PROBE_VALUE}"`);
    expect(changePatch(spec)).toEqual({ metadata: { labels: { tier: PROBE_VALUE } } });
    expect(restorePatch(spec, original)).toEqual({ metadata: { labels: { tier: "web" } } });
    expect(restorePatch(spec, originalOf(spec, object()))).toEqual({ metadata: { labels: { tier: null } } });
  });

  it("is repaired only by the original value, not by a third one", () => {
    expect(isRepaired(spec, original, object("web"))).toBe(true);
    expect(isRepaired(spec, original, object(PROBE_VALUE))).toBe(false);
    expect(isRepaired(spec, original, object("other"))).toBe(false);
    expect(isRepaired(spec, original, undefined)).toBe(false);
    expect(changeStands(spec, original, object(PROBE_VALUE))).toBe(true);
    expect(changeStands(spec, original, object("other"))).toBe(false);
  });
});

describe("field and delete probes", () => {
  it("a field probe patches the nested key and compares JSON values", () => {
    const spec = probeFromExperiment({ apiVersion: "v1", kind: "ConfigMap", name: "c", fieldPath: "data['config.yaml']", value: "x" });
    expect(changePatch(spec)).toEqual({ data: { "config.yaml": "x" } });
    const original = originalOf(spec, { metadata: { uid: "u" }, data: { "config.yaml": "good" } });
    expect(isRepaired(spec, original, { metadata: { uid: "u" }, data: { "config.yaml": "good" } })).toBe(true);
    expect(isRepaired(spec, original, { metadata: { uid: "u" }, data: { "config.yaml": "x" } })).toBe(false);
    expect(() => changePatch(probeFromExperiment({ apiVersion: "v1", kind: "Pod", name: "p", fieldPath: "spec.containers[0].image" }))).toThrow(/list items/);
  });

  it("a delete probe is repaired by a new object of the same name, and recreates from a clean copy", () => {
    const spec = probeFromExperiment({ apiVersion: "v1", kind: "ConfigMap", name: "c", delete: true });
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", uid: "old", resourceVersion: "7", managedFields: [] }, data: { a: "1" }, status: {} };
    const original = originalOf(spec, object);
    expect(original.object).toEqual(recreatable(object));
    expect(original.object).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } });
    expect(isRepaired(spec, original, undefined)).toBe(false);
    expect(isRepaired(spec, original, { metadata: { uid: "old" } })).toBe(false);
    expect(isRepaired(spec, original, { metadata: { uid: "new" } })).toBe(true);
  });
});
