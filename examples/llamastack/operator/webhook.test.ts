import { describe, expect, it } from "vitest";
import { desiredWebhooks, distributionProblem, webhookDrift } from "./webhook.js";

describe("the operator's validating webhook", () => {
  it("accepts a well-formed distribution and refuses bad replicas or an unknown distribution", () => {
    expect(distributionProblem({ spec: { replicas: 1, server: { distribution: { name: "starter" } } } })).toBeUndefined();
    expect(distributionProblem({ spec: { server: { distribution: { name: "custom", image: "example/x:1" } } } })).toBeUndefined();
    expect(distributionProblem({ spec: { replicas: 11 } })).toMatch(/spec\.replicas must be an integer from 0 to 10, got 11/);
    expect(distributionProblem({ spec: { replicas: 1.5 } })).toMatch(/spec\.replicas/);
    expect(distributionProblem({ spec: { server: { distribution: { name: "nope" } } } })).toMatch(/spec\.server\.distribution\.name must be one of starter, remote-vllm, ollama/);
  });

  it("notices every change of what it owns in its configuration", () => {
    const desired = desiredWebhooks("opendatahub", "Q0E=");
    expect(webhookDrift(structuredClone(desired), desired)).toEqual([]);
    const ignore = structuredClone(desired);
    ignore[0]!.failurePolicy = "Ignore";
    expect(webhookDrift(ignore, desired)).toEqual(["failurePolicy Ignore instead of Fail"]);
    const moved = structuredClone(desired);
    moved[0]!.clientConfig!.service!.name = "elsewhere";
    moved[0]!.clientConfig!.caBundle = "b3RoZXI=";
    expect(webhookDrift(moved, desired)).toEqual(["caBundle is not the serving CA", "service reference changed"]);
    expect(webhookDrift([], desired)).toEqual([`webhook ${desired[0]!.name} missing`]);
  });
});
