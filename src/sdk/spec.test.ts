// The ConfigMap format, field by field, against the Go tool's documented format
// (spec: go-tool-faults.md §5 and §21): the same JSON is accepted, and delays work whether written
// as the Go injector writes them (strings) or as a Go time.Duration marshals (nanoseconds).
import { describe, expect, it } from "vitest";
import {
  DEFAULT_STATUS, FailureKind, GO_OPERATIONS, Operation, OPERATIONS, configTextFor, parseConfigData, parseConfigText, parseFaults,
} from "./spec.js";

const parse = (faults: unknown) => parseFaults(faults);
const only = (faults: unknown, operation: Operation) => {
  const result = parse(faults);
  expect(result.issues.filter((issue) => issue.severity === "error")).toEqual([]);
  return result.faults[operation]!;
};
const errorsOf = (faults: unknown) => parse(faults).issues.filter((issue) => issue.severity === "error").map((issue) => issue.path);

describe("the Go tool's format", () => {
  it("accepts every ClientFault parameter of the Go tool's own experiments verbatim", () => {
    // The four in the Go corpus (profiles/odh: sdk-conflict-storm, sdk-watch-disconnect, sdk-api-throttle, cr-deletion-mid-reconcile).
    for (const text of [
      '{"update":{"errorRate":0.7,"error":"conflict: the object has been modified"},"patch":{"errorRate":0.5,"error":"conflict: the object has been modified"}}',
      '{"reconcile":{"errorRate":0.4,"error":"watch channel closed"}}',
      '{"get":{"errorRate":0.3,"error":"api server throttled","delay":"500ms"},"list":{"errorRate":0.2,"error":"api server throttled","delay":"1s"}}',
      '{"get":{"errorRate":0.5,"error":"not found","delay":"2s"}}',
    ]) {
      const result = parseConfigText(configTextFor(text));
      expect(result.ok, text).toBe(true);
    }
  });

  it("knows the Go tool's nine operations, and watch", () => {
    expect(GO_OPERATIONS).toEqual(["get", "list", "create", "update", "patch", "delete", "deleteAllOf", "reconcile", "apply"]);
    expect(OPERATIONS).toContain("watch");
    for (const operation of OPERATIONS) expect(errorsOf({ [operation]: { errorRate: 1 } })).toEqual([]);
    expect(errorsOf({ evict: { errorRate: 1 } })).toEqual(["faults.evict"]);
  });

  it("errorRate: 0..1, absent means 0 (a spec may only delay)", () => {
    expect(only({ get: { errorRate: 0.25 } }, Operation.Get).errorRate).toBe(0.25);
    expect(only({ get: { delay: "1s" } }, Operation.Get).errorRate).toBe(0);
    expect(only({ get: { errorRate: 0 } }, Operation.Get).errorRate).toBe(0);
    // JSON null is no value, as for the Go decoder.
    expect(only({ get: { errorRate: null, error: null } }, Operation.Get)).toMatchObject({ errorRate: 0, error: "" });
    expect(only({ get: { errorRate: 1 } }, Operation.Get).errorRate).toBe(1);
    for (const bad of [-0.1, 1.01, "0.5", Number.NaN]) expect(errorsOf({ get: { errorRate: bad } })).toEqual(["faults.get.errorRate"]);
  });

  it("error: a string, the failure's text", () => {
    expect(only({ get: { errorRate: 1, error: "boom" } }, Operation.Get).error).toBe("boom");
    expect(only({ get: { errorRate: 1 } }, Operation.Get).error).toBe("");
    expect(errorsOf({ get: { error: 42 } })).toEqual(["faults.get.error"]);
  });

  it("delay and maxDelay: Go duration strings as the injector writes them AND integer nanoseconds as Go marshals them (the Go SDK's bug not repeated)", () => {
    expect(only({ get: { delay: "500ms" } }, Operation.Get).delayMs).toBe(500);
    expect(only({ get: { delay: "1m30s" } }, Operation.Get).delayMs).toBe(90_000);
    expect(only({ get: { delay: 500_000_000 } }, Operation.Get).delayMs).toBe(500);
    expect(only({ get: { maxDelay: "2s" } }, Operation.Get).maxDelayMs).toBe(2_000);
    expect(only({ get: { maxDelay: 2_000_000_000 } }, Operation.Get).maxDelayMs).toBe(2_000);
    expect(only({ get: { delay: "0s" } }, Operation.Get).delayMs).toBe(0);
    // At most 5m, as the Go validator; never negative; not a bool or a fraction of a nanosecond.
    expect(only({ get: { delay: "5m" } }, Operation.Get).delayMs).toBe(300_000);
    for (const bad of ["5m1s", "-1s", "soon", "", true, 1.5, -1, 301e9, 1e300]) expect(errorsOf({ get: { delay: bad } }), String(bad)).toEqual(["faults.get.delay"]);
    expect(errorsOf({ get: { maxDelay: "6m" } })).toEqual(["faults.get.maxDelay"]);
  });

  it("unknown fields of a spec are warnings and are ignored (as the Go JSON decoder ignores them)", () => {
    const result = parse({ get: { errorRate: 1, corruptField: "x" } });
    expect(result.issues).toEqual([expect.objectContaining({ path: "faults.get.corruptField", severity: "warning" })]);
    expect(result.faults.get).toBeDefined();
  });

  it("faults: an object with at least one operation; each spec an object", () => {
    expect(errorsOf([])).toEqual(["faults"]);
    expect(errorsOf({})).toEqual(["faults"]);
    expect(errorsOf({ get: "fail" })).toEqual(["faults.get"]);
    // Every problem at once.
    expect(errorsOf({ get: { errorRate: 2, delay: "x" }, nope: {} })).toEqual(["faults.get.errorRate", "faults.get.delay", "faults.nope"]);
  });
});

