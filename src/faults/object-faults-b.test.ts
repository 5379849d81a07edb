// The pure parts of DeploymentScaleZero, CrashLoopInject, ImageCorrupt, LeaderElectionDisrupt and
// NamespaceDeletion: how they address one field, read the Go tool's leftovers, name the leader's pod.
// Their cluster behaviour is tested against the lab (test/faults-object-b.test.ts).
import { describe, expect, it } from "vitest";
import { parseGoCommand } from "./crash-loop-inject.js";
import { pickContainer, pointerSegment, readPointer, refuseGoLeftover, type DeploymentObject } from "./deployment-field.js";
import { holderPod } from "./leader-election-disrupt.js";
import { findRunnableFault } from "./registry.js";

const deployment = (annotations: Record<string, string> = {}): DeploymentObject => ({
  metadata: { name: "web", namespace: "ns", uid: "u-1", annotations },
  spec: { replicas: 2, template: { spec: { containers: [{ name: "main", image: "a:1", command: ["run"] }, { name: "side", image: "b:1" }] } } },
});

describe("a Deployment's one field", () => {
  it("picks the named container, or the first, and names the containers there are when it is missing", () => {
    expect(pickContainer(deployment(), undefined)).toMatchObject({ index: 0, container: { name: "main" } });
    expect(pickContainer(deployment(), "side")).toMatchObject({ index: 1, container: { name: "side" } });
    expect(() => pickContainer(deployment(), "gone")).toThrow('Deployment ns/web has no container "gone" (its containers: main, side)');
  });

  it("reads JSON Pointers, escaped segments included, and undefined for what is absent", () => {
    const object = { metadata: { annotations: { "a/b~c": "x" } }, spec: deployment().spec };
    expect(readPointer(object, `/metadata/annotations/${pointerSegment("a/b~c")}`)).toBe("x");
    expect(pointerSegment("chaos.operatorchaos.io/original-replicas")).toBe("chaos.operatorchaos.io~1original-replicas");
    expect(readPointer(object, "/spec/template/spec/containers/0/command")).toEqual(["run"]);
    expect(readPointer(object, "/spec/template/spec/containers/1/command")).toBeUndefined();
    expect(readPointer(object, "/spec/replicas")).toBe(2);
  });

  it("refuses a Deployment a Go-tool fault is still on (its original would be lost)", () => {
    expect(() => refuseGoLeftover(deployment(), ["chaos.operatorchaos.io/original-replicas"])).not.toThrow();
    expect(() => refuseGoLeftover(deployment({ "chaos.operatorchaos.io/original-replicas": "2" }), ["chaos.operatorchaos.io/original-replicas"]))
      .toThrow(/still carries the Go tool's rollback annotation chaos.operatorchaos.io\/original-replicas .*operator-chaos clean/);
  });

  it("reads the Go tool's original command: a JSON array, null for none, anything else unreadable", () => {
    expect(parseGoCommand('["/manager","--leader-elect"]')).toEqual(["/manager", "--leader-elect"]);
    expect(parseGoCommand("null")).toBeNull();
    expect(parseGoCommand("{")).toBe("unreadable");
    expect(parseGoCommand("[1]")).toBe("unreadable");
    expect(parseGoCommand(undefined)).toBe("unreadable");
  });
});

describe("the leader's pod", () => {
  it("is the hostname part of a client-go identity", () => {
    expect(holderPod("llamastack-controller-manager-5d9f_0a1b2c3d")).toBe("llamastack-controller-manager-5d9f");
    expect(holderPod("manager-7c4b9-x2k4q_7f0e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b")).toBe("manager-7c4b9-x2k4q");
    expect(holderPod("")).toBeUndefined();
    expect(holderPod(undefined)).toBeUndefined();
    expect(holderPod("Not A Pod")).toBeUndefined();
  });
});

describe("the five object faults", () => {
  it("are runnable, with the permissions they use", () => {
    for (const type of ["DeploymentScaleZero", "CrashLoopInject", "ImageCorrupt"]) {
      expect(findRunnableFault(type)?.permissions({ name: "web" }, "ns")).toEqual([
        { verb: "get", group: "apps", resource: "deployments", namespace: "ns" },
        { verb: "patch", group: "apps", resource: "deployments", namespace: "ns" },
      ]);
    }
    expect(findRunnableFault("LeaderElectionDisrupt")?.permissions({ name: "l" }, "ns").map((need) => need.verb)).toEqual(["get", "delete", "create"]);
    const namespaceNeeds = findRunnableFault("NamespaceDeletion")!.permissions({ namespace: "gone" }, "ns");
    expect(namespaceNeeds.filter((need) => need.resource === "namespaces").map((need) => need.verb)).toEqual(["get", "delete", "create", "list", "watch"]);
    expect(namespaceNeeds.filter((need) => need.resource !== "namespaces").every((need) => need.verb === "list" && need.namespace === "gone")).toBe(true);
  });
});
