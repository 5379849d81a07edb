// A watch connection that stalls without closing (half-open) during the stability window must not
// end in Resilient: the observer cannot prove its cache current at the decision, records the
// outage, and the verdict says the state it saw may be stale.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { parse, stringify } from "yaml";
import { KubeRest } from "../src/kube/rest.js";
import { ResourceWatcher, waitForCollection, type WatchOutage } from "../src/kube/watcher.js";
import { follow } from "./reliability/support.js";
import { spawnCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";
import { startStallProxy, type StallProxy } from "./support/stall-proxy.js";

const { lab, config, core, apps } = labClients();
const rest = new KubeRest(config);
let ns: string;
let proxy: StallProxy;
let proxiedKubeconfig: string;

const experiment = (name: string) => ({
  apiVersion: "chaos.operatorchaos.io/v1alpha1",
  kind: "ChaosExperiment",
  metadata: { name },
  spec: {
    target: { operator: "stall", component: "web" },
    steadyState: { checks: [{ type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: ns, conditionType: "Available" }] },
    injection: { type: "PodKill", parameters: { labelSelector: "app=web" }, count: 1 },
    hypothesis: { description: "the Deployment replaces the pod", recoveryTimeout: "20s" },
    blastRadius: { maxPodsAffected: 1, allowedNamespaces: [ns] },
  },
});

interface Report { evaluation: { verdict: string; reasons: string[] }; timeline: Array<{ type: string; at: number; until?: number; watch?: string }> }

beforeAll(async () => {
  ns = await freshNamespace(core, "stall");
  await apps.createNamespacedDeployment({ namespace: ns, body: {
    metadata: { name: "web", labels: { app: "web" } },
    spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "example/web:1" }] } } },
  } });
  await waitForCollection(rest, { path: `/apis/apps/v1/namespaces/${ns}/deployments`, timeoutMs: 60_000, what: "web Available" },
    (deployments) => ((deployments.get(`${ns}/web`)?.status as { availableReplicas?: number } | undefined)?.availableReplicas === 1 ? true : undefined));
  proxy = await startStallProxy(lab.ports.apiServer);
  // The CLI reaches the API server only through the proxy (the serving certificate names 127.0.0.1).
  const kubeconfig = parse(readFileSync(lab.kubeconfig, "utf8")) as { clusters: Array<{ cluster: { server: string } }> };
  for (const entry of kubeconfig.clusters) entry.cluster.server = `https://127.0.0.1:${proxy.port}`;
  proxiedKubeconfig = writeTemp("kubeconfig", stringify(kubeconfig));
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  rest.close();
});

async function run(name: string, during?: (cli: ReturnType<typeof follow>) => Promise<void>): Promise<{ code: number | null; report: Report; stderr: string }> {
  const reportDir = mkdtempSync(join(tmpdir(), "oc-stall-"));
  const cli = follow(spawnCli(["run", writeTemp(`${name}.yaml`, experiment(name)), "--stability-window", "6s", "--report-dir", reportDir], proxiedKubeconfig));
  await during?.(cli);
  const exit = await cli.exit;
  const file = readdirSync(reportDir).find((entry) => entry.endsWith(".json"));
  if (!file) throw new Error(`no JSON report in ${reportDir}:\n${cli.stdout()}\n${cli.stderr()}`);
  return { code: exit.code, report: JSON.parse(readFileSync(join(reportDir, file), "utf8")) as Report, stderr: `${cli.stdout()}\n${cli.stderr()}` };
}

describe("a stalled watch connection", () => {
  it("control: through the same proxy, never stalled, the run is Resilient", async () => {
    const { code, report, stderr } = await run("stall-control");
    expect(report.evaluation.verdict, stderr).toBe("Resilient");
    expect(code).toBe(0);
    expect(report.timeline.filter((event) => event.type === "watchOutage")).toEqual([]);
  }, 120_000);

  it("stalled during the stability window (connections open, nothing forwarded): Inconclusive, with the outage in the timeline", async () => {
    const { code, report, stderr } = await run("stall-window", async (cli) => {
      await cli.waitFor(/phase Observing/);
      // The replacement is Ready within a second or two: the 6 s window is running when the path stalls.
      await new Promise((resolveWait) => setTimeout(resolveWait, 3_000));
      proxy.stall();
      // Past the recovery deadline (20 s), then the path works again so the run can finish and report.
      setTimeout(() => proxy.resume(), 25_000);
    });
    expect(report.evaluation.verdict, stderr).not.toBe("Resilient");
    expect(report.evaluation.verdict).toBe("Inconclusive");
    expect(code).toBe(1);
    const outages = report.timeline.filter((event) => event.type === "watchOutage");
    expect(outages.length, JSON.stringify(report.timeline)).toBeGreaterThan(0);
    expect(report.evaluation.reasons.join("\n")).toMatch(/watch outage on /);
    console.log(`stalled during the window: ${report.evaluation.verdict}: ${report.evaluation.reasons.join(" | ")}`);
  }, 180_000);
});

describe("the watcher's idle bound", () => {
  it("a half-open watch connection is dropped after its idle bound and resumed: the event it missed arrives, the outage is reported", async () => {
    const proxied = new KubeConfig();
    proxied.loadFromFile(proxiedKubeconfig);
    const client = new KubeRest(proxied);
    const controller = new AbortController();
    const troubles: string[] = [];
    const outages: WatchOutage[] = [];
    let seenAt: number | undefined;
    let markSeen!: () => void;
    const seen = new Promise<void>((resolveSeen) => (markSeen = resolveSeen));
    const watcher = new ResourceWatcher(client, { path: `/api/v1/namespaces/${ns}/configmaps`, fieldSelector: "metadata.name=late", signal: controller.signal, idleTimeoutMs: 4_000 }, {
      onEvent: (type, object) => {
        if (type !== "ADDED" || object.metadata?.name !== "late") return;
        seenAt ??= Date.now();
        markSeen();
      },
      onTrouble: (reason) => troubles.push(reason),
      onResumed: (outage) => outages.push(outage),
    });
    try {
      await watcher.start();
      // Let the watch request itself go out, then freeze that connection; new connections still work.
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
      proxy.stallOpenConnections();
      const stalledAt = Date.now();
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "late" }, data: { a: "b" } } });
      await Promise.race([seen, new Promise((resolveWait) => setTimeout(resolveWait, 30_000))]);
      expect(seenAt, `troubles: ${troubles.join("; ")}`).toBeDefined();
      // Not before the bound (the frozen connection delivered nothing), and soon after it.
      expect(seenAt! - stalledAt).toBeGreaterThanOrEqual(3_000);
      expect(troubles.some((reason) => /no event or bookmark for 4000 ms/.test(reason))).toBe(true);
      expect(outages).toHaveLength(1);
      expect(outages[0]!.since).toBeLessThanOrEqual(stalledAt);
      expect(outages[0]!.until).toBeLessThanOrEqual(seenAt!);
    } finally {
      controller.abort();
      client.close();
    }
  }, 60_000);
});
