// Admission webhooks on the lab: the API server calls a webhook whose Service selects a
// process-runner pod (routing to the Service's ready endpoint, real TLS verified against the
// configuration's caBundle), honours failurePolicy and timeoutSeconds, and a deny-all webhook
// really stops a create until it is removed. The server is the one WebhookLatency deploys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServingCertificate, serviceDnsNames } from "../src/faults/webhook-server/certificates.js";
import { applyWebhookServer, removeWebhookServer, untilAdmission } from "../src/faults/webhook-server/deploy.js";
import { webhookServerManifests, type WebhookServerManifests, type WebhookServerOptions } from "../src/faults/webhook-server/manifests.js";
import { KubeApiError, KubeRest } from "../src/kube/rest.js";
import { freshNamespace, labClients } from "./support/cluster.js";

const { config, core } = labClients();
const rest = new KubeRest(config);
let ns: string;
const deployed: WebhookServerManifests[] = [];

/** A webhook server in `ns` guarding ConfigMaps created there that carry label webhook-test=<name>. */
async function webhook(name: string, options: Partial<WebhookServerOptions>): Promise<WebhookServerManifests> {
  const manifests = webhookServerManifests({
    name, namespace: ns, labels: { "app.kubernetes.io/part-of": "webhook-test" },
    certificate: createServingCertificate(serviceDnsNames(name, ns)),
    delayMs: 0, mode: "allow", failurePolicy: "Fail", timeoutSeconds: 10, onProcessNode: true,
    rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"] }],
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
    objectSelector: { matchLabels: { "webhook-test": name } },
    ...options,
  });
  deployed.push(manifests);
  await applyWebhookServer(rest, manifests, { timeoutMs: 90_000 });
  return manifests;
}

const configMap = (selector: string, extra: Record<string, string> = {}) => ({
  apiVersion: "v1", kind: "ConfigMap",
  metadata: { generateName: `${selector}-`, labels: { "webhook-test": selector, ...extra } }, data: { a: "1" },
});

/** A create through the API server: how long it took and how it ended. */
async function timedCreate(body: unknown, dryRun = false): Promise<{ ms: number; error?: KubeApiError | Error }> {
  const started = performance.now();
  try {
    await rest.create(`/api/v1/namespaces/${ns}/configmaps`, body, { ...(dryRun ? { query: { dryRun: "All" } } : {}), timeoutMs: 60_000 });
    return { ms: performance.now() - started };
  } catch (error) {
    return { ms: performance.now() - started, error: error as Error };
  }
}

/** Until the API server's admission chain calls the webhook (its configuration is picked up within ~1 s). */
const untilDenied = (selector: string) => untilAdmission(`the webhook ${selector} to deny`, async () => {
  const result = await timedCreate(configMap(selector), true);
  return result.error ? result : undefined;
}, { timeoutMs: 30_000 });

beforeAll(async () => {
  ns = await freshNamespace(core, "webhook");
});

afterAll(async () => {
  for (const manifests of deployed) await removeWebhookServer(rest, manifests).catch(() => {});
  await core.deleteNamespace({ name: ns }).catch(() => {});
});

