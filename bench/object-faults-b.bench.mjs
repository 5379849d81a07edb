#!/usr/bin/env node
// Benchmark of issue 20 (h20b's five object faults), on a lab of its own with the demo operator as
// shipped: for each of DeploymentScaleZero, CrashLoopInject, ImageCorrupt, LeaderElectionDisrupt
// and NamespaceDeletion, the experiment of experiments/llamastack/ run N times (--stability-window
// 2s): p50 of the wall time and of the API requests the CLI sent (report.apiRequests).
// Prints one JSON line per figure: {name, value, unit, command}.
// Usage: node bench/object-faults-b.bench.mjs [--runs N]   (OPERATOR_CHAOS_BENCH_LAB=<name>: use that lab, leave it up)
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => join(root, "dist", p);
const { labUp } = await import(dist("src/lab/up.js"));
const { labDown } = await import(dist("src/lab/down.js"));
const { deployLlamastack } = await import(dist("examples/llamastack/deploy.js"));

const index = process.argv.indexOf("--runs");
const runs = index === -1 ? 5 : Number(process.argv[index + 1]);
const p50 = (values) => [...values].sort((a, b) => a - b)[Math.ceil(values.length / 2) - 1];
const emit = (name, value, unit, command) => process.stdout.write(`${JSON.stringify({ name, value, unit, command })}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const EXPERIMENTS = [
  ["deployment_scale_zero", "deployment-scale-zero"],
  ["crash_loop_inject", "crash-loop-inject"],
  ["image_corrupt", "image-corrupt"],
  ["leader_election_disrupt", "leader-election-disrupt"],
  ["namespace_deletion", "namespace-deletion"],
];

// OPERATOR_CHAOS_BENCH_LAB=<name> reuses a lab that is up (and leaves it up).
const reused = process.env.OPERATOR_CHAOS_BENCH_LAB;
const name = reused || `bench-objb-${process.pid}`;
const lab = await labUp({ name });
try {
  await deployLlamastack(lab.kubeconfig);
  for (const [figure, file] of EXPERIMENTS) {
    const walls = [];
    const requests = [];
    for (let run = 1; run <= runs; run += 1) {
      const t0 = Date.now();
      const result = spawnSync(process.execPath, [dist("src/cli/main.js"), "run", join(root, "experiments", "llamastack", `${file}.yaml`), "-o", "json", "--stability-window", "2s"], {
        env: { ...process.env, KUBECONFIG: lab.kubeconfig }, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"],
      });
      const wall = Date.now() - t0;
      const report = JSON.parse(result.stdout || "{}");
      log(`${file} run ${run}: ${report.evaluation?.verdict} in ${(wall / 1000).toFixed(1)} s, ${report.apiRequests} API requests`);
      if (report.evaluation?.verdict !== "Resilient") throw new Error(`${file} was ${report.evaluation?.verdict}: ${report.evaluation?.reasons?.join("; ")}`);
      walls.push(wall);
      requests.push(report.apiRequests);
    }
    const command = `node bench/object-faults-b.bench.mjs --runs ${runs} (experiments/llamastack/${file}.yaml, --stability-window 2s, demo operator as shipped)`;
    emit(`${figure}.wall_time.p50`, Math.round(p50(walls) / 100) / 10, "s", command);
    emit(`${figure}.api_requests.p50`, p50(requests), "requests", command);
  }
} finally {
  if (!reused) await labDown(name);
}
