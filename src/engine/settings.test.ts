import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { ChaosExperiment } from "../experiment/types.js";
import { packageRoot } from "../experiment/package-root.js";
import { HoldSource, TimingMode, knowledgeForTarget, resolveTiming } from "./settings.js";

const seed = (name: string) =>
  parseDocument(readFileSync(join(packageRoot(), "experiments", "llamastack", `${name}.yaml`), "utf8")).toJS() as ChaosExperiment;

describe("fault duration (resolveTiming)", () => {
  it("holds the seed NetworkPartition for its 180 s recoveryTimeout by default", () => {
    expect(resolveTiming(seed("network-partition"), "sustained")).toMatchObject({
      holdMs: 180_000, holdSource: HoldSource.RecoveryTimeout, mode: TimingMode.Default, recoveryTimeoutMs: 180_000,
    });
  });

  it("holds the seed RBACRevoke for its recoveryTimeout (120 s) with Go timing, and for its 60 s ttl by default", () => {
    // rbac-revoke.yaml: recoveryTimeout 120s, ttl 60s. The Go CLI ignores that ttl and holds 120 s;
    // by default we never hold past the ttl.
    expect(resolveTiming(seed("rbac-revoke"), "sustained", { goTiming: true })).toMatchObject({ holdMs: 120_000, postCheckAfterMs: 120_000 });
    expect(resolveTiming(seed("rbac-revoke"), "sustained")).toMatchObject({ holdMs: 60_000, holdSource: HoldSource.Ttl });
  });

  it("never holds beyond the ttl, not even with --hold", () => {
    expect(resolveTiming(seed("rbac-revoke"), "sustained", { holdMs: 90_000 })).toMatchObject({ holdMs: 60_000, holdSource: HoldSource.Ttl });
  });

  it("--hold shortens the hold, the experiment's injection.hold too (the flag wins)", () => {
    const experiment = seed("network-partition");
    expect(resolveTiming(experiment, "sustained", { holdMs: 10_000 })).toMatchObject({ holdMs: 10_000, holdSource: HoldSource.Flag });
    const withField = structuredClone(experiment);
    (withField.spec.injection as { hold?: string }).hold = "45s";
    expect(resolveTiming(withField, "sustained")).toMatchObject({ holdMs: 45_000, holdSource: HoldSource.Experiment });
    expect(resolveTiming(withField, "sustained", { holdMs: 5_000 })).toMatchObject({ holdMs: 5_000, holdSource: HoldSource.Flag });
  });

  it("instantaneous faults are not held", () => {
    expect(resolveTiming(seed("pod-kill"), "instantaneous").holdMs).toBe(0);
  });

  it("Go timing: held for the recoveryTimeout (ignoring --hold), post-check recoveryTimeout after the injection", () => {
    const timing = resolveTiming(seed("network-partition"), "sustained", { goTiming: true, holdMs: 10_000 });
    expect(timing).toMatchObject({ mode: TimingMode.GoTiming, holdMs: 180_000, postCheckAfterMs: 180_000 });
    expect(resolveTiming(seed("pod-kill"), "instantaneous", { goTiming: true })).toMatchObject({ holdMs: 0, postCheckAfterMs: 120_000 });
    // --observe-full is the old name of the same mode.
    expect(resolveTiming(seed("pod-kill"), "instantaneous", { observeFull: true }).mode).toBe(TimingMode.GoTiming);
  });
});

describe("knowledgeForTarget", () => {
  const experiment = seed("pod-kill");
  const model = (operator: string, component: string) => ({
    operator: { name: operator, namespace: "opendatahub" },
    components: [{ name: component, controller: "X", managedResources: [{ apiVersion: "v1", kind: "ConfigMap", name: "c" }] }],
    recovery: { reconcileTimeout: "60s", maxReconcileCycles: 5 },
  });

  it("finds the model of the target's operator and component among several", () => {
    const wanted = model("llamastack", "llamastack-controller-manager");
    expect(knowledgeForTarget(experiment, [model("kserve", "kserve-controller-manager"), wanted])).toBe(wanted);
    expect(knowledgeForTarget(experiment, [])).toBeUndefined();
  });

  it("is an error when models were given but none is the experiment's operator, or none has its component", () => {
    expect(() => knowledgeForTarget(experiment, [model("kserve", "x")])).toThrow(/no knowledge model describes operator "llamastack" .*given: "kserve"/);
    expect(() => knowledgeForTarget(experiment, [model("llamastack", "other")])).toThrow(/has no component "llamastack-controller-manager" .*it has "other"/);
  });
});