describe("admission webhooks served by a process-runner pod", () => {
  it("a deny-all validating webhook really stops a create, with its message; removing it lets the same create through", async () => {
    const manifests = await webhook("deny-all", { mode: "deny", denyMessage: "deny-all says no" });
    const denied = await untilDenied("deny-all");
    expect(denied.error).toBeInstanceOf(KubeApiError);
    expect((denied.error as KubeApiError).status).toBe(403);
    expect(denied.error!.message).toMatch(/admission webhook "deny-all\.chaos\.operatorchaos\.io" denied the request: deny-all says no/);
    // A real (not dry-run) create is stopped too, and nothing was stored.
    const real = await timedCreate(configMap("deny-all"));
    expect(real.error?.message).toMatch(/deny-all says no/);
    // Objects the webhook does not select are untouched.
    expect((await timedCreate(configMap("not-selected"))).error).toBeUndefined();
    const stored = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "webhook-test=deny-all" });
    expect(stored.items).toEqual([]);

    await rest.delete(`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${manifests.webhookConfiguration.metadata.name}`);
    await untilAdmission("the removed webhook to stop denying", async () => ((await timedCreate(configMap("deny-all"), true)).error ? undefined : true), { timeoutMs: 30_000 });
    expect((await timedCreate(configMap("deny-all"))).error).toBeUndefined();
    expect((await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "webhook-test=deny-all" })).items).toHaveLength(1);
  });

  it("an allowing webhook is called over TLS on the pod's address and adds its delay to the request", async () => {
    await webhook("slow-allow", { delayMs: 1_500, timeoutSeconds: 10 });
    // Active once a create takes the delay (until then it is not yet called).
    const slow = await untilAdmission("the webhook slow-allow to delay creates", async () => {
      const result = await timedCreate(configMap("slow-allow"), true);
      return result.ms >= 1_400 ? result : undefined;
    }, { timeoutMs: 30_000 });
    expect(slow.error).toBeUndefined();
    const baseline = await timedCreate(configMap("not-selected"), true);
    expect(baseline.error).toBeUndefined();
    expect(slow.ms - baseline.ms).toBeGreaterThanOrEqual(1_400);
    expect(slow.ms - baseline.ms).toBeLessThan(1_500 * 1.2 + 200);
  });

  it("a webhook slower than its timeoutSeconds fails the request under failurePolicy Fail", async () => {
    await webhook("timeout-fail", { delayMs: 5_000, timeoutSeconds: 1, failurePolicy: "Fail" });
    const failed = await untilAdmission("the webhook timeout-fail to time out", async () => {
      const result = await timedCreate(configMap("timeout-fail"), true);
      return result.error ? result : undefined;
    }, { timeoutMs: 30_000 });
    expect(failed.error!.message).toMatch(/failed calling webhook "timeout-fail\.chaos\.operatorchaos\.io".*(deadline exceeded|timeout|Timeout)/s);
    // It waited for the 1 s timeout, not for the 5 s delay.
    expect(failed.ms).toBeGreaterThanOrEqual(900);
    expect(failed.ms).toBeLessThan(4_500);
  });

  it("a webhook slower than its timeoutSeconds is skipped under failurePolicy Ignore: the request succeeds after the timeout", async () => {
    await webhook("timeout-ignore", { delayMs: 5_000, timeoutSeconds: 1, failurePolicy: "Ignore" });
    const ignored = await untilAdmission("the webhook timeout-ignore to be called", async () => {
      const result = await timedCreate(configMap("timeout-ignore"), true);
      return result.ms >= 900 ? result : undefined;
    }, { timeoutMs: 30_000 });
    expect(ignored.error).toBeUndefined();
    expect(ignored.ms).toBeLessThan(4_500);
    expect((await timedCreate(configMap("timeout-ignore"))).error).toBeUndefined();
  });

  it("a webhook whose caBundle is not the server's CA fails under Fail: TLS is really verified", async () => {
    const other = createServingCertificate(serviceDnsNames("bad-ca", ns));
    const manifests = await webhook("bad-ca", { mode: "allow" });
    const hook = manifests.webhookConfiguration as unknown as { metadata: { name: string }; webhooks: { clientConfig: { caBundle: string } }[] };
    await rest.jsonPatch(`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${hook.metadata.name}`, [
      { op: "replace", path: "/webhooks/0/clientConfig/caBundle", value: Buffer.from(other.caPem).toString("base64") },
    ]);
    const failed = await untilDenied("bad-ca");
    expect(failed.error!.message).toMatch(/failed calling webhook "bad-ca\.chaos\.operatorchaos\.io".*(x509|certificate)/s);
  });
});

