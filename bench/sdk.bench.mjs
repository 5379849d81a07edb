#!/usr/bin/env node
// Benchmark of operator-chaos/sdk (build first: npx tsc -p tsconfig.json). Prints JSON lines
// {name, value, unit, command}:
//   - the SDK's cost per API call with no fault active, and with a fault active on another
//     operation, next to a real call to the lab's API server (GET of a ConfigMap through the demo
//     operator's own client, with and without the SDK): the goal is under 5% of a lab call;
//   - activation and deactivation latency, p50/p95: from sending the ConfigMap's create (delete) to
//     the injector having applied it, through a real watch (the demo operator's informer);
//   - fuzz runs per second of the harness on the demo's distribution reconciler.
// Usage: node bench/sdk.bench.mjs [--lab NAME] [--calls N] [--rounds N]
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { ApiHealth } from "../dist/examples/llamastack/operator/api-health.js";
import { Informer } from "../dist/examples/llamastack/operator/informer.js";
import { KubeClient, loadEndpoint } from "../dist/examples/llamastack/operator/kube.js";
import { distributionFuzzTarget } from "../dist/examples/llamastack/fuzz/target.js";
import { labDown } from "../dist/src/lab/down.js";
import { labDir } from "../dist/src/lab/paths.js";
import { readLabState } from "../dist/src/lab/state.js";
import { labUp } from "../dist/src/lab/up.js";
import { ChaosConfigFeed, ChaosInjector, configTextFor, parseFaults } from "../dist/src/sdk/index.js";
import { fuzzReconciler } from "../dist/src/sdk/fuzz/index.js";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const calls = Number(option("--calls", "300"));
const rounds = Number(option("--rounds", "20"));
const labName = option("--lab", undefined);
const command = `node bench/sdk.bench.mjs${args.length ? ` ${args.join(" ")}` : ""}`;
const progress = (line) => process.stderr.write(`[bench] ${line}\n`);
const emit = (name, value, unit, note = "") => process.stdout.write(`${JSON.stringify({ name, value, unit, command: `${command}${note ? ` (${note})` : ""}` })}\n`);
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
const silent = { info: () => {}, warn: () => {}, error: () => {} };

// Fuzz throughput needs no cluster.
{
  const result = await fuzzReconciler(distributionFuzzTarget(), { seed: 42, runs: 200, maxSteps: 10 });
  emit("sdk.fuzz.runs_per_second", Math.round((result.runs / result.durationMs) * 1000 * 10) / 10, "runs/s", "200 runs, seed 42, the demo's distribution reconciler in memory");
}

// The SDK's own cost per call, in process.
function perCallNs(body, iterations) {
  for (let i = 0; i < 1e4; i += 1) body(i);
  const start = performance.now();
  for (let i = 0; i < iterations; i += 1) body(i);
  return ((performance.now() - start) * 1e6) / iterations;
}
const inactive = new ChaosInjector();
const elsewhere = new ChaosInjector({ random: () => 0.5 });
elsewhere.configure({ active: true, faults: parseFaults({ deleteAllOf: { errorRate: 1 } }).faults });
const request = { method: "GET", path: "/api/v1/namespaces/bench/configmaps/target" };
let sink = 0;
const baselineNs = perCallNs((i) => { sink += i; }, 2e6);
const inactiveNs = Math.max(0, perCallNs((i) => { if (inactive.active) sink += inactive.decideRequest(request).delayMs; sink += i; }, 2e6) - baselineNs);
const elsewhereNs = Math.max(0, perCallNs((i) => { if (elsewhere.active) sink += elsewhere.decideRequest(request).delayMs; sink += i; }, 2e5) - baselineNs);
emit("sdk.overhead.no_fault", Math.round(inactiveNs * 10) / 10, "ns/call", "injector consulted, no fault active");
emit("sdk.overhead.fault_on_other_op", Math.round(elsewhereNs), "ns/call", "a fault active on another operation: the request is classified");