describe("fields of our own (the Go format stays valid without them)", () => {
  it("code and reason: default per operation as the Go transport (get/list 503, create 429, update/patch 409, delete 403, else 500)", () => {
    expect(DEFAULT_STATUS).toMatchObject({ get: 503, list: 503, create: 429, update: 409, patch: 409, delete: 403, deleteAllOf: 500, reconcile: 500, apply: 500 });
    expect(only({ update: { errorRate: 1 } }, Operation.Update)).toMatchObject({ code: 409, reason: "Conflict" });
    expect(only({ create: { errorRate: 1 } }, Operation.Create)).toMatchObject({ code: 429, reason: "TooManyRequests" });
    expect(only({ get: { errorRate: 1, code: 500 } }, Operation.Get)).toMatchObject({ code: 500, reason: "InternalError" });
    expect(only({ get: { errorRate: 1, code: 409, reason: "AlreadyExists" } }, Operation.Get)).toMatchObject({ code: 409, reason: "AlreadyExists" });
    for (const bad of [200, 399, 600, "409", 409.5]) expect(errorsOf({ get: { code: bad } })).toEqual(["faults.get.code"]);
    expect(errorsOf({ get: { reason: "" } })).toEqual(["faults.get.reason"]);
  });

  it("kind: status (default), timeout, connectionReset", () => {
    expect(only({ get: { errorRate: 1 } }, Operation.Get).kind).toBe(FailureKind.Status);
    expect(only({ get: { errorRate: 1, kind: "timeout" } }, Operation.Get).kind).toBe(FailureKind.Timeout);
    expect(only({ get: { errorRate: 1, kind: "connectionReset" } }, Operation.Get).kind).toBe(FailureKind.ConnectionReset);
    expect(errorsOf({ get: { kind: "explode" } })).toEqual(["faults.get.kind"]);
  });

  it("retryAfter: a duration, carried in whole seconds (rounded up) as the header does", () => {
    expect(only({ create: { errorRate: 1, retryAfter: "2s" } }, Operation.Create).retryAfterSeconds).toBe(2);
    expect(only({ create: { errorRate: 1, retryAfter: "1500ms" } }, Operation.Create).retryAfterSeconds).toBe(2);
    expect(only({ create: { errorRate: 1 } }, Operation.Create).retryAfterSeconds).toBeUndefined();
    expect(errorsOf({ create: { retryAfter: "later" } })).toEqual(["faults.create.retryAfter"]);
  });

  it("resources: a non-empty list of names", () => {
    expect(only({ update: { errorRate: 1, resources: ["leases", "deployments/status"] } }, Operation.Update).resources).toEqual(["leases", "deployments/status"]);
    for (const bad of [[], "leases", [""], [1]]) expect(errorsOf({ update: { resources: bad } })).toEqual(["faults.update.resources"]);
  });

  it("failAfter (≥ 0, default 0) and maxCount (≥ 1, default unlimited)", () => {
    expect(only({ get: { errorRate: 1 } }, Operation.Get)).toMatchObject({ failAfter: 0 });
    expect(only({ get: { errorRate: 1 } }, Operation.Get).maxCount).toBeUndefined();
    expect(only({ get: { errorRate: 1, failAfter: 3, maxCount: 2 } }, Operation.Get)).toMatchObject({ failAfter: 3, maxCount: 2 });
    for (const bad of [-1, 1.5, "2"]) expect(errorsOf({ get: { failAfter: bad } })).toEqual(["faults.get.failAfter"]);
    for (const bad of [0, -1, 2.5]) expect(errorsOf({ get: { maxCount: bad } })).toEqual(["faults.get.maxCount"]);
  });
});

describe("the ConfigMap's data", () => {
  it("no ConfigMap, no config key or an empty one: no faults", () => {
    for (const data of [undefined, {}, { config: "" }, { config: "  " }, { other: "x" }]) {
      const result = parseConfigData(data);
      expect(result.ok && result.config.active).toBe(false);
    }
  });

  it("active defaults to false; faults may be empty or absent in the ConfigMap (only the ClientFault parameter needs one)", () => {
    expect(parseConfigText('{"faults":{"get":{"errorRate":1}}}')).toMatchObject({ ok: true, config: { active: false } });
    expect(parseConfigText('{"active":true}')).toMatchObject({ ok: true, config: { active: true, faults: {} } });
    expect(parseConfigText('{"active":true,"faults":{}}')).toMatchObject({ ok: true, config: { active: true, faults: {} } });
  });

  it("refuses what does not parse, with the place", () => {
    expect(parseConfigText("{")).toMatchObject({ ok: false, issues: [{ path: "config" }] });
    expect(parseConfigText("[]")).toMatchObject({ ok: false, issues: [{ path: "config" }] });
    expect(parseConfigText('{"active":"yes"}')).toMatchObject({ ok: false, issues: [{ path: "active" }] });
    expect(parseConfigText('{"active":true,"faults":{"get":{"errorRate":3}}}')).toMatchObject({ ok: false, issues: [{ path: "faults.get.errorRate" }] });
  });

  it("what the injector writes: {active: true, faults: <the parameter verbatim>}, as the Go tool", () => {
    expect(JSON.parse(configTextFor('{"get":{"errorRate":0.5,"delay":"2s"}}'))).toEqual({ active: true, faults: { get: { errorRate: 0.5, delay: "2s" } } });
  });
});
