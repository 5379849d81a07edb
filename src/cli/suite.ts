import type { Command } from "commander";
import { addClusterRequestOptions, documentExitCodes } from "./output.js";

interface SuiteFlags {
  recursive?: boolean;
  profile?: string;
  knowledge: string[];
  knowledgeDir?: string;
  maxTier: string;
  parallel: string;
  cooldown?: string;
  set: string[];
  reportDir?: string;
  dryRun?: boolean;
  timeout: string;
  hold?: string;
  stabilityWindow?: string;
  goTiming?: boolean;
  observeFull?: boolean;
  /** commander's --no-probe sets it to false. */
  probe?: boolean;
  resume?: string;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  lockNamespace?: string;
}

const collect = (value: string, all: string[]) => [...all, value];

/** `operator-chaos suite <dir|files…>`: a whole catalog as one run (the Go tool's suite, plus parallel safety, collateral checks, resume). */
export function registerSuiteCommand(program: Command): void {
  const command = program.command("suite")
    .description("run every experiment of a folder (or the given files): PASS/FAIL/SKIP per experiment, a tier summary, aggregate reports; exit 1 when any failed")
    .argument("[paths...]", "experiment folders or files (a folder: its *.yaml/*.yml; with --resume: default the resumed suite's files)")
    .option("--recursive", "also the files one folder level down")
    .option("--profile <name|dir>", "knowledge models of this profile (profiles/<name>/knowledge/, else knowledge/<name>/) when no --knowledge is given")
    .option("--knowledge <file>", "knowledge model (repeatable)", collect, [])
    .option("--knowledge-dir <dir>", "every knowledge model in this folder")
    .option("--max-tier <n>", "skip experiments above this tier (0 = no filter)", "0")
    .option("--parallel <n>", "experiments at a time (conflicting ones still run one after another)", "1")
    .option("--cooldown <duration>", "pause between sequential experiments (ignored with --parallel > 1)")
    .option("--set <key=value>", "override a spec field of every experiment (repeatable)", collect, [])
    .option("--report-dir <dir>", "per-experiment reports, suite-results.xml/.json/.md, report.html and the resume state")
    .option("--dry-run", "load and validate only: VALID per experiment")
    .option("--timeout <duration>", "deadline per experiment", "10m")
    .option("--hold <duration>", "how long sustained faults are held (default 30s)")
    .option("--stability-window <duration>", "how long the steady state must hold again before an experiment ends early (default 5s)")
    .option("--go-timing", "the Go tool's timing exactly (no early completion), for every experiment")
    .option("--observe-full", "the earlier name of --go-timing")
    .option("--no-probe", "send no reconcile probe in any experiment")
    .option("--resume <dir>", "continue the suite whose report folder is DIR: finished experiments are kept, the interrupted one is reverted and run again")
    .option("-n, --namespace <namespace>", "run every experiment in this namespace")
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("--lock-namespace <namespace>", "namespace of the per-operator lock Leases")
    .action(async (paths: string[], flags: SuiteFlags) => {
      process.exitCode = await suiteCommand(paths, flags);
    });
  addClusterRequestOptions(command);
  documentExitCodes(command, { 0: "every experiment passed (or was skipped)", 1: "an experiment failed", 130: "interrupted; the running experiments were reverted" });
}

class UsageError extends Error {}

