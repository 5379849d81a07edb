import type { Command } from "commander";
import { addClusterRequestOptions, documentExitCodes, isStructured, OutputFormat, outputOption, printStructured, quietOption } from "./output.js";

interface RunFlags {
  reportDir?: string;
  output: OutputFormat;
  quiet?: boolean;
  requestTimeout?: string;
  v?: number;
  dryRun?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  hold?: string;
  stabilityWindow?: string;
  observeFull?: boolean;
  goTiming?: boolean;
  /** commander's --no-probe sets probe to false. */
  probe: boolean;
  timeout?: string;
  revertTimeout?: string;
  set: string[];
  lockNamespace?: string;
  knowledge: string[];
  knowledgeDir?: string;
  profile?: string;
}

/** Exit codes, as documented in the README. */
export const RunExit = { Resilient: 0, NotResilient: 1, Usage: 2, FaultStillActive: 3, Interrupted: 130 } as const;

/** `operator-chaos run <file>`: run one experiment against the cluster of the kubeconfig. */
export function registerRunCommand(program: Command): void {
  const command = program.command("run")
    .description("run one experiment: steady state, inject, observe recovery, revert, verdict (exit 0 only when Resilient)")
    .argument("<file>", "the ChaosExperiment file")
    .option("--report-dir <dir>", "write the report (JSON, JUnit XML, Markdown) into this folder")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml]))
    .addOption(quietOption("no progress on stderr; only the result on stdout"))
    .option("--dry-run", "validate, check the steady state and plan; change nothing")
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("-n, --namespace <namespace>", "run in this namespace (rewrites the experiment's namespaces, like the Go tool)")
    .option("--hold <duration>", "how long a sustained fault is held before it is reverted (default: the recoveryTimeout, or spec.injection.hold; never past the ttl)")
    .option("--stability-window <duration>", "how long the steady state must hold again before the run ends early (default 5s)")
    .option("--go-timing", "the Go tool's timing exactly: post-check recoveryTimeout after the injection with a sustained fault still held, revert after; no early completion")
    .option("--observe-full", "the earlier name of --go-timing")
    .option("--no-probe", "send no reconcile probe (by default one is sent when spec.probe or the knowledge model names a probe-able object)")
    .option("--timeout <duration>", "deadline for the whole run (default 1h)")
    .option("--revert-timeout <duration>", "how long reverts retry transient API errors, apart from --timeout (default 60s)")
    .option("--lock-namespace <namespace>", "namespace of the per-operator lock Lease (default: the experiment's namespace)")
    .option("--knowledge <file>", "knowledge model; its managed resources for the target component are watched too (repeatable)", (value: string, all: string[]) => [...all, value], [])
    .option("--knowledge-dir <dir>", "every knowledge model in this folder")
    .option("--profile <name|dir>", "the profile's knowledge models (profiles/<name>/knowledge/, else knowledge/<name>/) when no --knowledge is given")
    .option("--set <key=value>", "override a spec field, e.g. injection.count=2 (repeatable)", (value: string, all: string[]) => [...all, value], [])
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runCommand(file, flags);
    });
  addClusterRequestOptions(command);
  documentExitCodes(command, {
    [RunExit.Resilient]: "Resilient (a dry run: validated and planned)",
    [RunExit.NotResilient]: "not Resilient (Degraded, Failed or Inconclusive), or the run stopped",
    [RunExit.FaultStillActive]: "the revert failed: the fault is still on the cluster (see operator-chaos clean)",
    [RunExit.Interrupted]: "interrupted (SIGINT/SIGTERM/SIGHUP); the fault was reverted",
  });
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  // With -o json|yaml stdout carries the report and nothing else; progress is off too.
  const json = isStructured(flags.output);
  const quiet = json || (flags.quiet ?? false);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const { Duration } = await import("../experiment/duration.js");
  const durationMs = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const parsed = Duration.tryParse(text);
    if (!parsed.ok) throw new UsageError(`${name}: ${parsed.error} (expected a duration such as 30s or 1m30s)`);
    return parsed.value.milliseconds;
  };
  let holdMs: number | undefined, stabilityWindowMs: number | undefined, timeoutMs: number | undefined, revertTimeoutMs: number | undefined;
  try {
    revertTimeoutMs = durationMs("--revert-timeout", flags.revertTimeout);
    holdMs = durationMs("--hold", flags.hold);
    stabilityWindowMs = durationMs("--stability-window", flags.stabilityWindow);
    timeoutMs = durationMs("--timeout", flags.timeout);
  } catch (error) {
    return usage((error as Error).message);
  }

  const { loadExperimentFile, validateExperimentValue, allDiagnostics } = await import("../experiment/validate.js");
  const { formatDiagnostic } = await import("../experiment/diagnostic.js");
  const loaded = await loadExperimentFile(file);
  if (loaded.experiments.length !== 1) {
    for (const diagnostic of allDiagnostics(loaded.result)) err(formatDiagnostic(diagnostic));
    if (loaded.result.status === "valid") err(`${file}: run takes a file with exactly one experiment (found ${loaded.experiments.length}); use suite for several`);
    else err(`${file}: invalid experiment; nothing was run`);
    return RunExit.Usage;
  }
  let experiment = loaded.experiments[0]!;
  if (flags.set.length > 0 || flags.namespace) {
    const { applyOverrides, parseOverride, OverrideError } = await import("../experiment/overrides.js");
    const { retargetNamespace } = await import("../engine/settings.js");
    try {
      let document = applyOverrides(experiment, flags.set.map(parseOverride));
      if (flags.namespace) document = retargetNamespace(document, flags.namespace);
      const again = validateExperimentValue(document, { mode: "run" });
      const errors = again.issues.filter((issue) => issue.severity === "error");
      if (errors.length > 0 || !again.experiment) {
        for (const issue of errors) err(`${file} (after --set/-n): ${issue.path.join(".")}: ${issue.message}`);
        return RunExit.Usage;
      }
      experiment = again.experiment;
    } catch (error) {
      if (error instanceof OverrideError) return usage(error.message);
      throw error;
    }
  }

  const knowledge = [];
  const knowledgeFiles = [...flags.knowledge];
  if (flags.knowledgeDir) {
    const { readdirSync } = await import("node:fs");
    const { join } = await import("node:path");
    knowledgeFiles.push(...readdirSync(flags.knowledgeDir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(flags.knowledgeDir!, f)));
  }
  if (knowledgeFiles.length === 0 && flags.profile) {
    // As the Go tool: the profile's models only when none are given otherwise.
    const { knowledgeFiles: profileKnowledge, KnowledgeSourceError } = await import("../suite/knowledge-sources.js");
    try {
      knowledgeFiles.push(...profileKnowledge({ profile: flags.profile }));
    } catch (error) {
      if (error instanceof KnowledgeSourceError) return usage(error.message);
      throw error;
    }
  }
  for (const knowledgeFile of knowledgeFiles) {
    const { validateFile } = await import("../experiment/validate.js");
    const checked = await validateFile(knowledgeFile, { expectKind: "OperatorKnowledge" });
    if (checked.status !== "valid") {
      for (const diagnostic of allDiagnostics(checked)) err(formatDiagnostic(diagnostic));
      err(`${knowledgeFile}: invalid knowledge model; nothing was run`);
      return RunExit.Usage;
    }
    knowledge.push(...checked.documents.flatMap((document) => (document.knowledge ? [document.knowledge] : [])));
  }

  const { loadKubeConfig } = await import("../kube/client.js");
  const { runExperiment } = await import("../engine/run.js");
  const config = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const controller = new AbortController();
  let interrupted = false;
  // SIGHUP (the terminal went away) is handled like SIGTERM. Every signal after the first is
  // ignored: killing the process mid-revert would leave the fault on the cluster.
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) {
      err(`received ${signal} again: ignored, the fault is being reverted (kill -9 leaves it to \`operator-chaos clean\`)`);
      return;
    }
    interrupted = true;
    if (!json) err(`received ${signal}: reverting the fault and writing the report…`);
    controller.abort(new Error(`received ${signal}`));
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const name of signals) process.on(name, interrupt);
  const { RunProgress } = await import("./progress.js");
  const shown = quiet ? undefined : new RunProgress({ name: experiment.metadata.name });
  const result = await runExperiment({
    experiment, kubeconfig: config, signal: controller.signal,
    dryRun: flags.dryRun ?? false, goTiming: (flags.goTiming ?? false) || (flags.observeFull ?? false), probe: flags.probe,
    holdMs, stabilityWindowMs, timeoutMs, knowledge,
    ...(revertTimeoutMs !== undefined ? { revertTimeoutMs } : {}),
    ...(flags.lockNamespace ? { lockNamespace: flags.lockNamespace } : {}),
    progress: shown ? (line) => shown.event(line) : undefined,
  });
  shown?.finish();
  if (flags.reportDir) {
    const { writeExperimentReport } = await import("../report/write.js");
    const written = await writeExperimentReport(flags.reportDir, result.report);
    if (!json) err(`report: ${written.json} (HTML: ${written.html})`);
  }
  if (isStructured(flags.output)) {
    await printStructured(result.report, flags.output);
  } else {
    const { formatDuration } = await import("../verdict/format.js");
    const { statusColour } = await import("./colour.js");
    const evaluation = result.evaluation;
    process.stdout.write(
      `Experiment: ${experiment.metadata.name}\n` +
      `Verdict:    ${statusColour(evaluation.verdict)}\n` +
      `Recovery:   ${evaluation.recoveryTimeMs === null ? "not recovered" : formatDuration(evaluation.recoveryTimeMs)}\n` +
      `Confidence: ${evaluation.confidence}\n` +
      (evaluation.deviations.length ? `Deviations: ${evaluation.deviations.map((d) => `${d.type} (${d.detail})`).join("; ")}\n` : "") +
      (evaluation.reasons.length ? `Reasons:    ${evaluation.reasons.join("; ")}\n` : "") +
      (result.error ? `Stopped:    ${result.error}\n` : "") +
      (result.cleanupError ? `Cleanup:    ${result.cleanupError}\n` : ""),
    );
  }
  if (result.revert && result.revert.stillActive.length > 0) {
    // On stderr whatever the output format: this must reach a person (or a CI log) in any case.
    const command = [result.revert.cleanCommand ?? "operator-chaos clean -A",
      ...(flags.kubeconfig ? ["--kubeconfig", flags.kubeconfig] : []), ...(flags.context ? ["--context", flags.context] : [])].join(" ");
    err(`FAULT STILL ACTIVE: the revert failed after ${result.revert.attempts} attempt(s): ${result.revert.stillActive.join(", ")}`);
    err(`  revert it with: ${command}`);
    return RunExit.FaultStillActive;
  }
  if (interrupted) return RunExit.Interrupted;
  // A dry run that validated and planned without error succeeded (the Go tool exits 1 on its Inconclusive).
  if (flags.dryRun) return result.phase === "Complete" ? RunExit.Resilient : RunExit.NotResilient;
  return result.evaluation.verdict === "Resilient" ? RunExit.Resilient : RunExit.NotResilient;
}

class UsageError extends Error {}

function usage(message: string): number {
  process.stderr.write(`Error: ${message}\n`);
  return RunExit.Usage;
}
