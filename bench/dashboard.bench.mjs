#!/usr/bin/env node
// Benchmarks of the dashboard: ingesting 10,000 generated report files into a new SQLite history
// (time, database size), the experiments page's API p95 over that history, and the time from a change
// of the live board to an event received by an SSE client. Prints one JSON line per measure:
// {name, value, unit, command}. Needs a build (npm run build).
// With --kubeconfig FILE (a lab: `operator-chaos lab env`), also the time from a lock Lease written on
// the cluster to the SSE event of that run (what the Live page shows); a namespace of its own, removed after.
// Usage: node bench/dashboard.bench.mjs [--reports N] [--requests N] [--kubeconfig FILE]

import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const load = (module) => import(pathToFileURL(path.join(root, "dist", "src", "dashboard", module)).href);
const flag = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const count = flag("--reports", 10_000);
const requests = flag("--requests", 300);
const command = "node bench/dashboard.bench.mjs";

const { sampleReport } = await load("sample.js");
const { History } = await load("history.js");
const { FolderIngest } = await load("ingest-files.js");
const { startDashboard } = await load("app.js");

const scratch = mkdtempSync(path.join(tmpdir(), "oc-dash-bench-"));
try {
  const reports = path.join(scratch, "reports");
  mkdirSync(reports);
  for (let i = 0; i < count; i++) writeFileSync(path.join(reports, `r${String(i).padStart(5, "0")}.json`), `${JSON.stringify(sampleReport(i), null, 2)}\n`);
  const db = path.join(scratch, "history.db");

  const started = performance.now();
  const history = await History.open(db);
  const outcome = await new FolderIngest(history).scan(reports);
  history.close();
  const ingestMs = performance.now() - started;
  if (outcome.added !== count) throw new Error(`ingested ${outcome.added} of ${count}`);
  console.log(JSON.stringify({ name: "dashboard.ingest_10k_reports", value: Math.round(ingestMs), unit: "ms", command: `${command} (${count} report files into a new --db, written to disk)` }));
  console.log(JSON.stringify({ name: "dashboard.db_size_10k_reports", value: Math.round(statSync(db).size / 1024), unit: "KiB", command }));

  const dashboard = await startDashboard({ host: "127.0.0.1", port: 0, db, reports: [], warn: () => {} });
  try {
    const pages = Math.floor(count / 25);
    const sorts = ["timestamp", "recovery", "experiment", "verdict"];
    const filters = ["", "&verdict=Failed", "&fault=PodKill", "&q=kserve"];
    const times = [];
    for (let i = 0; i < requests; i++) {
      const url = new URL(`/api/v1/experiments?pageSize=25&page=${1 + ((i * 37) % Math.min(pages, 40))}&sort=${sorts[i % 4]}${filters[(i >> 2) % 4]}`, dashboard.url);
      const t0 = performance.now();
      const response = await fetch(url);
      await response.json();
      times.push(performance.now() - t0);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    }
    times.sort((a, b) => a - b);
    const p95 = times[Math.floor(times.length * 0.95)];
    console.log(JSON.stringify({ name: "dashboard.api_experiments_p95", value: Number(p95.toFixed(1)), unit: "ms", command: `${command} (${requests} GET /api/v1/experiments, 25 a page, mixed sort and filters, over ${count} reports)` }));

    // Board change → SSE client; the cluster's own watch delay is measured by the lab test, not here.
    const response = await fetch(new URL("/api/v1/live/events", dashboard.url));
    const reader = response.body.getReader();
    await reader.read();
    const delays = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      dashboard.board.lease("bench", `operator-chaos-lock-op${i}`, `op${i}`, "bench", new Date().toISOString());
      await reader.read();
      delays.push(performance.now() - t0);
    }
    await reader.cancel();
    delays.sort((a, b) => a - b);
    console.log(JSON.stringify({ name: "dashboard.live_event_p95", value: Number(delays[Math.floor(delays.length * 0.95)].toFixed(2)), unit: "ms", command: `${command} (live-board change to an SSE client, loopback)` }));
  } finally {
    await dashboard.close();
  }
  const kubeconfigFlag = process.argv.indexOf("--kubeconfig");
  if (kubeconfigFlag !== -1) await clusterToBrowser(process.argv[kubeconfigFlag + 1]);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

async function clusterToBrowser(kubeconfig) {
  const { loadKubeConfig } = await import(pathToFileURL(path.join(root, "dist", "src", "kube", "client.js")).href);
  const { KubeRest } = await import(pathToFileURL(path.join(root, "dist", "src", "kube", "rest.js")).href);
  const rest = new KubeRest(loadKubeConfig({ kubeconfig }));
  const namespace = `dash-bench-${process.pid}`;
  await rest.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  const dashboard = await startDashboard({ host: "127.0.0.1", port: 0, reports: [], rest, warn: () => {} });
  try {
    const response = await fetch(new URL("/api/v1/live/events", dashboard.url));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const delays = [];
    for (let i = 0; i < 20; i++) {
      const name = `operator-chaos-lock-bench${i}`;
      const t0 = performance.now();
      await rest.create(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, {
        apiVersion: "coordination.k8s.io/v1", kind: "Lease",
        metadata: { name, labels: { "app.kubernetes.io/managed-by": "operator-chaos" } },
        spec: { holderIdentity: "bench", leaseDurationSeconds: 30, acquireTime: new Date().toISOString().replace(/Z$/, "000Z") },
      });
      while (!text.includes(`"operator":"bench${i}"`)) text += decoder.decode((await reader.read()).value);
      delays.push(performance.now() - t0);
    }
    await reader.cancel();
    delays.sort((a, b) => a - b);
    const at = (q) => Number(delays[Math.floor(delays.length * q)].toFixed(1));
    console.log(JSON.stringify({ name: "dashboard.cluster_to_sse_p50", value: at(0.5), unit: "ms", command: `${command} --kubeconfig LAB (Lease create request sent → SSE event, 20 Leases)` }));
    console.log(JSON.stringify({ name: "dashboard.cluster_to_sse_p95", value: at(0.95), unit: "ms", command: `${command} --kubeconfig LAB` }));
  } finally {
    await dashboard.close();
    await rest.delete(`/api/v1/namespaces/${namespace}`).catch(() => undefined);
  }
}