async function suiteCommand(paths: string[], flags: SuiteFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const { Duration } = await import("../experiment/duration.js");
  const durationMs = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const parsed = Duration.tryParse(text);
    if (!parsed.ok) throw new UsageError(`${name}: ${parsed.error} (expected a duration such as 30s or 1m30s)`);
    return parsed.value.milliseconds;
  };
  const integer = (name: string, text: string, min: number, max: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return value;
  };
  let timing;
  let parallel: number;
  let maxTier: number;
  try {
    parallel = integer("--parallel", flags.parallel, 1, 64);
    maxTier = integer("--max-tier", flags.maxTier, 0, 6);
    timing = {
      timeoutMs: durationMs("--timeout", flags.timeout), cooldownMs: durationMs("--cooldown", flags.cooldown),
      holdMs: durationMs("--hold", flags.hold), stabilityWindowMs: durationMs("--stability-window", flags.stabilityWindow),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`Error: ${error.message}`);
    return 2;
  }

  const { readSuiteState, SuiteStateError } = await import("../suite/state.js");
  let resume;
  const reportDir = flags.reportDir ?? flags.resume;
  if (flags.resume) {
    try {
      resume = readSuiteState(flags.resume);
    } catch (error) {
      if (!(error instanceof SuiteStateError)) throw error;
      err(`Error: ${error.message}`);
      return 2;
    }
  }
  const { collectSuiteFiles, SuiteFilesError } = await import("../suite/files.js");
  let files: string[];
  let suiteName: string;
  try {
    const sources = paths.length > 0 ? paths : [...(resume?.files ?? new Set(Object.values(resume?.entries ?? {}).map((entry) => entry.file)))];
    if (sources.length === 0) throw new SuiteFilesError("give an experiments folder or files (or --resume DIR of an earlier suite)");
    ({ files, suiteName } = await collectSuiteFiles(sources, flags.recursive ?? false));
    if (resume && paths.length === 0) suiteName = resume.suite;
  } catch (error) {
    if (!(error instanceof SuiteFilesError)) throw error;
    err(`Error: ${error.message}`);
    return 1;
  }
  err(`Found ${files.length} experiments in ${paths.length === 1 ? paths[0] : suiteName}\n`);
  if (parallel > 1 && timing.cooldownMs) err("Warning: --cooldown is ignored when --parallel > 1");

  const { loadKnowledge, KnowledgeSourceError } = await import("../suite/knowledge-sources.js");
  let knowledge;
  try {
    const loaded = await loadKnowledge({ knowledge: flags.knowledge, ...(flags.knowledgeDir ? { knowledgeDir: flags.knowledgeDir } : {}), ...(flags.profile ? { profile: flags.profile } : {}) });
    if (loaded.problems.length > 0) {
      for (const problem of loaded.problems) err(problem);
      err("Error: invalid knowledge model; nothing was run");
      return 2;
    }
    knowledge = loaded.models;
  } catch (error) {
    if (!(error instanceof KnowledgeSourceError)) throw error;
    err(`Error: ${error.message}`);
    return 2;
  }

  const { runSuite } = await import("../suite/run-suite.js");
  let kubeconfig;
  if (!flags.dryRun) {
    const { loadKubeConfig } = await import("../kube/client.js");
    kubeconfig = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  }
  const controller = new AbortController();
  // Every running experiment listens to it: up to --parallel listeners is no leak.
  (await import("node:events")).EventEmitter.setMaxListeners(Math.max(10, parallel * 4), controller.signal);
  const interrupt = (signal: NodeJS.Signals) => {
    err(`received ${signal}: reverting the running experiments and writing the reports…`);
    controller.abort(new Error(`received ${signal}`));
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  const outcome = await runSuite({
    files, suiteName, knowledge, maxTier, parallel, set: flags.set, dryRun: flags.dryRun ?? false,
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(timing.timeoutMs !== undefined ? { timeoutMs: timing.timeoutMs } : {}),
    ...(timing.cooldownMs !== undefined ? { cooldownMs: timing.cooldownMs } : {}),
    ...(timing.holdMs !== undefined ? { holdMs: timing.holdMs } : {}),
    ...(timing.stabilityWindowMs !== undefined ? { stabilityWindowMs: timing.stabilityWindowMs } : {}),
    ...(flags.goTiming || flags.observeFull ? { goTiming: true } : {}),
    ...(flags.probe === false ? { probe: false } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(flags.lockNamespace ? { lockNamespace: flags.lockNamespace } : {}),
    ...(reportDir ? { reportDir } : {}),
    ...(resume ? { resume } : {}),
    signal: controller.signal,
    progress: err,
  });
  process.removeListener("SIGINT", interrupt);
  process.removeListener("SIGTERM", interrupt);
  for (const entry of outcome.entries) out(entry.line);
  for (const wait of outcome.waits) {
    const entry = outcome.entries[wait.task];
    const blocker = outcome.entries[wait.for];
    if (entry && blocker) out(`WAIT  ${entry.name} waited for ${blocker.name} (${wait.shared.join(", ")})`);
  }
  out(`\n${outcome.summary}`);
  for (const file of outcome.reportFiles) err(`report written to ${file}`);
  if (outcome.interrupted) return 130;
  return outcome.failed > 0 ? 1 : 0;
}
