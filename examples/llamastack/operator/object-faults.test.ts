// What the object faults need of the demo operator, as pure logic: a generated API key that is the
// same after its Secret is deleted, labels and owner references it owns on its Deployment, and the
// switches that make it leave them as it finds them.
import { describe, expect, it } from "vitest";
import { adoptFields, derivedApiKey, desiredApiKeySecret, desiredDeployment, deploymentDiffers, type Distribution } from "./desired.js";

const distribution: Distribution = { apiVersion: "llamastack.io/v1alpha1", kind: "LlamaStackDistribution", metadata: { name: "d", namespace: "ns", uid: "uid-1" }, spec: {} };
const config = { endpoint: "http://x", timeout: "30s" };

describe("the demo operator's API-key Secret", () => {
  it("derives the same key for the same distribution (a deleted Secret comes back with the same value), another for another", () => {
    expect(derivedApiKey(distribution, "k")).toBe(derivedApiKey(distribution, "k"));
    expect(derivedApiKey({ ...distribution, metadata: { ...distribution.metadata, uid: "uid-2" } }, "k")).not.toBe(derivedApiKey(distribution, "k"));
    const secret = desiredApiKeySecret(distribution, "v");
    expect(secret.metadata?.name).toBe("d-api-key");
    expect(secret.metadata?.ownerReferences?.[0]?.uid).toBe("uid-1");
    expect((secret as { data?: Record<string, string> }).data?.["api-key"]).toBe(Buffer.from("v").toString("base64"));
  });
});

describe("the demo operator's Deployment labels and owner", () => {
  const desired = desiredDeployment(distribution, config, "h");
  const stomped = { ...desired, metadata: { ...desired.metadata, labels: { ...desired.metadata?.labels, "app.kubernetes.io/instance": "x" } } };
  const { ownerReferences: _owners, ...orphanMeta } = desired.metadata ?? {};
  const orphan = { ...desired, metadata: orphanMeta };

  it("as shipped: a stomped label and a lost owner are drift to repair", () => {
    expect(deploymentDiffers(stomped, desired)).toBe(true);
    expect(deploymentDiffers(orphan, desired)).toBe(true);
    expect(deploymentDiffers(desired, desired)).toBe(false);
  });

  it("with the switches: labels and owners are adopted as found, so neither is drift", () => {
    expect(deploymentDiffers(stomped, adoptFields(desired, stomped, { labels: true }))).toBe(false);
    expect(deploymentDiffers(orphan, adoptFields(desired, orphan, { owners: true }))).toBe(false);
    // Each switch adopts only its own field.
    expect(deploymentDiffers(orphan, adoptFields(desired, orphan, { labels: true }))).toBe(true);
  });
});
