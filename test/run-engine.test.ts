import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { KubeRest } from "../src/kube/rest.js";
import { waitForCollection } from "../src/kube/watcher.js";
import { wrapGoRollback } from "../src/journal/go-rollback.js";
import { runCli, spawnCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";
import { dumpObjects } from "./support/dump.js";

const { lab, config, core, apps, } = labClients();
const rest = new KubeRest(config);
let ns: string;

interface Overrides {
  name?: string;
  checks?: unknown[];
  injection?: Record<string, unknown>;
  blastRadius?: Record<string, unknown>;
  recoveryTimeout?: string;
}

function experiment(overrides: Overrides = {}) {
  return {
    apiVersion: "chaos.operatorchaos.io/v1alpha1",
    kind: "ChaosExperiment",
    metadata: { name: overrides.name ?? "web-pod-kill" },
    spec: {
      target: { operator: "web", component: "web" },
      steadyState: {
        checks: overrides.checks ?? [{ type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: ns, conditionType: "Available" }],
      },
      injection: overrides.injection ?? { type: "PodKill", parameters: { labelSelector: "app=web" }, count: 1 },
      hypothesis: { description: "the operator recovers", recoveryTimeout: overrides.recoveryTimeout ?? "60s" },
      blastRadius: { maxPodsAffected: 1, allowedNamespaces: [ns], ...overrides.blastRadius },
    },
  };
}

const configDrift = (name = "web-config-drift", recoveryTimeout = "2s") => experiment({
  name,
  recoveryTimeout,
  checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace: ns }],
  injection: { type: "ConfigDrift", parameters: { name: "web-config", key: "config.yaml", value: "broken" }, ttl: "300s" },
});

async function configValue(): Promise<string | undefined> {
  return (await core.readNamespacedConfigMap({ name: "web-config", namespace: ns })).data?.["config.yaml"];
}

beforeAll(async () => {
  ns = await freshNamespace(core, "engine");
  await apps.createNamespacedDeployment({ namespace: ns, body: {
    metadata: { name: "web", labels: { app: "web" } },
    spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "example/web:1" }] } } },
  } });
  await core.createNamespacedConfigMap({ namespace: ns, body: {
    metadata: { name: "web-config", labels: { "app.kubernetes.io/managed-by": "web-operator", tier: "config" }, annotations: { owner: "team-a" } },
    data: { "config.yaml": "good", other: "kept" },
  } });
  await waitForCollection(rest, { path: `/apis/apps/v1/namespaces/${ns}/deployments`, timeoutMs: 60_000, what: "web Available" },
    (deployments) => ((deployments.get(`${ns}/web`)?.status as { availableReplicas?: number } | undefined)?.availableReplicas === 1 ? true : undefined));
});

describe("run: PodKill", () => {
  it("is Resilient when the Deployment replaces the pod, with a recovery time within 100 ms of the replacement's Ready transition", async () => {
    const before = (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=web" })).items.map((p) => p.metadata!.name!);
    // Ground truth, from a watch of our own: when did a new pod first report Ready?
    const readyAt = waitForCollection(rest, { path: `/api/v1/namespaces/${ns}/pods`, labelSelector: "app=web", timeoutMs: 90_000, what: "a Ready replacement" },
      (pods) => [...pods.values()].some((pod) => !before.includes(pod.metadata!.name!)
        && (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) ? Date.now() : undefined);
    const result = await runCli(["run", writeTemp("pod-kill.yaml", experiment()), "-o", "json", "--stability-window", "2s"], lab.kubeconfig);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.evaluation.verdict).toBe("Resilient");
    const recoveredAt = Date.parse(report.injection.timestamp) + report.evaluation.recoveryTimeMs;
    expect(Math.abs(recoveredAt - (await readyAt))).toBeLessThanOrEqual(100);
    const after = (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=web" })).items.map((p) => p.metadata!.name!);
    expect(after.some((name) => before.includes(name))).toBe(false);
  });

  it("is Failed when the killed pod never comes back (a bare pod, killed only because allowBarePods says so)", async () => {
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: "lonely", labels: { app: "lonely" } }, spec: { containers: [{ name: "c", image: "x" }] } } });
    await waitForCollection(rest, { path: `/api/v1/namespaces/${ns}/pods`, fieldSelector: "metadata.name=lonely", timeoutMs: 30_000, what: "lonely Running" },
      (pods) => ((pods.get(`${ns}/lonely`)?.status as { phase?: string } | undefined)?.phase === "Running" ? true : undefined));
    const file = writeTemp("bare.yaml", experiment({
      name: "lonely-pod-kill", recoveryTimeout: "3s",
      checks: [{ type: "resourceExists", apiVersion: "v1", kind: "Pod", name: "lonely", namespace: ns }],
      injection: { type: "PodKill", parameters: { labelSelector: "app=lonely", allowBarePods: "true" } },
    }));
    const result = await runCli(["run", file, "-o", "json"], lab.kubeconfig);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).evaluation.verdict).toBe("Failed");
  });

  it("refuses to kill a bare pod without allowBarePods, and changes nothing", async () => {
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: "bare", labels: { app: "bare" } }, spec: { containers: [{ name: "c", image: "x" }] } } });
    const before = await dumpObjects(config, ns);
    const file = writeTemp("bare2.yaml", experiment({ name: "bare-kill", checks: [], injection: { type: "PodKill", parameters: { labelSelector: "app=bare" } } }));
    const result = await runCli(["run", file], lab.kubeconfig);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/no controller owns them; set allowBarePods/);
    const after = await dumpObjects(config, ns);
    expect(withoutResults(after)).toEqual(withoutResults(before));
  });

  it("is Inconclusive when the pre-check fails, and injects nothing", async () => {
    const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=web" })).items.map((p) => p.metadata!.uid);
    const file = writeTemp("pre.yaml", experiment({ name: "pre-fails", checks: [{ type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "missing", namespace: ns, conditionType: "Available" }] }));
    const result = await runCli(["run", file, "-o", "json"], lab.kubeconfig);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.evaluation.verdict).toBe("Inconclusive");
    expect(report.evaluation.confidence).toMatch(/pre-check/);
    expect(report.timeline.some((event: { type: string }) => event.type === "injectionStarted")).toBe(false);
    const after = (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=web" })).items.map((p) => p.metadata!.uid);
    expect(after).toEqual(pods);
  });

  it("changes nothing on the cluster in a dry run", async () => {
    const before = await dumpObjects(config, ns);
    const result = await runCli(["run", writeTemp("dry.yaml", experiment({ name: "dry" })), "--dry-run"], lab.kubeconfig);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/plan: kill 1 pod/);
    expect(await dumpObjects(config, ns)).toEqual(before);
  });
});

