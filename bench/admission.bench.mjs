#!/usr/bin/env node
// Benchmark of issue 13 (admission and capacity faults), on a lab of its own:
//   - webhook round-trip through the lab's API server: p50/p95 of a dry-run ConfigMap create
//     that our webhook server (a process-runner pod, no delay) admits, minus nothing (the full
//     request), and of the same create without a webhook (the baseline), N tries each;
//   - each experiment of experiments/llamastack/ for WebhookDisrupt, PDBBlock, QuotaExhaustion and
//     WebhookLatency against the demo operator as shipped: wall time (--hold 5s --stability-window 2s).
// Prints one JSON line per figure: {name, value, unit, command}. Build first (npx tsc -p tsconfig.json).
// Usage: node bench/admission.bench.mjs [--tries N]   (OPERATOR_CHAOS_BENCH_LAB=<name>: use that lab, leave it up)
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => join(root, "dist", p);
const { labUp } = await import(dist("src/lab/up.js"));
const { labDown } = await import(dist("src/lab/down.js"));
const { deployLlamastack } = await import(dist("examples/llamastack/deploy.js"));
const { KubeRest } = await import(dist("src/kube/rest.js"));
const { createServingCertificate, serviceDnsNames } = await import(dist("src/faults/webhook-server/certificates.js"));
const { applyWebhookServer, removeWebhookServer, untilAdmission } = await import(dist("src/faults/webhook-server/deploy.js"));
const { webhookServerManifests } = await import(dist("src/faults/webhook-server/manifests.js"));
const { KubeConfig } = await import("@kubernetes/client-node");

const index = process.argv.indexOf("--tries");
const tries = index === -1 ? 30 : Number(process.argv[index + 1]);
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
const emit = (name, value, unit, command) => process.stdout.write(`${JSON.stringify({ name, value, unit, command })}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const EXPERIMENTS = [["webhook_disrupt", "webhook-disrupt"], ["pdb_block", "pdb-block"], ["quota_exhaustion", "quota-exhaustion"], ["webhook_latency", "webhook-latency"]];

const reused = process.env.OPERATOR_CHAOS_BENCH_LAB;
const labName = reused || `bench-admission-${process.pid}`;
const lab = await labUp({ name: labName });
try {
  const config = new KubeConfig();
  config.loadFromFile(lab.kubeconfig);
  const rest = new KubeRest(config);
  const ns = `bench-admission-${process.pid}`;
  await rest.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const manifests = webhookServerManifests({
    name: "bench-hook", namespace: ns, labels: { "app.kubernetes.io/part-of": "bench" }, certificate: createServingCertificate(serviceDnsNames("bench-hook", ns)),
    delayMs: 0, mode: "allow", failurePolicy: "Fail", timeoutSeconds: 10, onProcessNode: true,
    rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"] }],
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } }, objectSelector: { matchLabels: { bench: "hooked" } },
  });
  await applyWebhookServer(rest, manifests, { timeoutMs: 120_000 });
  const create = async (label) => {
    const t0 = performance.now();
    await rest.create(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "b-", labels: { bench: label } } }, { query: { dryRun: "All" } });
    return performance.now() - t0;
  };
  // The API server picks a new webhook configuration up within about a second; a labelled create
  // that is refused by a deny-mode twin would prove it, so wait that long and drop warm-up samples.
  await untilAdmission("the bench webhook", async () => ((await create("hooked")) >= 0 ? true : undefined), { timeoutMs: 30_000 });
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  for (let i = 0; i < 3; i += 1) await create("hooked");
  const hooked = [];
  const plain = [];
  for (let i = 0; i < tries; i += 1) {
    hooked.push(await create("hooked"));
    plain.push(await create("plain"));
  }
  const command = `node bench/admission.bench.mjs --tries ${tries} (dry-run ConfigMap create through the lab's API server; webhook: assets/webhook-server.mjs as a process-runner pod)`;
  for (const p of [50, 95]) {
    emit(`webhook.round_trip.p${p}`, Math.round(percentile(hooked, p)), "ms", command);
    emit(`webhook.no_webhook_baseline.p${p}`, Math.round(percentile(plain, p)), "ms", command);
  }
  await removeWebhookServer(rest, manifests);
  await rest.delete(`/api/v1/namespaces/${ns}`).catch(() => {});

  await deployLlamastack(lab.kubeconfig);
  for (const [figure, file] of EXPERIMENTS) {
    const t0 = Date.now();
    const result = spawnSync(process.execPath, [dist("src/cli/main.js"), "run", join(root, "experiments", "llamastack", `${file}.yaml`), "-o", "json", "--hold", "5s", "--stability-window", "2s"], {
      env: { ...process.env, KUBECONFIG: lab.kubeconfig }, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"],
    });
    const wall = Date.now() - t0;
    const report = JSON.parse(result.stdout || "{}");
    log(`${file}: ${report.evaluation?.verdict} in ${(wall / 1000).toFixed(1)} s`);
    if (report.evaluation?.verdict !== "Resilient") throw new Error(`${file} was ${report.evaluation?.verdict}: ${report.evaluation?.reasons?.join("; ")}`);
    emit(`${figure}.wall_time`, Math.round(wall / 100) / 10, "s", `node bench/admission.bench.mjs (experiments/llamastack/${file}.yaml, --hold 5s --stability-window 2s, demo operator as shipped)`);
  }
} finally {
  if (!reused) await labDown(labName);
}
