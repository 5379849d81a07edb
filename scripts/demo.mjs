#!/usr/bin/env node
// `npm run demo`: the README's first command. On a fresh machine it installs what is missing and
// compiles, starts a local lab named "demo" (building the control plane the first time), deploys
// the demo llamastack operator (examples/llamastack), runs the four seed experiments in
// experiments/llamastack/ against it, prints the verdict table and writes the reports to
// demo-output/. The lab stays up so you can look at it; the last lines say how, and how to clean up.
//
//   npm run demo                          the operator as shipped (every experiment should say Resilient)
//   npm run demo -- --break pod-kill      the operator with the switch that breaks what pod-kill tests,
//                                          and only that experiment (it should not say Resilient)
//   npm run demo -- --suite               generate the llamastack-demo profile's catalog (templates/ ×
//                                          profiles/llamastack-demo) and run it as one suite, --parallel 2
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureSetup } from "./setup.mjs";
import { keepSeedFaultTypes } from "./seed-catalog.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LAB = "demo";
const OUTPUT = "demo-output";
const CLI = join(root, "dist", "src", "cli", "main.js");
// Short windows keep the demo to about a minute of experiments: each sustained fault is held 10 s,
// and a run ends once the steady state has held again for 3 s (never later than the seed's recoveryTimeout).
const RUN_FLAGS = ["--hold", "10s", "--stability-window", "3s"];

const EXPERIMENTS = [
  { name: "config-drift", fault: "ConfigDrift", does: "overwrites config.yaml in ConfigMap llamastack-serving-config with a broken value; the operator should put its own back" },
  { name: "network-partition", fault: "NetworkPartition", does: "cuts the operator's pod off the network (deny-all NetworkPolicy) for 10 s; it should carry on after, without a restart" },
  { name: "pod-kill", fault: "PodKill", does: "kills the operator's pod; the replacement should take over the leader Lease and be ready" },
  { name: "rbac-revoke", fault: "RBACRevoke", does: "empties ClusterRoleBinding llamastack-controller-manager-rolebinding for 10 s (real 403s); it should resume after, without a restart" },
];

// Run by `--all` (and each by `--break <name>`), after the seeds: the other faults of experiments/llamastack/.
const MORE_EXPERIMENTS = [
  { name: "deployment-scale-zero", fault: "DeploymentScaleZero", does: "scales the Deployment of LlamaStackDistribution llamastack-sample to 0; the operator should restore its replicas" },
  { name: "crash-loop-inject", fault: "CrashLoopInject", does: "replaces the server container's command with a missing binary; the operator should put its command back" },
  { name: "image-corrupt", fault: "ImageCorrupt", does: "sets the server container's image to an unpullable one; the operator should put its image back" },
  { name: "leader-election-disrupt", fault: "LeaderElectionDisrupt", does: "deletes the operator's leader-election Lease; the leader should take it again" },
  { name: "namespace-deletion", fault: "NamespaceDeletion", does: "deletes the workspace namespace llamastack-models; the operator should recreate it and its model catalog" },
  { name: "webhook-disrupt", fault: "WebhookDisrupt", does: "sets failurePolicy Ignore on the operator's ValidatingWebhookConfiguration; the operator should put Fail back" },
  { name: "pdb-block", fault: "PDBBlock", does: "holds a maxUnavailable 0 PodDisruptionBudget over the operator's pod and asks to evict it; the eviction is refused and it keeps running" },
  { name: "quota-exhaustion", fault: "QuotaExhaustion", does: "holds a ResourceQuota leaving no room for pods, Services or ConfigMaps in opendatahub; the operator keeps running" },
  { name: "webhook-latency", fault: "WebhookLatency", does: "adds 1 s to every Lease write in opendatahub (our latency webhook, timed before observing); the operator keeps leading" },
  { name: "label-stomping", fault: "LabelStomping", does: "overwrites the instance label of Deployment llamastack-sample; the operator should put its label back" },
  { name: "owner-ref-orphan", fault: "OwnerRefOrphan", does: "removes the owner reference of Deployment llamastack-sample; the operator should adopt it again" },
  { name: "resource-deletion", fault: "ResourceDeletion", does: "deletes Service llamastack-sample-service; the operator should recreate it" },
  { name: "secret-deletion", fault: "SecretDeletion", does: "deletes the API-key Secret llamastack-sample-api-key; the operator should recreate it (with the same key)" },
  { name: "crd-mutation", fault: "CRDMutation", does: "sets spec.revisionHistoryLimit of Deployment llamastack-sample to 0; the operator should put its rollout settings back" },
  { name: "finalizer-block", fault: "FinalizerBlock", does: "deletes Deployment llamastack-sample while a stuck finalizer holds it; the operator should recreate it once it is gone" },
  { name: "client-fault", fault: "ClientFault", does: "makes half of the operator's own updates 409 Conflict and a fifth of its reads 429 (the SDK's ConfigMap); it should retry" },
];
const ALL_EXPERIMENTS = [...EXPERIMENTS, ...MORE_EXPERIMENTS];

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const say = (line = "") => process.stdout.write(`${line}\n`);
let stepNumber = 0;
const step = (title) => say(`\n[${++stepNumber}] ${title}   (${elapsed()} so far)`);

