import type { Command } from "commander";

interface SimulateFlags {
  source: string;
  target: string;
  component?: string;
  dryRun?: boolean;
  knowledgeDir?: string;
  reportDir?: string;
  timeout: string;
  kubeconfig?: string;
  context?: string;
  lockNamespace?: string;
}

/** `operator-chaos simulate-upgrade --source DIR --target DIR`: experiments from the diff, printed or run as a suite. */
export function registerSimulateUpgradeCommand(program: Command): void {
  program.command("simulate-upgrade")
    .description("generate the experiments that simulate an upgrade's changes (renamed components, namespace moves, webhooks, new dependencies) and run them on the cluster, or print them with --dry-run")
    .requiredOption("--source <dir>", "knowledge models of the version upgraded from")
    .requiredOption("--target <dir>", "knowledge models of the version upgraded to")
    .option("--component <name>", "only the experiments of this component")
    .option("--dry-run", "print the experiments as YAML; contact no cluster")
    .option("--knowledge-dir <dir>", "knowledge models the runs use (default: --target)")
    .option("--report-dir <dir>", "reports, JUnit, and the generated experiments under experiments/")
    .option("--timeout <duration>", "deadline per experiment", "10m")
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("--lock-namespace <namespace>", "namespace of the per-operator lock Leases")
    .action(async (flags: SimulateFlags) => {
      process.exitCode = await simulateCommand(flags);
    });
}

async function simulateCommand(flags: SimulateFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const { Duration } = await import("../experiment/duration.js");
  const timeout = Duration.tryParse(flags.timeout);
  if (!timeout.ok) {
    err(`Error: --timeout: ${timeout.error} (expected a duration such as 30s or 10m)`);
    return 2;
  }
  const { loadKnowledgeVersion, UpgradeInputError } = await import("../upgrade/sources.js");
  let source, target, runKnowledge;
  try {
    source = await loadKnowledgeVersion("--source", flags.source);
    target = await loadKnowledgeVersion("--target", flags.target);
    runKnowledge = flags.knowledgeDir ? await loadKnowledgeVersion("--knowledge-dir", flags.knowledgeDir) : target;
  } catch (error) {
    if (error instanceof UpgradeInputError) {
      err(`Error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const { diffKnowledge } = await import("../upgrade/knowledge-diff.js");
  const { generateUpgradeExperiments } = await import("../upgrade/simulate.js");
  const diff = diffKnowledge(source.models, target.models);
  const experiments = generateUpgradeExperiments(diff, source.models, target.models).filter((experiment) => !flags.component || experiment.spec.target.component === flags.component);
  err(`Generated ${experiments.length} upgrade simulation experiments (${diff.summary.breakingChanges} breaking changes) for v${diff.sourceVersion || "?"} → v${diff.targetVersion || "?"}`);
  const { stringify } = await import("yaml");
  if (flags.dryRun) {
    process.stdout.write(experiments.map((experiment) => stringify(experiment)).join("---\n"));
    return 0;
  }
  if (experiments.length === 0) return 0;

  // The runs go through the suite (one engine): reports, JUnit, journal and Ctrl-C handling come with it.
  const { mkdirSync, mkdtempSync, writeFileSync } = await import("node:fs");
  const path = await import("node:path");
  const { tmpdir } = await import("node:os");
  const folder = flags.reportDir ? path.join(flags.reportDir, "experiments") : mkdtempSync(path.join(tmpdir(), "operator-chaos-simulate-"));
  mkdirSync(folder, { recursive: true });
  const files = experiments.map((experiment) => {
    const file = path.join(folder, `${experiment.metadata.name}.yaml`);
    writeFileSync(file, stringify(experiment));
    return file;
  });
  err(`experiments written to ${folder}`);
  const { loadKubeConfig } = await import("../kube/client.js");
  const { runSuite } = await import("../suite/run-suite.js");
  const kubeconfig = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    err(`received ${signal}: reverting the running experiment and writing the reports…`);
    controller.abort(new Error(`received ${signal}`));
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  const outcome = await runSuite({
    files,
    suiteName: `upgrade-${diff.sourceVersion || "source"}-to-${diff.targetVersion || "target"}`,
    knowledge: runKnowledge.models,
    kubeconfig,
    timeoutMs: timeout.value.milliseconds,
    ...(flags.reportDir ? { reportDir: flags.reportDir } : {}),
    ...(flags.lockNamespace ? { lockNamespace: flags.lockNamespace } : {}),
    signal: controller.signal,
    progress: err,
  });
  process.removeListener("SIGINT", interrupt);
  process.removeListener("SIGTERM", interrupt);
  for (const entry of outcome.entries) process.stdout.write(`${entry.line}\n`);
  process.stdout.write(`\n${outcome.summary}\n`);
  for (const file of outcome.reportFiles) err(`report written to ${file}`);
  if (outcome.interrupted) return 130;
  return outcome.failed > 0 ? 1 : 0;
}
