#!/usr/bin/env node
// Benchmarks of the lab and the run engine, on a lab of their own:
//   lab warm start (binaries cached) to Ready, API server RSS;
//   PodKill: wall time, recovery-time error against ground truth (a watch of our own sees the
//   replacement pod turn Ready), API requests per experiment, CLI peak RSS — over N runs.
// Prints one JSON line per figure: {name, value, unit, command}.
// Usage: node bench/engine.bench.mjs [--runs N] [--starts N]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => join(root, "dist", p);
const { labUp } = await import(dist("src/lab/up.js"));
const { labDown } = await import(dist("src/lab/down.js"));
const { KubeRest } = await import(dist("src/kube/rest.js"));
const { waitForCollection } = await import(dist("src/kube/watcher.js"));
const { KubeConfig } = await import("@kubernetes/client-node");

const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const runs = option("--runs", 10);
const starts = option("--starts", 3);
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const emit = (name, value, unit, command) => process.stdout.write(`${JSON.stringify({ name, value, unit, command })}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);

// Lab warm start: the binaries are cached; measured from `lab up` to a Ready cluster.
const startTimes = [];
for (let i = 0; i < starts; i += 1) {
  const name = `bench-start-${process.pid}-${i}`;
  const t0 = Date.now();
  await labUp({ name });
  startTimes.push((Date.now() - t0) / 1000);
  await labDown(name);
  log(`warm start ${i + 1}/${starts}: ${startTimes.at(-1)} s`);
}
emit("lab.warm_start.median", percentile(startTimes, 50), "s", `node bench/engine.bench.mjs --starts ${starts}`);

const name = `bench-${process.pid}`;
const lab = await labUp({ name });
try {
  const apiserverPid = Number(readFileSync(join(lab.dir, "pids", "apiserver.pid"), "utf8"));
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${apiserverPid}/status`, "utf8"))[1]);
  emit("lab.apiserver_rss", Math.round(rssKiB / 1024), "MiB", "VmRSS of kube-apiserver in a fresh lab (bench/engine.bench.mjs)");

  const config = new KubeConfig();
  config.loadFromFile(lab.kubeconfig);
  const rest = new KubeRest(config);
  const ns = "bench";
  await rest.create("/api/v1/namespaces", { metadata: { name: ns } });
  await rest.create(`/apis/apps/v1/namespaces/${ns}/deployments`, {
    metadata: { name: "web" },
    spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "x" }] } } },
  });
  const available = () => waitForCollection(rest, { path: `/apis/apps/v1/namespaces/${ns}/deployments`, timeoutMs: 60_000, what: "web Available" },
    (d) => (d.get(`${ns}/web`)?.status?.availableReplicas === 1 && d.get(`${ns}/web`)?.status?.updatedReplicas === 1 ? true : undefined));
  await available();
  const dir = mkdtempSync(join(tmpdir(), "oc-bench-"));
  const file = join(dir, "pod-kill.yaml");
  writeFileSync(file, `apiVersion: chaos.operatorchaos.io/v1alpha1
kind: ChaosExperiment
metadata:
  name: bench-pod-kill
spec:
  target: {operator: web, component: web}
  steadyState:
    checks:
      - {type: conditionTrue, apiVersion: apps/v1, kind: Deployment, name: web, namespace: ${ns}, conditionType: Available}
  injection: {type: PodKill, parameters: {labelSelector: app=web}, count: 1}
  hypothesis: {description: the pod is replaced, recoveryTimeout: 60s}
  blastRadius: {maxPodsAffected: 1, allowedNamespaces: [${ns}]}
`);
  const rssFile = join(dir, "maxrss");
  const walls = [], errors = [], requests = [];
  for (let i = 0; i < runs; i += 1) {
    const before = (await rest.get(`/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: "app=web" } })).items.map((p) => p.metadata.name);
    const readyAt = waitForCollection(rest, { path: `/api/v1/namespaces/${ns}/pods`, labelSelector: "app=web", timeoutMs: 90_000, what: "replacement Ready" },
      (pods) => ([...pods.values()].some((p) => !before.includes(p.metadata.name) && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) ? Date.now() : undefined));
    const t0 = Date.now();
    const output = await new Promise((resolveRun, reject) => {
      const child = spawn(process.execPath, ["--import", join(root, "bench", "maxrss.mjs"), dist("src/cli/main.js"), "run", file, "-o", "json", "--stability-window", "2s"], {
        env: { ...process.env, KUBECONFIG: lab.kubeconfig, OPERATOR_CHAOS_MAXRSS_FILE: rssFile }, stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (c) => (out += c));
      child.once("error", reject);
      child.once("close", (code) => (code === 0 ? resolveRun(out) : reject(new Error(`run exited ${code}: ${out.slice(0, 500)}`))));
    });
    walls.push((Date.now() - t0) / 1000);
    const report = JSON.parse(output);
    const recoveredAt = Date.parse(report.injection.timestamp) + report.evaluation.recoveryTimeMs;
    errors.push(Math.abs(recoveredAt - (await readyAt)));
    requests.push(report.apiRequests ?? NaN);
    await available();
    log(`PodKill ${i + 1}/${runs}: ${walls.at(-1)} s, error ${errors.at(-1)} ms`);
  }
  const rss = readFileSync(rssFile, "utf8").trim().split("\n").map(Number);
  const cmd = `node bench/engine.bench.mjs --runs ${runs}`;
  emit("podkill.wall_time.p50", percentile(walls, 50), "s", `${cmd} (stability window 2s)`);
  emit("podkill.wall_time.p95", percentile(walls, 95), "s", `${cmd} (stability window 2s)`);
  emit("podkill.recovery_error.p50", percentile(errors, 50), "ms", cmd);
  emit("podkill.recovery_error.p95", percentile(errors, 95), "ms", cmd);
  if (requests.every((r) => Number.isFinite(r))) emit("podkill.api_requests.median", percentile(requests, 50), "requests", `${cmd} (counted by the CLI's client; watches count once)`);
  emit("cli.peak_rss.max", Math.round(Math.max(...rss) / 1024), "MiB", `${cmd} (node --import bench/maxrss.mjs)`);
  rmSync(dir, { recursive: true, force: true });
} finally {
  await labDown(name);
}