describe("run: with a knowledge model", () => {
  const model = (managedResources: unknown[]) => writeTemp("knowledge.yaml", {
    operator: { name: "web", namespace: ns },
    components: [{ name: "web", controller: "WebOperator", managedResources }],
    recovery: { reconcileTimeout: "60s", maxReconcileCycles: 10 },
  });

  // --no-probe: this KWOK Deployment has no operator that would repair a probed ConfigMap (the probe's
  // own rules are tested in test/evidence.test.ts); here only the watching of managed resources is under test.
  it("watches the component's managed resources too, and is Resilient when they are as modelled after recovery", async () => {
    const knowledge = model([
      { apiVersion: "apps/v1", kind: "Deployment", name: "web", labels: { app: "web" }, expectedSpec: { replicas: 1 } },
      { apiVersion: "v1", kind: "ConfigMap", name: "web-config" },
    ]);
    const result = await runCli(["run", writeTemp("k.yaml", experiment({ name: "knowledge-pod-kill" })), "-o", "json", "--stability-window", "1s", "--knowledge", knowledge, "--no-probe"], lab.kubeconfig);
    const report = JSON.parse(result.stdout);
    expect(report.evaluation.verdict).toBe("Resilient");
    const managed = report.timeline.filter((event: { type: string }) => event.type === "managedResource");
    expect(managed.map((event: { resource: { kind: string }; status: string }) => `${event.resource.kind}:${event.status}`)).toEqual(expect.arrayContaining(["Deployment:ok", "ConfigMap:ok"]));
  });

  it("refuses to inject when a managed resource is not as modelled before the fault (Inconclusive, with the reason)", async () => {
    const knowledge = model([{ apiVersion: "v1", kind: "Service", name: "web-metrics" }]);
    const result = await runCli(["run", writeTemp("k2.yaml", experiment({ name: "knowledge-missing" })), "-o", "json", "--knowledge", knowledge], lab.kubeconfig);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.evaluation.verdict).toBe("Inconclusive");
    expect(report.timeline.some((event: { type: string }) => event.type === "injectionStarted")).toBe(false);
    expect(report.error).toMatch(/managed resources are not as the knowledge model says \(Service\/web-metrics: not found\); nothing was injected/);
  });
});

