#!/usr/bin/env node
// Benchmarks of the engine's safety net (issue #11), on a lab of their own:
//   revert after an outage: the API server is stopped right before a run's revert and started
//   again N s later; how long the revert took from its first (failed) attempt to success, how long
//   the API server was unavailable, and success minus /readyz (negative: requests were served
//   before /readyz said so);
//   `clean` wall time over a cluster with 50 namespaces, 10 of them holding a killed run's fault.
// Uses the reliability harness's hooks (pause before the revert, SIGKILL after the mutation), so
// the CLI is started with test/support/test-hooks.mjs preloaded.
// Prints one JSON line per figure: {name, value, unit, command}.
// Usage: node bench/engine-safety.bench.mjs [--outages 5,10,20] [--namespaces 50] [--records 10]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => join(root, "dist", p);
const { labUp } = await import(dist("src/lab/up.js"));
const { labDown } = await import(dist("src/lab/down.js"));
const { KubeRest } = await import(dist("src/kube/rest.js"));
const { httpStatus } = await import(dist("src/lab/health.js"));
const { recordedPids, startComponent, stopProcesses } = await import(dist("src/lab/processes.js"));
const { KubeConfig } = await import("@kubernetes/client-node");

const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const outages = String(option("--outages", "5,10,20")).split(",").map(Number);
const namespaceCount = Number(option("--namespaces", 50));
const recordCount = Number(option("--records", 10));
const emit = (name, value, unit, command) => process.stdout.write(`${JSON.stringify({ name, value, unit, command })}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
const CLI = dist("src/cli/main.js");
const HOOKS = join(root, "test", "support", "test-hooks.mjs");

const name = `bench-safety-${process.pid}`;
const lab = await labUp({ name });
const config = new KubeConfig();
config.loadFromFile(lab.kubeconfig);
const rest = new KubeRest(config);

function cli(args, env = {}) {
  const child = spawn(process.execPath, ["--import", HOOKS, CLI, ...args], { env: { ...process.env, KUBECONFIG: lab.kubeconfig, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exit = new Promise((resolveExit) => child.once("close", (code, signal) => resolveExit({ code, signal, stdout, stderr })));
  const waitFor = (pattern) => new Promise((resolveSeen, reject) => {
    const check = () => {
      if (pattern.test(stderr)) {
        child.stderr.off("data", check);
        resolveSeen();
      }
    };
    child.stderr.on("data", check);
    void exit.then(() => reject(new Error(`the CLI exited before ${pattern}:\n${stderr}`)));
    check();
  });
  return { child, exit, waitFor };
}

async function ready() {
  while ((await httpStatus(`${lab.server}/readyz`, lab.caFile)) !== 200) await sleep(100);
}

async function driftNamespace(namespace) {
  await rest.create("/api/v1/namespaces", { metadata: { name: namespace } });
  await rest.create(`/api/v1/namespaces/${namespace}/configmaps`, { metadata: { name: "web-config" }, data: { "config.yaml": "good" } });
}

function driftFile(namespace) {
  const file = join(mkdtempSync(join(tmpdir(), "oc-bench-safety-")), "experiment.json");
  writeFileSync(file, JSON.stringify({
    apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment", metadata: { name: `drift-${namespace}` },
    spec: {
      target: { operator: `web-${namespace}`, component: "web" },
      steadyState: { checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace }] },
      injection: { type: "ConfigDrift", parameters: { name: "web-config", key: "config.yaml", value: "broken" }, ttl: "600s" },
      hypothesis: { description: "nobody repairs", recoveryTimeout: "2s" },
      blastRadius: { maxPodsAffected: 1, allowedNamespaces: [namespace] },
    },
  }));
  return file;
}

try {
  for (const seconds of outages) {
    const namespace = `outage-${seconds}s`;
    await driftNamespace(namespace);
    const reportDir = mkdtempSync(join(tmpdir(), "oc-bench-report-"));
    const run = cli(["run", driftFile(namespace), "--stability-window", "1s", "--report-dir", reportDir, "--revert-timeout", `${seconds + 60}s`], { OPERATOR_CHAOS_PAUSE_AT: "reverting" });
    await run.waitFor(/paused at reverting/);
    const saved = JSON.parse(await readFile(join(lab.dir, "pids", "apiserver.command.json"), "utf8"));
    await stopProcesses([(await recordedPids(lab.dir)).get("apiserver")], 1_000);
    const resumedAt = Date.now();
    run.child.kill("SIGUSR2");
    await sleep(seconds * 1000);
    await startComponent(lab.dir, "apiserver", saved.command, saved.args, saved.extraEnv);
    await ready();
    const readyAt = Date.now();
    const exit = await run.exit;
    const report = JSON.parse(readFileSync(join(reportDir, readdirSync(reportDir).find((f) => f.endsWith(".json"))), "utf8"));
    if (!report.revert || report.revert.stillActive.length > 0) throw new Error(`the revert did not succeed (exit ${exit.code}):\n${exit.stderr}`);
    const successAt = resumedAt + report.revert.durationMs;
    log(`outage ${seconds} s: revert took ${report.revert.durationMs} ms over ${report.revert.attempts} attempts; API ready ${readyAt - resumedAt} ms after the stop`);
    const command = `node bench/engine-safety.bench.mjs --outages ${seconds} (API server stopped before the revert, started ${seconds} s later)`;
    emit(`revert.first_failure_to_success.outage_${seconds}s`, Number((report.revert.durationMs / 1000).toFixed(2)), "s", command);
    // For comparison: how long the API server was unavailable (stopped N s, then its start-up to /readyz).
    emit(`revert.api_unavailable.outage_${seconds}s`, Number(((readyAt - resumedAt) / 1000).toFixed(2)), "s", command);
    emit(`revert.success_minus_api_ready.outage_${seconds}s`, successAt - readyAt, "ms", command);
  }

  // clean over many namespaces, some holding a killed run's fault.
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `sweep-${i}`);
  for (const namespace of namespaces) await driftNamespace(namespace);
  for (const namespace of namespaces.slice(0, recordCount)) {
    const crashed = await cli(["run", driftFile(namespace)], { OPERATOR_CHAOS_CRASH_AT: "mutated" }).exit;
    if (crashed.signal !== "SIGKILL") throw new Error(`the run in ${namespace} was not killed:\n${crashed.stderr}`);
  }
  const t0 = Date.now();
  const cleaned = await cli(["clean"]).exit;
  const cleanMs = Date.now() - t0;
  const reverted = (cleaned.stdout.match(/^reverted\s+ConfigDrift/gm) ?? []).length;
  if (cleaned.code !== 0 || reverted !== recordCount) throw new Error(`clean reverted ${reverted} of ${recordCount} (exit ${cleaned.code}):\n${cleaned.stdout}${cleaned.stderr}`);
  log(`clean over ${namespaceCount} namespaces, ${recordCount} leftover records (and their Leases): ${cleanMs} ms`);
  emit(`clean.wall_time.${namespaceCount}_namespaces_${recordCount}_records`, cleanMs, "ms", `node bench/engine-safety.bench.mjs (operator-chaos clean, no flags; ${recordCount} killed runs' records and Leases)`);
} finally {
  await labDown(name);
}
