// The adapters: what a faulted call looks like to code using fetch or @kubernetes/client-node (the
// library's own ApiException, Retry-After included), and the ConfigMap feed with its Events.
// Injected failures never leave the process; passes go to a closed loopback port, so they fail to connect.
import * as k8s from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ChaosConfigFeed, chaosEvent, configDigest, ChaosEventReason, DIGEST_ANNOTATION } from "./configmap.js";
import { chaosFetch } from "./fetch.js";
import { makeChaosApiClient } from "./client-node.js";
import { ChaosInjector, CHAOS_HEADER, isChaosError } from "./injector.js";
import { configTextFor, parseFaults } from "./spec.js";

const CLOSED = "http://127.0.0.1:1";

function active(faults: unknown): ChaosInjector {
  const injector = new ChaosInjector({ random: () => 0 });
  injector.configure({ active: true, faults: parseFaults(faults).faults });
  return injector;
}

describe("chaosFetch", () => {
  it("answers a status failure with a Kubernetes Status response, Retry-After included, without sending anything", async () => {
    let sent = 0;
    const fetch = chaosFetch(async () => {
      sent += 1;
      return new Response("{}");
    }, active({ create: { errorRate: 1, retryAfter: "2s", error: "too many requests" } }));
    const response = await fetch(`${CLOSED}/api/v1/namespaces/n/configmaps`, { method: "POST", body: "{}" });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(response.headers.get(CHAOS_HEADER)).toBe("injected");
    expect(await response.json()).toMatchObject({ kind: "Status", code: 429, reason: "TooManyRequests", message: "chaos(create): too many requests" });
    expect(sent).toBe(0);
    // Other calls go through.
    await fetch(`${CLOSED}/api/v1/namespaces/n/configmaps`);
    expect(sent).toBe(1);
  });

  it("rejects on a timeout or a reset, as fetch does; passes exempt requests", async () => {
    const passed: string[] = [];
    const inner = async (input: string | URL | Request) => {
      passed.push(String(input));
      return new Response("{}");
    };
    const timeout = chaosFetch(inner, active({ get: { errorRate: 1, kind: "timeout" } }));
    await expect(timeout(`${CLOSED}/api/v1/namespaces/n/pods/p`)).rejects.toMatchObject({ name: "TimeoutError" });
    const reset = chaosFetch(inner, active({ get: { errorRate: 1, kind: "connectionReset" } }));
    await expect(reset(`${CLOSED}/api/v1/namespaces/n/pods/p`)).rejects.toMatchObject({ cause: { code: "ECONNRESET" } });
    await reset(`${CLOSED}/api/v1/namespaces/n/pods/p`, { headers: { [CHAOS_HEADER]: "exempt" } });
    expect(passed).toHaveLength(1);
  });
});

describe("@kubernetes/client-node", () => {
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "c", server: CLOSED, skipTLSVerify: true }], users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x",
  });

  it("an injected conflict is the library's own ApiException 409 with the Status body", async () => {
    const core = makeChaosApiClient(k8s, kubeConfig, k8s.CoreV1Api, active({ update: { errorRate: 1, error: "the object has been modified" } }));
    const error = await core.replaceNamespacedConfigMap({ name: "c", namespace: "n", body: { metadata: { name: "c" } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(k8s.ApiException);
    expect((error as k8s.ApiException<unknown>).code).toBe(409);
    expect(JSON.parse(String((error as k8s.ApiException<string>).body))).toMatchObject({ reason: "Conflict", message: "chaos(update): the object has been modified" });
  });

  it("a 429 carries Retry-After; a timeout is a ChaosError; calls without a fault really go out", async () => {
    const core = makeChaosApiClient(k8s, kubeConfig, k8s.CoreV1Api, active({ create: { errorRate: 1, retryAfter: "1s" }, get: { errorRate: 1, kind: "timeout" } }));
    const throttled = await core.createNamespacedConfigMap({ namespace: "n", body: { metadata: { name: "c" } } }).catch((e: unknown) => e) as k8s.ApiException<unknown>;
    expect(throttled.code).toBe(429);
    expect(throttled.headers["retry-after"]).toBe("1");
    expect(isChaosError(await core.readNamespacedConfigMap({ name: "c", namespace: "n" }).catch((e: unknown) => e))).toBe(true);
    // No fault for list: it reaches the (closed) port.
    await expect(core.listNamespacedConfigMap({ namespace: "n" })).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});

describe("the ConfigMap feed", () => {
  const configMap = (config: string | undefined, resourceVersion = "1") => ({
    metadata: { name: "operator-chaos-config", namespace: "ns", uid: "u1", resourceVersion },
    data: config === undefined ? {} : { config },
  });

  it("applies each new configuration at once and reports only changes", () => {
    const injector = new ChaosInjector();
    const feed = new ChaosConfigFeed(injector, "ns", () => new Date("2026-12-01T10:00:00.123Z"));
    expect(feed.apply(undefined)).toBeUndefined();
    const text = configTextFor('{"update":{"errorRate":0.5}}');
    const activated = feed.apply(configMap(text))!;
    expect(activated).toMatchObject({ active: true, operations: ["update"], digest: configDigest(text), configMap: { namespace: "ns", name: "operator-chaos-config", uid: "u1" } });
    expect(injector.active).toBe(true);
    // The same configuration again (a resync, another key changed): no change.
    expect(feed.apply(configMap(text, "2"))).toBeUndefined();
    const deactivated = feed.apply(undefined)!;
    expect(deactivated.active).toBe(false);
    expect(injector.active).toBe(false);
  });

  it("refuses a configuration that does not parse: no faults, and an Invalid event says why", () => {
    const injector = new ChaosInjector();
    const feed = new ChaosConfigFeed(injector, "ns");
    feed.apply(configMap(configTextFor('{"get":{"errorRate":1}}')));
    const refused = feed.apply(configMap('{"active":true,"faults":{"get":{"errorRate":9}}}'))!;
    expect(injector.active).toBe(false);
    const event = chaosEvent(refused, { component: "c", instance: "i" });
    expect(event).toMatchObject({ reason: ChaosEventReason.Invalid, type: "Warning" });
    expect(String(event.message)).toMatch(/faults\.get\.errorRate/);
  });

  it("the Event names the ConfigMap and the digest of what was applied", () => {
    const feed = new ChaosConfigFeed(new ChaosInjector(), "ns", () => new Date("2026-12-01T10:00:00.123Z"));
    const text = configTextFor('{"create":{"errorRate":1}}');
    const event = chaosEvent(feed.apply(configMap(text))!, { component: "llamastack-operator", instance: "pod-1" });
    expect(event).toMatchObject({
      kind: "Event", reason: ChaosEventReason.Activated, type: "Normal",
      metadata: { namespace: "ns", annotations: { [DIGEST_ANNOTATION]: configDigest(text), "chaos.operatorchaos.io/applied-at": "2026-12-01T10:00:00.123Z" } },
      involvedObject: { kind: "ConfigMap", name: "operator-chaos-config", namespace: "ns", uid: "u1", resourceVersion: "1" },
      reportingInstance: "pod-1", firstTimestamp: "2026-12-01T10:00:00Z",
    });
  });
});
