#!/usr/bin/env node
// Benchmarks of issue 12 (verdicts that need evidence), on a lab of their own with the demo operator:
//   the reconcile probe's round trip (change → the operator's repair seen by our watch), p50/p95
//   over N probes (the demo model's probe: the serving ConfigMap deleted, recreated by the operator);
//   the seed suite's wall time (the four experiments/llamastack/*.yaml, one after the other) with
//   --hold 10s, and — opt-in, OPERATOR_CHAOS_BENCH_LONG=1, it takes ~6 and ~10 minutes — with the
//   default flags and with --go-timing.
// Prints one JSON line per figure: {name, value, unit, command}.
// Usage: node bench/evidence.bench.mjs [--runs N]
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => join(root, "dist", p);
const { labUp } = await import(dist("src/lab/up.js"));
const { labDown } = await import(dist("src/lab/down.js"));
const { clusterAccess } = await import(dist("src/engine/context.js"));
const { Journal, newRunId } = await import(dist("src/journal/journal.js"));
const { TimelineRecorder } = await import(dist("src/observe/timeline.js"));
const { ReconcileProbe } = await import(dist("src/probe/runner.js"));
const { probeFromKnowledge } = await import(dist("src/probe/probe.js"));
const { deployLlamastack } = await import(dist("examples/llamastack/deploy.js"));
const { KubeConfig } = await import("@kubernetes/client-node");
const { parse } = await import("yaml");
const { readFileSync } = await import("node:fs");

const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const runs = option("--runs", 10);
const long = process.env.OPERATOR_CHAOS_BENCH_LONG === "1";
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const emit = (name, value, unit, command) => process.stdout.write(`${JSON.stringify({ name, value, unit, command })}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);

const name = `bench-evidence-${process.pid}`;
const lab = await labUp({ name });
try {
  await deployLlamastack(lab.kubeconfig);
  const config = new KubeConfig();
  config.loadFromFile(lab.kubeconfig);
  const access = clusterAccess(config);
  const model = parse(readFileSync(join(root, "profiles", "llamastack-demo", "knowledge", "llamastack.yaml"), "utf8"));
  const component = model.components[0];
  const spec = probeFromKnowledge(component.managedResources, { component: component.name });
  const roundTrips = [];
  for (let i = 0; i < runs; i += 1) {
    const controller = new AbortController();
    const recorder = new TimelineRecorder(() => Date.now());
    const journal = new Journal(access.rest, "opendatahub", { runId: `${newRunId()}-bench`, experiment: "probe-bench", operator: "llamastack" });
    const probe = new ReconcileProbe(access, journal, recorder, spec, controller.signal);
    await probe.start();
    await probe.send("recovery");
    const repaired = await probe.waitRepaired(Date.now() + 30_000, controller.signal);
    await probe.close();
    if (!repaired) throw new Error("the demo operator did not repair the probe within 30 s");
    const event = recorder.events().find((e) => e.type === "probeRepaired");
    controller.abort();
    roundTrips.push(event.roundTripMs);
    log(`probe ${i + 1}/${runs}: ${event.roundTripMs} ms`);
  }
  const probeCommand = `node bench/evidence.bench.mjs --runs ${runs} (${spec.object.kind}/${spec.object.name} ${spec.change.kind}, demo operator as shipped)`;
  emit("probe.round_trip.p50", percentile(roundTrips, 50), "ms", probeCommand);
  emit("probe.round_trip.p95", percentile(roundTrips, 95), "ms", probeCommand);

  const seeds = ["config-drift", "network-partition", "pod-kill", "rbac-revoke"].map((seed) => join(root, "experiments", "llamastack", `${seed}.yaml`));
  const suite = (flags, label) => {
    const t0 = Date.now();
    for (const file of seeds) {
      const result = spawnSync(process.execPath, [dist("src/cli/main.js"), "run", file, "-o", "json", ...flags], {
        env: { ...process.env, KUBECONFIG: lab.kubeconfig }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"],
      });
      const verdict = JSON.parse(result.stdout || "{}").evaluation?.verdict;
      log(`${label}: ${file.split("/").at(-1)} ${verdict} (${Math.round((Date.now() - t0) / 1000)} s so far)`);
    }
    return Math.round((Date.now() - t0) / 100) / 10;
  };
  emit("seed_suite.wall_time.hold_10s", suite(["--hold", "10s"], "--hold 10s"), "s", "node bench/evidence.bench.mjs: the 4 seed experiments with --hold 10s");
  if (long) {
    emit("seed_suite.wall_time.default", suite([], "default"), "s", "OPERATOR_CHAOS_BENCH_LONG=1 node bench/evidence.bench.mjs: the 4 seeds, default flags");
    emit("seed_suite.wall_time.go_timing", suite(["--go-timing"], "--go-timing"), "s", "OPERATOR_CHAOS_BENCH_LONG=1 node bench/evidence.bench.mjs: the 4 seeds with --go-timing");
  } else {
    log("seed suite with default flags and with --go-timing skipped (set OPERATOR_CHAOS_BENCH_LONG=1; ~16 minutes)");
  }
} finally {
  await labDown(name);
}