const ownLab = !labName;
const name = labName ?? `bench-sdk-${process.pid}`;
let state;
if (ownLab) {
  progress(`starting lab ${name}…`);
  state = await labUp({ name, progress });
} else {
  state = await readLabState(labDir(name));
  if (!state) throw new Error(`lab ${name} is not up`);
}
const namespace = `bench-sdk-${randomBytes(3).toString("hex")}`;
const endpoint = loadEndpoint(state.kubeconfig);
const plain = new KubeClient(endpoint, 10_000, new ApiHealth(silent));
try {
  await plain.request("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } } });
  const configMaps = `/api/v1/namespaces/${namespace}/configmaps`;
  await plain.request("POST", configMaps, { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "target" }, data: { a: "b" } } });

  // A real call, with and without the SDK in the client, interleaved so load drifts hit both alike.
  const clients = { plain, sdk: new KubeClient(endpoint, 10_000, new ApiHealth(silent), new ChaosInjector()) };
  const samples = { plain: [], sdk: [] };
  for (let i = 0; i < calls; i += 1) {
    for (const [key, client] of Object.entries(clients)) {
      const start = performance.now();
      await client.request("GET", `${configMaps}/target`);
      samples[key].push(performance.now() - start);
    }
  }
  const labCallMs = percentile(samples.plain, 50);
  emit("sdk.lab_call.p50", Math.round(labCallMs * 1000) / 1000, "ms", `GET of a ConfigMap, ${calls} calls, the demo operator's client without the SDK`);
  emit("sdk.lab_call_with_sdk.p50", Math.round(percentile(samples.sdk, 50) * 1000) / 1000, "ms", "the same client with the SDK's injector, no fault active");
  emit("sdk.overhead.no_fault_share", Math.round((inactiveNs / (labCallMs * 1e6)) * 100 * 10000) / 10000, "% of a lab call", "goal < 5%");
  emit("sdk.overhead.fault_on_other_op_share", Math.round((elsewhereNs / (labCallMs * 1e6)) * 100 * 10000) / 10000, "% of a lab call", "goal < 5%");

  // Activation and deactivation through a real watch.
  const injector = new ChaosInjector();
  const feed = new ChaosConfigFeed(injector, namespace);
  let waiter;
  const informer = new Informer(plain, silent, {
    name: "chaos-config", path: configMaps, fieldSelector: `metadata.name=${injector.configMapName}`, resyncMs: 60_000, backoff: { baseMs: 100, capMs: 2_000 },
  }, (event, object) => {
    const status = feed.apply(event === "DELETED" ? undefined : object);
    if (status && waiter && waiter.active === status.active) {
      waiter.resolve(performance.now());
      waiter = undefined;
    }
  });
  informer.start();
  await informer.synced;
  const until = (active) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${active ? "activation" : "deactivation"} within 10 s`)), 10_000);
    waiter = { active, resolve: (at) => { clearTimeout(timer); resolve(at); } };
  });
  const activation = [];
  const deactivation = [];
  for (let round = 0; round < rounds; round += 1) {
    const config = configTextFor(JSON.stringify({ update: { errorRate: (round % 9 + 1) / 10 } }));
    let done = until(true);
    let start = performance.now();
    await plain.request("POST", configMaps, { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: injector.configMapName }, data: { config } } });
    activation.push((await done) - start);
    done = until(false);
    start = performance.now();
    await plain.request("DELETE", `${configMaps}/${injector.configMapName}`);
    deactivation.push((await done) - start);
  }
  informer.stop();
  for (const [label, values] of [["activation", activation], ["deactivation", deactivation]]) {
    for (const p of [50, 95]) emit(`sdk.${label}.p${p}`, Math.round(percentile(values, p) * 10) / 10, "ms", `${rounds} rounds, ConfigMap write to injector applied, through a watch`);
  }
} finally {
  await plain.request("DELETE", `/api/v1/namespaces/${namespace}`).catch(() => {});
  if (ownLab) await labDown(name);
  process.stderr.write(`${sink === -1 ? "" : ""}`);
}
