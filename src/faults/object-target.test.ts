import { describe, expect, it } from "vitest";
import { creatableCopy, groupOf, guessResource, objectPermissions } from "./object-target.js";

describe("object faults: resources and permissions without discovery", () => {
  it("guesses the resource of a kind as Kubernetes does", () => {
    expect(guessResource("Deployment")).toBe("deployments");
    expect(guessResource("Ingress")).toBe("ingresses");
    expect(guessResource("NetworkPolicy")).toBe("networkpolicies");
    expect(guessResource("LlamaStackDistribution")).toBe("llamastackdistributions");
  });

  it("asks for the verbs on the kind's group and resource in the namespace", () => {
    expect(groupOf("v1")).toBe("");
    expect(groupOf("apps/v1")).toBe("apps");
    expect(objectPermissions("llamastack.io/v1alpha1", "LlamaStackDistribution", "ns", ["get", "patch"])).toEqual([
      { verb: "get", group: "llamastack.io", resource: "llamastackdistributions", namespace: "ns" },
      { verb: "patch", group: "llamastack.io", resource: "llamastackdistributions", namespace: "ns" },
    ]);
  });
});

describe("object faults: a backup as it may be created again", () => {
  it("drops what the server sets and keeps labels, annotations, owners, finalizers and spec", () => {
    const copy = creatableCopy({
      apiVersion: "v1", kind: "Service",
      metadata: {
        name: "s", namespace: "ns", uid: "u1", resourceVersion: "7", creationTimestamp: "t", generation: 2, managedFields: [],
        labels: { a: "b" }, annotations: { c: "d" }, finalizers: ["f"], ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "o", uid: "u0" }],
      },
      spec: { ports: [{ port: 80 }] },
      status: { loadBalancer: {} },
    });
    expect(copy).toEqual({
      apiVersion: "v1", kind: "Service",
      metadata: { name: "s", namespace: "ns", labels: { a: "b" }, annotations: { c: "d" }, finalizers: ["f"], ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "o", uid: "u0" }] },
      spec: { ports: [{ port: 80 }] },
    });
  });
});
