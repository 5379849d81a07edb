#!/usr/bin/env node
// Benchmarks of generate and suite:
//   generate: time to plan and write the largest profile at hand (the Go tool's cert-manager profile
//   when the corpus is beside the repository, and a synthetic 200-component profile × our templates);
//   suite: wall time of the demo catalog (generate --profile llamastack-demo) sequential, --parallel 2
//   and --parallel 4 on a lab of its own, and the API requests per experiment (the reports' apiRequests).
// Prints one JSON line per figure: {name, value, unit, command}.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { keepSeedFaultTypes } from "../scripts/seed-catalog.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => join(root, "dist", p);
const cli = dist("src/cli/main.js");
const emit = (name, value, unit, command) => process.stdout.write(`${JSON.stringify({ name, value, unit, command })}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const scratch = mkdtempSync(join(tmpdir(), "oc-suite-bench-"));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timeGenerate(args, cwd, runs = 5) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const out = join(scratch, `gen-${i}`);
    const t0 = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [cli, "generate", "experiments", ...args, "-o", out], { cwd, encoding: "utf8" });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (result.status !== 0) throw new Error(`generate failed: ${result.stderr}`);
    rmSync(out, { recursive: true, force: true });
  }
  return Math.round(median(times) * 10) / 10;
}

// A synthetic profile: 200 components with every field, so every template applies.
const big = join(scratch, "profiles", "big");
mkdirSync(big, { recursive: true });
const components = Array.from({ length: 200 }, (_, i) => `  c${String(i).padStart(3, "0")}:\n    namespace: ns-${i}\n    deployment: d-${i}\n    label_selector: app=d-${i}\n    cluster_role_binding: crb-${i}\n    config_map_name: cm-${i}\n    config_map_key: k\n    lease_name: l-${i}\n`).join("");
writeFileSync(join(big, "profile.yaml"), `name: big\nplatform: kubernetes\ncomponents:\n${components}`);
emit("generate.synthetic_200_components.median", timeGenerate(["--profile", big, "--templates", join(root, "templates")], root), "ms", "operator-chaos generate experiments --profile <200 components> --templates templates (CLI, end to end, median of 5)");
const corpus = process.env.OPERATOR_CHAOS_CORPUS ?? join(root, "..", "shared", "corpus");
if (existsSync(join(corpus, "profiles", "cert-manager"))) {
  emit("generate.cert_manager.median", timeGenerate(["--profile", "cert-manager"], corpus), "ms", "operator-chaos generate experiments --profile cert-manager (the Go tool's profile and templates, CLI, median of 5)");
}

// Suite wall time on a lab of its own.
const { labUp } = await import(dist("src/lab/up.js"));
const { labDown } = await import(dist("src/lab/down.js"));
const { deployLlamastack } = await import(dist("examples/llamastack/deploy.js"));
const name = `bench-suite-${process.pid}`;
const lab = await labUp({ name });
try {
  await deployLlamastack(lab.kubeconfig);
  const catalog = join(scratch, "catalog");
  const generated = spawnSync(process.execPath, [cli, "generate", "experiments", "--profile", "llamastack-demo", "-o", catalog], { cwd: root, encoding: "utf8" });
  if (generated.status !== 0) throw new Error(generated.stderr);
  keepSeedFaultTypes(catalog);
  const requests = [];
  for (const parallel of [1, 2, 4]) {
    const reportDir = join(scratch, `suite-${parallel}`);
    const t0 = Date.now();
    const result = spawnSync(process.execPath, [cli, "suite", catalog, "--recursive", "--profile", "llamastack-demo", "--parallel", String(parallel), "--hold", "3s", "--stability-window", "2s", "--report-dir", reportDir], {
      cwd: root, encoding: "utf8", env: { ...process.env, KUBECONFIG: lab.kubeconfig },
    });
    const seconds = (Date.now() - t0) / 1000;
    if (![0, 1].includes(result.status)) throw new Error(`suite failed (${result.status}): ${result.stderr}`);
    log(`--parallel ${parallel}: ${seconds} s; ${result.stdout.trim().split("\n").at(-1)}`);
    emit(`suite.demo_catalog.parallel_${parallel}.wall_time`, Math.round(seconds * 10) / 10, "s", `operator-chaos suite <demo catalog, 5 experiments> --parallel ${parallel} --hold 3s --stability-window 2s --profile llamastack-demo`);
    const suite = JSON.parse(readFileSync(join(reportDir, "suite-results.json"), "utf8"));
    for (const report of suite.reports) if (typeof report.apiRequests === "number") requests.push(report.apiRequests);
  }
  if (requests.length > 0) emit("suite.api_requests_per_experiment.median", median(requests), "requests", "apiRequests of each experiment report of the three demo suite runs (counted by the CLI's client)");
} finally {
  await labDown(name);
  rmSync(scratch, { recursive: true, force: true });
}
