// WebhookLatency on a real control plane: our latency webhook (a Deployment of the Node.js server
// from a ConfigMap, run by the lab's process runner, a generated serving certificate) adds the
// configured delay — measured through the API server before observation, within 20 % — only in
// the experiment's namespace and never to this tool's own objects; then every object is gone. The
// seed is Resilient against the demo operator as shipped, Failed with LLAMASTACK_SHORT_LEASE_TIMEOUT.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployLlamastack, LLAMASTACK, undeployLlamastack } from "../examples/llamastack/deploy.js";
import { SWITCH_FOR_EXPERIMENT } from "../examples/llamastack/switches.js";
import { KubeRest } from "../src/kube/rest.js";
import type { KubeObject } from "../src/kube/watch.js";
import { ResourceWatcher } from "../src/kube/watcher.js";
import { projectRoot } from "../src/lab/paths.js";
import type { ExperimentReport } from "../src/report/model.js";
import { runCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";
import { dumpObjects } from "./support/dump.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);
const VWC = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
const OURS = "app.kubernetes.io/managed-by=operator-chaos,chaos.operatorchaos.io/type=WebhookLatency";
let ns: string;

function experiment(name: string, parameters: Record<string, string>) {
  return {
    apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment", metadata: { name, namespace: ns },
    spec: {
      target: { operator: "web", component: "web" },
      steadyState: { checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace: ns }] },
      injection: { type: "WebhookLatency", dangerLevel: "high", parameters, ttl: "300s" },
      hypothesis: { description: "the workload rides out slow writes", recoveryTimeout: "30s" },
      blastRadius: { maxPodsAffected: 1, allowDangerous: true, allowedNamespaces: [ns] },
    },
  };
}

const withoutResults = (dump: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(dump).filter(([key]) => !key.includes("/configmaps/chaos-result-")));

async function leftObjects(): Promise<string[]> {
  const names: string[] = [];
  for (const path of [VWC, `/apis/apps/v1/namespaces/${ns}/deployments`, `/api/v1/namespaces/${ns}/services`, `/api/v1/namespaces/${ns}/secrets`, `/api/v1/namespaces/${ns}/configmaps`]) {
    const list = await rest.get<{ items: KubeObject[] }>(path, { query: { labelSelector: OURS } });
    names.push(...list.items.map((item) => `${path.split("/").at(-1)}/${item.metadata?.name}`));
  }
  return names;
}

const addedMs = (evidence: string | undefined) => Number(/: (-?\d+) ms added for a configured delay/.exec(evidence ?? "")?.[1]);
const confirmation = (report: ExperimentReport) =>
  report.timeline?.find((event) => event.type === "injectionConfirmed") as { evidence?: string } | undefined;

beforeAll(async () => {
  ns = await freshNamespace(core, "latency");
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "web-config" }, data: { a: "1" } } });
});

afterAll(async () => {
  await undeployLlamastack(lab.kubeconfig).catch(() => {});
  await core.deleteNamespace({ name: ns }).catch(() => {});
});