function parseArguments(argv) {
  const all = argv.includes("--all");
  const suite = argv.includes("--suite");
  const index = argv.indexOf("--break");
  if (index < 0) return { broken: undefined, all, suite };
  const name = argv[index + 1];
  if (!ALL_EXPERIMENTS.some((experiment) => experiment.name === name)) {
    throw new Error(`--break takes one of ${ALL_EXPERIMENTS.map((e) => e.name).join(", ")}${name ? `, not "${name}"` : ""}`);
  }
  return { broken: name, all, suite };
}

/** Runs the built CLI; its progress lines (stderr) are shown indented as they come. */
function runCli(args, kubeconfig, { echo = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root, env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      partial += chunk;
      const lines = partial.split("\n");
      partial = lines.pop();
      if (echo) for (const line of lines) if (line && !line.startsWith("report: ")) say(`      ${line}`);
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function runExperiment(experiment, kubeconfig) {
  const file = join("experiments", "llamastack", `${experiment.name}.yaml`);
  say(`\n  ${experiment.fault}: ${experiment.does}`);
  say(`    $ operator-chaos run ${file} --report-dir ${OUTPUT} ${RUN_FLAGS.join(" ")}`);
  const result = await runCli(["run", file, "--report-dir", OUTPUT, ...RUN_FLAGS], kubeconfig);
  if (result.code === 2) throw new Error(`operator-chaos run ${file} refused its arguments:\n${result.stderr}`);
  // "report: <file>.json (HTML: <file>.html)"
  const reported = /^report: (.+?\.json)(?: \(HTML: .*\))?$/m.exec(result.stderr)?.[1];
  const reportPath = reported && resolve(root, reported);
  if (/can be validated but not run yet/.test(result.stdout)) {
    // Not a result: keep it out of demo-output so the aggregate shows only real runs.
    if (reportPath) for (const suffix of [".json", ".junit.xml", ".md", ".html"]) rmSync(reportPath.replace(/\.json$/, suffix), { force: true });
    say(`    → ${experiment.fault} cannot be run by this version of operator-chaos yet`);
    return { experiment, runnable: false };
  }
  if (!reportPath) throw new Error(`operator-chaos run ${file} wrote no report:\n${result.stdout}${result.stderr}`);
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  const { runSummaryLine } = await import(join(root, "dist", "src", "report", "summary.js"));
  say(`    → ${runSummaryLine(report)}`);
  for (const reason of report.evaluation.reasons ?? []) say(`      ${reason}`);
  return { experiment, runnable: true, report };
}

async function verdictTable(results) {
  const { summaryRow, countVerdicts, countsLine } = await import(join(root, "dist", "src", "report", "summary.js"));
  const rows = results.map((result) => (result.runnable
    ? summaryRow(result.report)
    : { experiment: `llamastack-${result.experiment.name}`, fault: result.experiment.fault, verdict: "not runnable yet", recovery: "-", deviations: "-" }));
  const headers = { experiment: "EXPERIMENT", fault: "FAULT", verdict: "VERDICT", recovery: "RECOVERY", deviations: "DEVIATIONS" };
  const columns = Object.keys(headers);
  const widths = columns.map((column) => Math.max(headers[column].length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) => cells.map((cell, index) => (index === cells.length - 1 ? cell : String(cell).padEnd(widths[index]))).join("  ").trimEnd();
  const reports = results.filter((result) => result.runnable).map((result) => result.report);
  const skipped = results.length - reports.length;
  return [
    line(columns.map((column) => headers[column])),
    ...rows.map((row) => line(columns.map((column) => row[column]))),
    "",
    countsLine(countVerdicts(reports)) + (skipped > 0 ? `; ${skipped} not runnable yet` : ""),
  ];
}

/** `--suite`: the demo platform end to end — generate the catalog, then one suite with --parallel 2. */
async function runSuiteDemo(kubeconfig) {
  const catalog = join(OUTPUT, "catalog");
  const reports = join(OUTPUT, "suite");
  rmSync(join(root, OUTPUT), { recursive: true, force: true });
  step(`Generating the catalog: templates/ × profiles/llamastack-demo → ${catalog}/`);
  say(`    $ operator-chaos generate experiments --profile llamastack-demo -o ${catalog}`);
  const generated = await runCli(["generate", "experiments", "--profile", "llamastack-demo", "-o", catalog], kubeconfig);
  if (generated.code !== 0) throw new Error(`generate failed:\n${generated.stderr}`);
  keepSeedFaultTypes(join(root, catalog));
  step("Running the catalog as one suite (two at a time; experiments on the same operator wait for each other)");
  const args = ["suite", catalog, "--recursive", "--profile", "llamastack-demo", "--parallel", "2", ...RUN_FLAGS, "--report-dir", reports];
  say(`    $ operator-chaos ${args.join(" ")}`);
  const result = await runCli(args, kubeconfig);
  if (result.code === 2) throw new Error(`operator-chaos suite refused its arguments:\n${result.stderr}`);
  step("Suite results");
  for (const line of result.stdout.split("\n")) say(`  ${line}`);
  say(`  Reports: ${reports}/suite-results.xml (JUnit), suite-results.json, suite-results.md, report.html`);
  say(`  The lab stays up: eval "$(npx operator-chaos lab env --name ${LAB})"; end it with npx operator-chaos lab down --name ${LAB}`);
  if (result.code !== 0) process.exitCode = 1;
}

async function main() {
  const { broken, all, suite } = parseArguments(process.argv.slice(2));
  say(broken
    ? `operator-chaos demo: the llamastack operator with the behaviour "${broken}" tests switched off, and that one experiment.`
    : "operator-chaos demo: four seed experiments against a demo llamastack operator in a local Kubernetes lab.");

  step("Setting up: npm packages, Debian packages the lab needs, TypeScript build");
  ensureSetup();

  const { SWITCH_FOR_EXPERIMENT } = await import(join(root, "dist", "examples", "llamastack", "switches.js"));
  if (broken && !SWITCH_FOR_EXPERIMENT[broken]) {
    throw new Error(`--break ${broken}: the demo has no break switch it can show with this experiment alone ` +
      `(switches: ${Object.keys(SWITCH_FOR_EXPERIMENT).join(", ")}); see the README's break-switch table`);
  }

  step(`Starting the local lab "${LAB}" (etcd, kube-apiserver, controller-manager, scheduler, KWOK, process runner)`);
  say("    The first start builds the control plane from Go modules (a few minutes, cached after that).");
  const { labUp } = await import(join(root, "dist", "src", "lab", "up.js"));
  const lab = await labUp({ name: LAB, progress: (line) => say(`    ${line}`) });
  say(`    lab "${LAB}" is Ready at ${lab.server}`);

  const { currentOperatorPod, deployLlamastack, LLAMASTACK } = await import(join(root, "dist", "examples", "llamastack", "deploy.js"));
  const switches = broken ? { [SWITCH_FOR_EXPERIMENT[broken]]: "true" } : {};
  step(`Deploying the demo llamastack operator (examples/llamastack/deploy/*.yaml) into namespace ${LLAMASTACK.namespace}`);
  say("    Deployment llamastack-controller-manager runs as a real process on the lab's process node; it elects a leader on a Lease,");
  say("    owns ConfigMap llamastack-serving-config and turns LlamaStackDistribution objects into a Deployment and a Service.");
  await deployLlamastack(lab.kubeconfig, { switches, progress: (line) => say(`    ${line}`) });

  if (suite && !broken) return runSuiteDemo(lab.kubeconfig);

  const chosen = broken ? ALL_EXPERIMENTS.filter((experiment) => experiment.name === broken) : all ? ALL_EXPERIMENTS : EXPERIMENTS;
  step(`Running ${chosen.length === 1 ? "the experiment" : `the ${chosen.length} experiments`} of experiments/llamastack/ (reports go to ${OUTPUT}/)`);
  rmSync(join(root, OUTPUT), { recursive: true, force: true });
  mkdirSync(join(root, OUTPUT), { recursive: true });
  const results = [];
  for (const experiment of chosen) results.push(await runExperiment(experiment, lab.kubeconfig));

  step("Verdicts");
  for (const line of await verdictTable(results)) say(`    ${line}`);

  const reports = results.filter((result) => result.runnable);
  if (reports.length > 0) {
    step(`Writing the aggregate reports into ${OUTPUT}/`);
    await runCli(["report", OUTPUT, "--format", "markdown", "--output", join(OUTPUT, "summary.md")], lab.kubeconfig, { echo: false });
    await runCli(["report", OUTPUT, "--format", "junit"], lab.kubeconfig, { echo: false });
    await runCli(["report", OUTPUT, "--format", "json"], lab.kubeconfig, { echo: false });
    // The failure-modes page of the operator, generated from the same experiment files.
    await runCli(["docs", "experiments/llamastack", "-o", "markdown", "--out", join(OUTPUT, "llamastack-failure-modes.md")], lab.kubeconfig, { echo: false });
    say(`    failure-modes page: ${OUTPUT}/llamastack-failure-modes.md (operator-chaos docs experiments/llamastack)`);
    say(`    per experiment: <experiment>-<time>.json, .junit.xml, .md and .html; all together: summary.md, report.xml (JUnit), report.json`);
    say(`    e.g. ${relative(root, join(root, OUTPUT, "summary.md"))}`);
  }

  const labFlag = `--name ${LAB}`;
  // PodKill replaced the pod; a broken operator may have none Ready.
  const pod = await currentOperatorPod(lab.kubeconfig, 5_000).catch(() => "<pod>");
  say(`\nDone in ${elapsed()}. The lab is still up:`);
  say(`  Look at the cluster:   eval "$(node dist/src/cli/main.js lab env ${labFlag})"   # sets KUBECONFIG, then e.g.`);
  say(`                         kubectl get llamastackdistributions,deployments,pods,leases -n ${LLAMASTACK.namespace}`);
  say(`  The operator's log:    node dist/src/cli/main.js lab logs ${pod} -n ${LLAMASTACK.namespace} ${labFlag}`);
  say(`  The dashboard:         node dist/src/cli/main.js dashboard --reports ${OUTPUT} --db ${OUTPUT}/dashboard.db --kubeconfig ${lab.kubeconfig}`);
  say("                         then open http://127.0.0.1:8080/ (runs started meanwhile show on its Live page)");
  if (!broken) say("  See a broken operator: npm run demo -- --break pod-kill   (or config-drift, network-partition, rbac-revoke; --all runs all 20 types)");
  say(`  Clean up:              node dist/src/cli/main.js lab down ${labFlag} && rm -rf ${OUTPUT}`);

  // As shipped the operator is resilient: anything else means the demo did not show what it should.
  const expected = broken ? (report) => report.evaluation.verdict !== "Resilient" : (report) => report.evaluation.verdict === "Resilient";
  const surprising = reports.filter((result) => !expected(result.report));
  if (surprising.length > 0) {
    say(`\nUnexpected: ${surprising.map((result) => `${result.report.experiment} is ${result.report.evaluation.verdict}`).join(", ")} ` +
      `(the operator ${broken ? "is broken and should not be Resilient" : "as shipped should be Resilient"}); see ${OUTPUT}/.`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`\ndemo failed: ${error.message}\n`);
  process.exitCode = 1;
});
