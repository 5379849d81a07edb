// The dashboard against the lab: a CLI run (ConfigDrift on a ConfigMap, the cheapest fault) shows up
// live over server-sent events while its lock and journal record exist, then once in the history (from
// its report file and its result ConfigMap: one row); a ChaosExperiment shows up live and, finished, in
// the history, even when its CRD is installed after the dashboard started.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeRest, isNotFound } from "../src/kube/rest.js";
import { waitForCollection } from "../src/kube/watcher.js";
import { startDashboard, type RunningDashboard } from "../src/dashboard/app.js";
import { runCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);
const CRD = "chaosexperiments.chaos.operatorchaos.io";
const CRD_PATH = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions`;
let ns: string;
let dir: string;
let dashboard: RunningDashboard;
let installedCrd = false;

interface Seen {
  at: number;
  event: string;
  data: { runs?: { id: string; operator: string; experiment: string; phase: string; faults: { faultType: string }[] }[]; reports?: number };
}
const seen: Seen[] = [];
const streamAbort = new AbortController();

async function follow(url: string): Promise<void> {
  const response = await fetch(new URL("/api/v1/live/events", url), { signal: streamAbort.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) seen.push({ at: Date.now(), event, data: JSON.parse(data) });
      }
    }
  })();
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const api = async (route: string) => (await fetch(new URL(route, dashboard.url))).json();

beforeAll(async () => {
  ns = await freshNamespace(core, "dashboard");
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "web-config" }, data: { "config.yaml": "good" } } });
  dir = mkdtempSync(path.join(tmpdir(), "oc-dash-lab-"));
  dashboard = await startDashboard({ host: "127.0.0.1", port: 0, db: path.join(dir, "h.db"), reports: [dir], rest, warn: () => {} });
  await follow(dashboard.url);
});

afterAll(async () => {
  streamAbort.abort();
  await dashboard?.close();
  if (installedCrd) await rest.delete(`${CRD_PATH}/${CRD}`).catch(() => undefined);
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("dashboard on the lab", () => {
  it("shows a CLI run live (lock, then the fault held) and then once in the history", async () => {
    const experiment = {
      apiVersion: "chaos.operatorchaos.io/v1alpha1",
      kind: "ChaosExperiment",
      metadata: { name: "dash-config-drift" },
      spec: {
        target: { operator: "dashweb", component: "web" },
        steadyState: { checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace: ns }] },
        injection: { type: "ConfigDrift", parameters: { name: "web-config", key: "config.yaml", value: "broken" }, ttl: "300s" },
        hypothesis: { description: "the drift is put back", recoveryTimeout: "2s" },
        blastRadius: { maxPodsAffected: 1, allowedNamespaces: [ns] },
      },
    };
    const reports = path.join(dir, "run");
    const result = await runCli(["run", writeTemp("drift.yaml", experiment), "-o", "json", "--report-dir", reports], lab.kubeconfig);
    expect(result.code === 0 || result.code === 1).toBe(true);
    const report = JSON.parse(result.stdout);
    const runEvents = seen.filter((s) => s.event === "live").map((s) => s.data.runs!.find((run) => run.operator === "dashweb"));
    const phases = runEvents.map((run) => run?.phase ?? "none");
    // Live: the lock first, then the journaled fault, then gone when the run ended.
    expect(phases).toContain("FaultHeld");
    expect(phases.indexOf("FaultHeld")).toBeGreaterThan(phases.indexOf("Running"));
    expect(phases.at(-1)).toBe("none");
    const held = runEvents.find((run) => run?.phase === "FaultHeld")!;
    expect(held).toMatchObject({ id: `cli/${ns}/operator-chaos-lock-dashweb`, experiment: "dash-config-drift", faults: [{ faultType: "ConfigDrift" }] });

    // History: the report file and the result ConfigMap are one report.
    const page = await until("the run in the history", async () => {
      const body = await api("/api/v1/experiments?q=dash-config-drift");
      return body.total > 0 ? body : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = await api("/api/v1/experiments?q=dash-config-drift");
    expect(settled.total).toBe(1);
    expect(page.items[0]).toMatchObject({ experiment: "dash-config-drift", faultType: "ConfigDrift", verdict: report.evaluation.verdict, operator: "dashweb" });
    const sources = (await api("/api/v1/status")).sources.map((s: { name: string; state: string }) => `${s.name}: ${s.state}`);
    expect(sources).toEqual(expect.arrayContaining(["leases: watching", "journal (ConfigMaps): watching", "journal (Secrets): watching", "result ConfigMaps: watching"]));
  });

  it("skips a result ConfigMap that holds no report, visibly, and serves the rest", async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: {
      metadata: { name: "chaos-result-broken-20261201-000000", labels: { "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/experiment": "broken" } },
      data: { "result.json": "{ not json" },
    } });
    const skipped = await until("the skipped ConfigMap", async () => ((await api("/api/v1/status")).skipped as { origin: string; error: string }[]).find((s) => s.origin === `configmap:${ns}/chaos-result-broken-20261201-000000`));
    expect(skipped.error).toMatch(/^not valid JSON/);
    expect((await api("/api/v1/experiments?q=broken")).total).toBe(0);
  });

  it("shows a ChaosExperiment live and, once finished, in the history; the CRD may come after the dashboard", async () => {
    const existing = await rest.get(`${CRD_PATH}/${CRD}`).catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
    if (existing === undefined) {
      const crd = parse(readFileSync(new URL("../config/crd/chaos.operatorchaos.io_chaosexperiments.yaml", import.meta.url), "utf8"));
      await rest.create(CRD_PATH, crd);
      installedCrd = true;
    }
    await waitForCollection(rest, { path: CRD_PATH, fieldSelector: `metadata.name=${CRD}`, timeoutMs: 30_000, what: "the CRD Established" },
      (crds) => ((crds.get(`/${CRD}`)?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined));
    const collection = `/apis/chaos.operatorchaos.io/v1alpha1/namespaces/${ns}/chaosexperiments`;
    const sources = await until("the ChaosExperiment watch", async () => {
      const list = (await api("/api/v1/status")).sources as { name: string; state: string }[];
      return list.find((s) => s.name === "ChaosExperiments" && s.state === "watching");
    });
    expect(sources.state).toBe("watching");
    await rest.create(collection, {
      apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment", metadata: { name: "ce-pod-kill", namespace: ns },
      spec: {
        target: { operator: "ctrlop", component: "web" },
        injection: { type: "PodKill", parameters: { labelSelector: "app=web" } },
        hypothesis: { description: "pods come back", recoveryTimeout: "30s" },
        blastRadius: { maxPodsAffected: 1, allowedNamespaces: [ns] },
      },
    });
    const startTime = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    await rest.mergePatch(`${collection}/ce-pod-kill/status`, { status: { phase: "Observing", startTime } });
    const live = await until("the controller run live", async () => (await api("/api/v1/live")).runs.find((run: { id: string }) => run.id === `controller/${ns}/ce-pod-kill`));
    expect(live).toMatchObject({ kind: "controller", operator: "ctrlop", phase: "Observing", experiment: "ce-pod-kill" });
    await rest.mergePatch(`${collection}/ce-pod-kill/status`, { status: {
      phase: "Complete", verdict: "Resilient", startTime, endTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      evaluationResult: { verdict: "Resilient", confidence: "high", recoveryTime: "1.5s", reconcileCycles: 1 },
    } });
    const row = await until("the controller run in the history", async () => (await api("/api/v1/experiments?q=ce-pod-kill")).items[0]);
    expect(row).toMatchObject({ experiment: "ce-pod-kill", operator: "ctrlop", faultType: "PodKill", verdict: "Resilient", recoveryMs: 1500, source: "controller" });
    expect((await api("/api/v1/live")).runs.some((run: { id: string }) => run.id === `controller/${ns}/ce-pod-kill`)).toBe(false);
  });
});