describe("WebhookLatency", () => {
  it("adds the configured delay (measured within 20 %) to matching writes in the namespace only, then removes every object: Resilient", async () => {
    const before = await dumpObjects(config, ns);
    const controller = new AbortController();
    const configurations: KubeObject[] = [];
    await new ResourceWatcher(rest, { path: VWC, labelSelector: OURS, signal: controller.signal }, {
      onEvent: (type, object) => { if (type === "ADDED") configurations.push(structuredClone(object)); },
    }).start();
    const result = await runCli(["run", writeTemp("latency.yaml", experiment("latency", { resources: "configmaps", apiGroups: '""', delay: "2s" })),
      "-o", "json", "--hold", "3s", "--stability-window", "1s"], lab.kubeconfig);
    controller.abort();
    expect(result.stdout, result.stderr).toMatch(/^\{/);
    const report = JSON.parse(result.stdout) as ExperimentReport;
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(result.code).toBe(0);
    const evidence = confirmation(report)?.evidence;
    expect(evidence).toMatch(/a dry-run update of configmaps\/\S+ took \d+ ms \(baseline \d+ ms\): \d+ ms added for a configured delay of 2000 ms \(within 20%\)/);
    expect(Math.abs(addedMs(evidence) - 2000)).toBeLessThanOrEqual(400);

    // Scoped: only this namespace, never this tool's own objects.
    expect(configurations).toHaveLength(1);
    const webhook = (configurations[0] as { webhooks: Record<string, unknown>[] }).webhooks[0]!;
    expect(webhook.namespaceSelector).toEqual({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [ns] }] });
    expect(webhook.objectSelector).toEqual({ matchExpressions: [{ key: "app.kubernetes.io/managed-by", operator: "NotIn", values: ["operator-chaos"] }] });
    expect(webhook.failurePolicy).toBe("Ignore");

    expect(await leftObjects()).toEqual([]);
    expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
  });

  it("refuses resources with nothing to time in the namespace, and changes nothing", async () => {
    const before = await dumpObjects(config, ns);
    const result = await runCli(["run", writeTemp("latency-none.yaml", experiment("latency-none", { resources: "deployments", apiGroups: "apps", delay: "1s" }))], lab.kubeconfig);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/WebhookLatency: no object of deployments \(apiGroups apps\) in latency-\w+ to time the webhook with; the delay could not be confirmed, so nothing was changed/);
    expect(await leftObjects()).toEqual([]);
    expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
  });

  it("clean removes the Go tool's latency webhook objects (its own clean never does)", async () => {
    const labels = { "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/type": "WebhookLatency", app: "chaos-webhook-latency-deployments" };
    const name = "chaos-webhook-latency-deployments";
    await rest.create(`/api/v1/namespaces/${ns}/secrets`, { metadata: { name: `${name}-certs`, labels }, type: "Opaque", data: { a: "YQ==" } });
    await rest.create(`/api/v1/namespaces/${ns}/services`, { metadata: { name, labels }, spec: { selector: { app: name }, ports: [{ port: 443, targetPort: 8443 }] } });
    await rest.create(`/apis/apps/v1/namespaces/${ns}/deployments`, { metadata: { name, labels }, spec: {
      replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "webhook", image: "registry.k8s.io/e2e-test-images/agnhost:2.40" }] } },
    } });
    await rest.create(VWC, { metadata: { name, labels }, webhooks: [{
      name: `${name}.chaos.operatorchaos.io`, clientConfig: { service: { name, namespace: ns, path: "/validate" } }, failurePolicy: "Ignore", sideEffects: "None",
      admissionReviewVersions: ["v1"], rules: [{ operations: ["CREATE"], apiGroups: ["apps"], apiVersions: ["*"], resources: ["deployments"] }],
    }] });
    expect(await leftObjects()).toHaveLength(4);
    const cleaned = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(cleaned.code, cleaned.stdout + cleaned.stderr).toBe(0);
    expect(await leftObjects()).toEqual([]);
  });

  it("experiments/llamastack/webhook-latency.yaml is Resilient: the operator keeps leading with a second added to every Lease write", async () => {
    await deployLlamastack(lab.kubeconfig);
    const result = await runCli(["run", join(projectRoot(), "experiments", "llamastack", "webhook-latency.yaml"), "-o", "json", "--hold", "5s", "--stability-window", "2s"], lab.kubeconfig);
    expect(result.stdout, result.stderr).toMatch(/^\{/);
    const report = JSON.parse(result.stdout) as ExperimentReport;
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    const evidence = confirmation(report)?.evidence;
    expect(evidence).toMatch(/a dry-run update of leases\/\S+ took \d+ ms/);
    expect(Math.abs(addedMs(evidence) - 1000)).toBeLessThanOrEqual(200);
  });

  it("webhook-latency.yaml is Failed with LLAMASTACK_SHORT_LEASE_TIMEOUT: its 500 ms Lease renewals time out behind the slow webhook, it loses the lead and gives up", { timeout: 240_000 }, async () => {
    const { pod } = await deployLlamastack(lab.kubeconfig, { switches: { [SWITCH_FOR_EXPERIMENT["webhook-latency"]]: "true" } });
    // The hold outlasts the operator's 4 s renew deadline.
    const result = await runCli(["run", join(projectRoot(), "experiments", "llamastack", "webhook-latency.yaml"), "-o", "json", "--hold", "8s", "--stability-window", "2s",
      "--set", "hypothesis.recoveryTimeout=10s"], lab.kubeconfig);
    expect(result.stdout, result.stderr).toMatch(/^\{/);
    const report = JSON.parse(result.stdout) as ExperimentReport;
    expect(report.evaluation.verdict).toBe("Failed");
    expect(result.code).toBe(1);
    expect(report.evaluation.reasons?.[0]).toMatch(/steady state not restored: .*conditionTrue Deployment\/llamastack-controller-manager: Available=False/);
    const logs = await runCli(["lab", "logs", pod, "-n", LLAMASTACK.namespace, "--name", lab.name], lab.kubeconfig);
    expect(logs.stdout).toMatch(/api request failed kind=timeout .*leases\/llamastack-controller-manager-leader-election.*no answer within 500 ms/);
    expect(logs.stdout).toMatch(/lost the lead; giving up: no more campaigning or reconciling/);
  });
});
