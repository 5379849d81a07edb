import { describe, expect, it } from "vitest";
import { applyOverrides, OverrideError, parseOverride } from "./overrides.js";

const experiment = {
  spec: {
    tier: 1,
    injection: { type: "PodKill", parameters: { labelSelector: "app=a" }, count: 1 },
    blastRadius: { maxPodsAffected: 1, allowedNamespaces: ["a"] },
  },
};

describe("--set overrides", () => {
  it("sets numbers and booleans as such, and fault parameters always as strings", () => {
    const result = applyOverrides(experiment, [
      parseOverride("tier=3"),
      parseOverride("blastRadius.dryRun=true"),
      parseOverride("injection.parameters.labelSelector=app=b"),
      parseOverride("injection.parameters.gracePeriod=30"),
      parseOverride("blastRadius.allowedNamespaces[0]=b"),
    ]);
    expect(result.spec.tier).toBe(3);
    expect((result.spec.blastRadius as Record<string, unknown>).dryRun).toBe(true);
    expect(result.spec.injection.parameters).toEqual({ labelSelector: "app=b", gracePeriod: "30" });
    expect(result.spec.blastRadius.allowedNamespaces).toEqual(["b"]);
    expect(experiment.spec.tier).toBe(1); // the original is untouched
  });

  it("rejects malformed overrides with the expected form", () => {
    expect(() => parseOverride("tier")).toThrow(OverrideError);
    expect(() => parseOverride("=3")).toThrow(/expected key=value/);
    expect(() => applyOverrides(experiment, [parseOverride("tier.x=1")])).toThrow(/spec.tier is not an object/);
    expect(() => applyOverrides(experiment, [parseOverride("steadyState.checks[0].name=x")])).toThrow(/does not exist/);
  });
});
