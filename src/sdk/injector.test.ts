// The injector's semantics: which calls fail, how, how often, and that its own ConfigMap is never faulted.
import { describe, expect, it } from "vitest";
import { ChaosInjector, ChaosError, chaosDelay, isChaosError, statusBody } from "./injector.js";
import { classifyRequest } from "./request.js";
import { FailureKind, Operation, parseFaults } from "./spec.js";
import { chaosForTest } from "./testing.js";
import { wrapReconcile } from "./reconcile.js";

/** A deterministic random source: cycles through the given values. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

function injectorWith(faults: unknown, random: () => number = () => 0): ChaosInjector {
  const injector = new ChaosInjector({ random });
  const parsed = parseFaults(faults);
  expect(parsed.issues.filter((i) => i.severity === "error")).toEqual([]);
  injector.configure({ active: true, faults: parsed.faults });
  return injector;
}

const put = (path: string) => ({ method: "PUT", path });

describe("classifying requests", () => {
  it.each([
    ["GET", "/api/v1/namespaces/ns/pods/p", {}, "get", "pods", ""],
    ["GET", "/api/v1/namespaces/ns/pods", {}, "list", "pods", ""],
    ["GET", "/api/v1/namespaces/ns/pods?watch=true", {}, "watch", "pods", ""],
    ["GET", "/api/v1/watch/namespaces/ns/pods", {}, "watch", "pods", ""],
    ["GET", "/apis/apps/v1/deployments", { watch: "1" }, "watch", "deployments", "apps"],
    ["POST", "/apis/apps/v1/namespaces/ns/deployments", {}, "create", "deployments", "apps"],
    ["PUT", "/apis/apps/v1/namespaces/ns/deployments/d", {}, "update", "deployments", "apps"],
    ["PATCH", "/apis/apps/v1/namespaces/ns/deployments/d", {}, "patch", "deployments", "apps"],
    ["DELETE", "/api/v1/namespaces/ns/configmaps/c", {}, "delete", "configmaps", ""],
    ["DELETE", "/api/v1/namespaces/ns/configmaps", {}, "deleteAllOf", "configmaps", ""],
    ["GET", "/api/v1/namespaces/opendatahub", {}, "get", "namespaces", ""],
    ["GET", "/version", {}, "get", "", ""],
  ])("%s %s → %s", (method, path, query, operation, resource, group) => {
    expect(classifyRequest({ method, path, query })).toMatchObject({ operation, resource, group });
  });

  it("server-side apply is `apply`; subresource, namespace and a field-selected name are read", () => {
    expect(classifyRequest({ method: "PATCH", path: "/apis/apps/v1/namespaces/ns/deployments/d", contentType: "application/apply-patch+yaml" }).operation).toBe(Operation.Apply);
    expect(classifyRequest({ method: "PUT", path: "/apis/x.io/v1/namespaces/ns/things/t/status" })).toMatchObject({ resource: "things", subresource: "status", namespace: "ns", name: "t", group: "x.io" });
    expect(classifyRequest({ method: "GET", path: "https://h:6443/api/v1/namespaces/ns/configmaps?fieldSelector=metadata.name%3Doperator-chaos-config&watch=true" }))
      .toMatchObject({ operation: "watch", resource: "configmaps", name: "operator-chaos-config" });
  });
});

describe("deciding", () => {
  it("passes everything while inactive, or for operations without a fault", () => {
    const injector = new ChaosInjector();
    expect(injector.decideRequest(put("/api/v1/namespaces/n/configmaps/x")).failure).toBeUndefined();
    const active = injectorWith({ update: { errorRate: 1 } });
    expect(active.decideRequest({ method: "GET", path: "/api/v1/namespaces/n/configmaps/x" }).failure).toBeUndefined();
  });

  it("fails with the operation's Go status by default, and the Go message shape chaos(<op>): <error>", () => {
    const injector = injectorWith({ update: { errorRate: 1, error: "the object has been modified" }, create: { errorRate: 1 } });
    expect(injector.decideRequest(put("/api/v1/namespaces/n/configmaps/x")).failure).toEqual({
      kind: FailureKind.Status, code: 409, reason: "Conflict", message: "chaos(update): the object has been modified",
    });
    expect(injector.decideRequest({ method: "POST", path: "/api/v1/namespaces/n/configmaps" }).failure).toMatchObject({ code: 429, reason: "TooManyRequests" });
  });

  it("errorRate is a probability: a roll below it fails", () => {
    const injector = injectorWith({ get: { errorRate: 0.5 } }, sequence(0.4, 0.6));
    const outcomes = Array.from({ length: 4 }, () => injector.decide(Operation.Get).failure !== undefined);
    expect(outcomes).toEqual([true, false, true, false]);
    expect(injector.counts()).toEqual({ matched: { get: 4 }, injected: { get: 2 } });
    // errorRate 0 never fails, whatever the roll.
    expect(injectorWith({ get: { errorRate: 0, error: "x" } }, () => 0).decide(Operation.Get).failure).toBeUndefined();
  });

  it("a delay applies to every matching call, with or without an error (pure latency works)", () => {
    const latency = injectorWith({ get: { delay: "250ms" } });
    expect(latency.decide(Operation.Get)).toEqual({ delayMs: 250, operation: Operation.Get });
    const both = injectorWith({ get: { delay: "250ms", errorRate: 1 } });
    expect(both.decide(Operation.Get)).toMatchObject({ delayMs: 250, failure: { code: 503 } });
  });

  it("maxDelay draws a uniform wait in [0, maxDelay)", () => {
    const injector = injectorWith({ get: { maxDelay: "1s", delay: "5s" } }, sequence(0.25, 0.75));
    expect(injector.decide(Operation.Get).delayMs).toBe(250);
    expect(injector.decide(Operation.Get).delayMs).toBe(750);
  });

  it("failAfter lets the first N matching calls through; maxCount caps the faulted ones", () => {
    const injector = injectorWith({ update: { errorRate: 1, failAfter: 2, maxCount: 2 } });
    const outcomes = Array.from({ length: 6 }, () => injector.decide(Operation.Update).failure !== undefined);
    expect(outcomes).toEqual([false, false, true, true, false, false]);
    // A new configuration starts the counts again.
    injector.configure(injector.current);
    expect(Array.from({ length: 3 }, () => injector.decide(Operation.Update).failure !== undefined)).toEqual([false, false, true]);
  });

  it("resources narrows a fault to some resources, subresources or groups", () => {
    const injector = injectorWith({ update: { errorRate: 1, resources: ["leases", "deployments/status", "things.x.io"] } });
    const fails = (path: string) => injector.decideRequest(put(path)).failure !== undefined;
    expect(fails("/apis/coordination.k8s.io/v1/namespaces/n/leases/l")).toBe(true);
    expect(fails("/apis/apps/v1/namespaces/n/deployments/d/status")).toBe(true);
    expect(fails("/apis/apps/v1/namespaces/n/deployments/d")).toBe(false);
    expect(fails("/apis/x.io/v1/namespaces/n/things/t")).toBe(true);
    expect(fails("/apis/y.io/v1/namespaces/n/things/t")).toBe(false);
  });

  it("code, reason, Retry-After, timeout and connection reset", () => {
    const injector = injectorWith({
      create: { errorRate: 1, retryAfter: "3s", error: "slow down" },
      get: { errorRate: 1, kind: "timeout" },
      list: { errorRate: 1, kind: "connectionReset" },
      patch: { errorRate: 1, code: 500 },
    });
    const create = injector.decide(Operation.Create).failure!;
    expect(create).toMatchObject({ code: 429, retryAfterSeconds: 3 });
    expect(statusBody(create as never, classifyRequest({ method: "POST", path: "/api/v1/namespaces/n/pods" }))).toMatchObject({
      kind: "Status", status: "Failure", code: 429, reason: "TooManyRequests", message: "chaos(create): slow down", details: { kind: "pods", retryAfterSeconds: 3 },
    });
    expect(injector.decide(Operation.Get).failure).toEqual({ kind: FailureKind.Timeout, message: "chaos(get): request timed out" });
    expect(injector.decide(Operation.List).failure).toEqual({ kind: FailureKind.ConnectionReset, message: "chaos(list): connection reset by peer" });
    expect(injector.decide(Operation.Patch).failure).toMatchObject({ code: 500, reason: "InternalError" });
  });

  it("never faults its own ConfigMap (default or custom name; by path or field selector), nor requests marked exempt", () => {
    for (const name of ["operator-chaos-config", "operator-chaos-custom"]) {
      const injector = new ChaosInjector({ configMapName: name, random: () => 0 });
      injector.configure({ active: true, faults: parseFaults({ get: { errorRate: 1 }, list: { errorRate: 1 }, watch: { errorRate: 1 } }).faults });
      expect(injector.decideRequest({ method: "GET", path: `/api/v1/namespaces/n/configmaps/${name}` }).failure).toBeUndefined();
      expect(injector.decideRequest({ method: "GET", path: "/api/v1/namespaces/n/configmaps", query: { fieldSelector: `metadata.name=${name}`, watch: "true" } }).failure).toBeUndefined();
      expect(injector.decideRequest({ method: "GET", path: "/api/v1/namespaces/n/configmaps/other" }).failure).toBeDefined();
      expect(injector.decideRequest({ method: "GET", path: "/api/v1/namespaces/n/configmaps/other" }, { exempt: true }).failure).toBeUndefined();
    }
  });
});

describe("wrapReconcile and the test helper", () => {
  it("fails a reconcile before it runs with a ChaosError; passes it through otherwise", async () => {
    const chaos = chaosForTest();
    let runs = 0;
    const reconcile = wrapReconcile(async (key: string) => {
      runs += 1;
      return `done ${key}`;
    }, chaos.injector);
    await expect(reconcile("a")).resolves.toBe("done a");
    chaos.activate("reconcile", { errorRate: 1, error: "watch channel closed" });
    const error = await reconcile("b").catch((e: unknown) => e);
    expect(isChaosError(error)).toBe(true);
    expect((error as ChaosError).message).toBe("chaos(reconcile): watch channel closed");
    expect((error as ChaosError).code).toBe(500);
    expect(runs).toBe(1);
    chaos.deactivate("reconcile");
    await expect(reconcile("c")).resolves.toBe("done c");
  });

  it("the test helper refuses a spec the ConfigMap would refuse, and keeps the previous one", () => {
    const chaos = chaosForTest();
    chaos.activate(Operation.Update, { errorRate: 1 });
    expect(() => chaos.activate(Operation.Update, { errorRate: 7 })).toThrow(/faults.update.errorRate/);
    expect(chaos.config.faults.update?.errorRate).toBe(1);
    chaos.deactivate();
    expect(chaos.injector.active).toBe(false);
  });

  it("a delay can be cut short by an AbortSignal", async () => {
    const controller = new AbortController();
    const waiting = chaosDelay(60_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
  });
});
