// Property: any valid experiment, written as YAML and loaded again, is valid and equal to itself.

import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "./diagnostic.js";
import { Duration } from "./duration.js";
import { API_VERSION, CheckType, EXPERIMENT_KIND, INJECTION_TYPES } from "./enums.js";
import type { ChaosExperiment, SteadyStateCheck } from "./types.js";
import { allDiagnostics, validateText } from "./validate.js";
import { getFaultDriver } from "../faults/registry.js";

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789".split("");
const kubernetesName = fc
  .tuple(fc.constantFrom(...ALPHANUMERIC), fc.string({ unit: fc.constantFrom(...ALPHANUMERIC, "-"), maxLength: 20 }), fc.constantFrom(...ALPHANUMERIC))
  .map(([first, middle, last]) => `${first}${middle}${last}`);
/** Namespaces that no safety rule refuses. */
const namespace = kubernetesName.filter((name) => !["default", "kube-system", "kube-public", "kube-node-lease"].includes(name) && !name.startsWith("openshift-"));
const HOUR_NS = 3_600_000_000_000n;
const durationUpToAnHour = fc.bigInt({ min: 0n, max: HOUR_NS }).map((nanoseconds) => Duration.fromNanoseconds(nanoseconds).toString());
const text = fc.string({ unit: "grapheme", minLength: 1, maxLength: 80 });

function check(type: CheckType, ns: string, name: string): SteadyStateCheck {
  const base = { type, apiVersion: "apps/v1", kind: "Deployment", name, namespace: ns };
  if (type === "conditionTrue") return { ...base, conditionType: "Available" };
  if (type === "fieldEquals") return { ...base, fieldPath: "status.phase", expectedValue: "Running" };
  return base;
}

const validExperiment: fc.Arbitrary<ChaosExperiment> = fc
  .record({
    name: kubernetesName,
    operator: kubernetesName,
    component: kubernetesName,
    ns: namespace,
    type: fc.constantFrom(...INJECTION_TYPES),
    // Label keys as Kubernetes accepts them (alphanumeric at both ends): a valid experiment has no others.
    // (fast-check also draws "__proto__", which the JSON path drops today: an open finding; the API server refuses such a key.)
    labels: fc.option(fc.dictionary(fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?$/), fc.string({ maxLength: 20 }), { maxKeys: 3 }), { nil: undefined }),
    description: text,
    tier: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    maxPodsAffected: fc.integer({ min: 1, max: 1000 }),
    count: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    ttl: fc.option(durationUpToAnHour, { nil: undefined }),
    recoveryTimeout: fc.option(durationUpToAnHour, { nil: undefined }),
    checkTypes: fc.array(fc.constantFrom(...Object.values(CheckType)), { maxLength: 3 }),
    checkTimeout: fc.option(durationUpToAnHour, { nil: undefined }),
    high: fc.boolean(),
    dryRun: fc.option(fc.boolean(), { nil: undefined }),
    forbidden: fc.array(text.map((value) => `Secret/${value}`), { maxLength: 2 }),
  })
  .map((draw) => {
    const driver = getFaultDriver(draw.type);
    const parameters = driver.skeleton({ operator: draw.operator, component: draw.component, namespace: draw.ns });
    const cluster = driver.scopeFor(parameters) === "cluster";
    const dangerLevel = draw.high || cluster || driver.defaultDangerLevel === "high" ? "high" : driver.defaultDangerLevel;
    const count = draw.count === undefined ? undefined : Math.min(draw.count, draw.maxPodsAffected);
    const experiment: ChaosExperiment = {
      apiVersion: API_VERSION,
      kind: EXPERIMENT_KIND,
      metadata: { name: draw.name, ...(draw.labels ? { labels: draw.labels } : {}) },
      spec: {
        target: { operator: draw.operator, component: draw.component, resource: `Deployment/${draw.component}` },
        ...(draw.checkTypes.length > 0 || draw.checkTimeout
          ? {
              steadyState: {
                ...(draw.checkTypes.length > 0 ? { checks: draw.checkTypes.map((type) => check(type, draw.ns, draw.component)) } : {}),
                ...(draw.checkTimeout ? { timeout: draw.checkTimeout } : {}),
              },
            }
          : {}),
        injection: {
          type: draw.type,
          parameters,
          dangerLevel,
          ...(count === undefined ? {} : { count }),
          ...(draw.ttl === undefined ? {} : { ttl: draw.ttl }),
        },
        blastRadius: {
          maxPodsAffected: draw.maxPodsAffected,
          ...(cluster ? {} : { allowedNamespaces: [draw.ns] }),
          ...(draw.forbidden.length > 0 ? { forbiddenResources: draw.forbidden } : {}),
          ...(dangerLevel === "high" ? { allowDangerous: true } : {}),
          ...(draw.dryRun === undefined ? {} : { dryRun: draw.dryRun }),
        },
        hypothesis: { description: draw.description, ...(draw.recoveryTimeout ? { recoveryTimeout: draw.recoveryTimeout } : {}) },
        ...(draw.tier === undefined ? {} : { tier: draw.tier }),
      },
    };
    return experiment;
  });

describe("round trip", () => {
  it("every generated valid experiment loads back valid and equal (object → YAML → load)", () => {
    fc.assert(
      fc.property(validExperiment, (experiment) => {
        const yaml = stringify(experiment, { version: "1.1" });
        const result = validateText(yaml, "roundtrip.yaml");
        const errors = allDiagnostics(result).filter((diagnostic) => diagnostic.severity === "error");
        expect(errors.map(formatDiagnostic)).toEqual([]);
        expect(result.documents).toHaveLength(1);
        expect(result.documents[0]!.experiment).toEqual(experiment);
      }),
      { numRuns: 300 },
    );
  });

  it("survives JSON as well (YAML is a superset)", () => {
    fc.assert(
      fc.property(validExperiment, (experiment) => {
        const result = validateText(JSON.stringify(experiment), "roundtrip.json");
        expect(result.documents[0]!.experiment).toEqual(experiment);
      }),
      { numRuns: 100 },
    );
  });
});