describe("run: safety rules refuse before anything changes", () => {
  const cases: [string, () => Overrides, RegExp][] = [
    ["a check namespace outside allowedNamespaces", () => ({ blastRadius: { allowedNamespaces: [`${ns}-a`, `${ns}-b`] } }), /is not in blastRadius\.allowedNamespaces/],
    ["kube-system", () => ({ checks: [], blastRadius: { allowedNamespaces: ["kube-system"] } }), /namespace "kube-system" is never a valid target/],
    ["a count above maxPodsAffected", () => ({ injection: { type: "PodKill", parameters: { labelSelector: "app=web" }, count: 2 } }), /maxPodsAffected/],
    ["dangerLevel high without allowDangerous", () => ({ injection: { type: "PodKill", parameters: { labelSelector: "app=web" }, dangerLevel: "high" } }), /allowDangerous/],
  ];
  for (const [what, overrides, message] of cases) {
    it(`refuses ${what}`, async () => {
      const before = await dumpObjects(config, ns);
      const result = await runCli(["run", writeTemp("unsafe.yaml", experiment({ name: "unsafe", ...overrides() }))], lab.kubeconfig);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/unsafe\.yaml:\d+:\d+: spec\./);
      expect(await dumpObjects(config, ns)).toEqual(before);
    });
  }

  it("refuses a second run against a locked operator", async () => {
    const now = new Date().toISOString().replace("Z", "000Z").replace(/\.(\d{3})000Z$/, ".$1000Z");
    await rest.create(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {
      metadata: { name: "operator-chaos-lock-web" },
      spec: { holderIdentity: "other-experiment/abc", leaseDurationSeconds: 300, acquireTime: now, renewTime: now },
    });
    try {
      const before = await dumpObjects(config, ns);
      const result = await runCli(["run", writeTemp("locked.yaml", experiment({ name: "locked" })), "--stability-window", "1s"], lab.kubeconfig);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/operator web is locked by other-experiment\/abc/);
      expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
    } finally {
      await rest.delete(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/operator-chaos-lock-web`);
    }
  });
});

describe("nothing lost", () => {
  for (const step of ["journal-written", "mutated"]) {
    it(`clean restores the cluster exactly after the CLI is SIGKILLed right after ${step === "mutated" ? "the mutation" : "the journal write"}`, async () => {
      const before = await dumpObjects(config, ns);
      const result = await runCli(["run", writeTemp("crash.yaml", configDrift(`crash-${step}`))], lab.kubeconfig, { OPERATOR_CHAOS_CRASH_AT: step });
      expect(result.signal).toBe("SIGKILL");
      expect(await configValue()).toBe(step === "mutated" ? "broken" : "good");
      const cleaned = await runCli(["clean", "-n", ns], lab.kubeconfig);
      expect(cleaned.code).toBe(0);
      expect(cleaned.stdout).toMatch(/reverted\s+ConfigDrift\s+ConfigMap\//);
      expect(await dumpObjects(config, ns)).toEqual(before);
    });
  }

  it("reverts on Ctrl-C during Observing and reports Aborted (exit 130)", async () => {
    const dir = writeTemp("unused", "").replace(/\/unused$/, "");
    const child = spawnCli(["run", writeTemp("interrupt.yaml", configDrift("interrupted", "60s")), "--report-dir", dir], lab.kubeconfig);
    let stderr = "";
    await new Promise<void>((resolveObserving, reject) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("phase Observing")) resolveObserving();
      });
      child.once("close", () => reject(new Error(`exited before Observing: ${stderr}`)));
    });
    expect(await configValue()).toBe("broken");
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("close", (c) => r(c)));
    expect(code).toBe(130);
    expect(await configValue()).toBe("good");
    const reportFile = readdirSync(dir).find((f) => f.startsWith("interrupted-") && f.endsWith(".json"))!;
    const report = JSON.parse(readFileSync(join(dir, reportFile), "utf8"));
    expect(report.phase).toBe("Aborted");
    expect(report.evaluation.verdict).toBe("Inconclusive");
  });

  it("clean --watch reverts a killed run's fault by itself once the run's lock lapses", async () => {
    const watcher = spawnCli(["clean", "--watch", "-n", ns], lab.kubeconfig);
    try {
      const crashed = await runCli(["run", writeTemp("watch.yaml", configDrift("watched-crash"))], lab.kubeconfig, { OPERATOR_CHAOS_CRASH_AT: "mutated" });
      expect(crashed.signal).toBe("SIGKILL");
      // The lock lives 30 s without renewal; clean --watch wakes up when it can have lapsed.
      await waitForCollection(rest, { path: `/api/v1/namespaces/${ns}/configmaps`, fieldSelector: "metadata.name=web-config", timeoutMs: 60_000, what: "web-config restored by clean --watch" },
        (maps) => ((maps.get(`${ns}/web-config`) as { data?: Record<string, string> } | undefined)?.data?.["config.yaml"] === "good" ? true : undefined));
      const records = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "chaos.operatorchaos.io/journal=record" });
      expect(records.items).toEqual([]);
    } finally {
      watcher.kill("SIGINT");
    }
  });

  it("restores an object carrying the Go tool's rollback annotation", async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: {
      metadata: {
        name: "legacy",
        labels: { "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/type": "ConfigDrift", keep: "me" },
        annotations: { "chaos.operatorchaos.io/rollback-data": wrapGoRollback({ resourceType: "ConfigMap", key: "mode", originalValue: "fast", keyExists: "true" }) },
      },
      data: { mode: "chaos-drifted", untouched: "1" },
    } });
    const result = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(result.code).toBe(0);
    const restored = await core.readNamespacedConfigMap({ name: "legacy", namespace: ns });
    expect(restored.data).toEqual({ mode: "fast", untouched: "1" });
    expect(restored.metadata?.labels).toEqual({ keep: "me" });
    expect(restored.metadata?.annotations ?? {}).toEqual({});
  });
});

/** Result ConfigMaps are the run's report, written on purpose (as the Go tool does). */
function withoutResults(dump: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(dump).filter(([key]) => !key.includes("/configmaps/chaos-result-")));
}
