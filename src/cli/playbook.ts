import type { Command } from "commander";

interface PlaybookFlags {
  playbook?: string;
  resumeFrom?: string;
  forceResume?: boolean;
  skipManual?: boolean;
  allowShell?: boolean;
  dryRun?: boolean;
  stateNamespace: string;
  reportDir?: string;
  timeout: string;
  hold?: string;
  stabilityWindow?: string;
  kubeconfig?: string;
  context?: string;
  lockNamespace?: string;
}


/** `operator-chaos playbook run|resume|validate`: upgrade and chaos playbooks (src/upgrade/playbook*.ts). */
export function registerPlaybookCommands(program: Command): void {
  const playbook = program.command("playbook").description("run UpgradePlaybook / ChaosPlaybook files: validate-version, kubectl, manual, olm, chaos and manifests steps, resumable");
  const withRunFlags = (command: Command) => command
    .argument("[file]", "the playbook file (or --playbook)")
    .option("--playbook <file>", "the playbook file")
    .option("--resume-from <step>", "resume at this step (after a failure: the failed step)")
    .option("--force-resume", "allow --resume-from another step than the failed one")
    .option("--skip-manual", "do not wait at manual steps: run their autoCheck, or skip them")
    .option("--allow-shell", "run the shell commands of kubectl steps and autoChecks")
    .option("--dry-run", "list the steps in order; contact no cluster")
    .option("--state-namespace <namespace>", "namespace of the ConfigMap that holds the run's progress", "default")
    .option("--report-dir <dir>", "reports of the chaos steps (one folder per step)")
    .option("--timeout <duration>", "deadline per experiment and per shell command", "60m")
    .option("--hold <duration>", "chaos steps: how long a sustained fault is held")
    .option("--stability-window <duration>", "chaos steps: how long the steady state must hold again")
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("--lock-namespace <namespace>", "namespace of the per-operator lock Leases");
  withRunFlags(playbook.command("run").description("run a playbook's steps in order; steps a killed or failed run finished are skipped"))
    .action(async (file: string | undefined, flags: PlaybookFlags) => {
      process.exitCode = await playbookCommand(file, flags, false);
    });
  withRunFlags(playbook.command("resume").description("continue a playbook from its state on the cluster: revert what an interrupted step left, skip finished steps, run the rest"))
    .action(async (file: string | undefined, flags: PlaybookFlags) => {
      process.exitCode = await playbookCommand(file, flags, true);
    });
  playbook.command("validate").description("check a playbook file (format, step types, dependsOn, cycles) without running it")
    .argument("<file>", "the playbook file")
    .action(async (file: string) => {
      const loaded = await loadPlaybookFile(file);
      if (loaded) process.stdout.write(`${file}: valid ${loaded.kind} "${loaded.playbook.metadata.name}", ${loaded.steps.length} steps: ${loaded.steps.map((step) => step.name).join(" → ")}\n`);
      process.exitCode = loaded ? 0 : 2;
    });
}

async function loadPlaybookFile(file: string) {
  const { readFile } = await import("node:fs/promises");
  const { parsePlaybook } = await import("../upgrade/playbook.js");
  const { formatDiagnostic } = await import("../experiment/diagnostic.js");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    process.stderr.write(`Error: cannot read playbook ${file}: ${(error as Error).message}\n`);
    return undefined;
  }
  const parsed = parsePlaybook(text, file);
  if (!parsed.ok) {
    for (const diagnostic of parsed.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    return undefined;
  }
  return parsed.value;
}

async function playbookCommand(argument: string | undefined, flags: PlaybookFlags, resume: boolean): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const file = argument ?? flags.playbook;
  if (!file) {
    err("Error: give the playbook file (playbook run FILE, or --playbook FILE)");
    return 2;
  }
  const { Duration } = await import("../experiment/duration.js");
  const timeout = Duration.tryParse(flags.timeout);
  if (!timeout.ok) {
    err(`Error: --timeout: ${timeout.error} (expected a duration such as 30s or 60m)`);
    return 2;
  }
  const windows: { holdMs?: number; stabilityWindowMs?: number } = {};
  for (const [flag, value, key] of [["--hold", flags.hold, "holdMs"], ["--stability-window", flags.stabilityWindow, "stabilityWindowMs"]] as const) {
    if (value === undefined) continue;
    const parsed = Duration.tryParse(value);
    if (!parsed.ok) {
      err(`Error: ${flag}: ${parsed.error} (expected a duration such as 5s)`);
      return 2;
    }
    windows[key] = parsed.value.milliseconds;
  }
  const loaded = await loadPlaybookFile(file);
  if (!loaded) return 2;
  const { runPlaybook } = await import("../upgrade/playbook-run.js");
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const controller = new AbortController();
  const common = {
    ...windows, file, loaded, resume, stateNamespace: flags.stateNamespace, timeoutMs: timeout.value.milliseconds, signal: controller.signal, out, progress: err,
    ...(flags.resumeFrom ? { resumeFrom: flags.resumeFrom } : {}),
    ...(flags.forceResume ? { forceResume: true } : {}),
    ...(flags.skipManual ? { skipManual: true } : {}),
    ...(flags.allowShell ? { allowShell: true } : {}),
    ...(flags.reportDir ? { reportDir: flags.reportDir } : {}),
    ...(flags.lockNamespace ? { lockNamespace: flags.lockNamespace } : {}),
  };
  if (flags.dryRun) return runPlaybook({ ...common, dryRun: true });
  const { loadKubeConfig } = await import("../kube/client.js");
  const { clusterAccess } = await import("../engine/context.js");
  const kubeconfig = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const access = clusterAccess(kubeconfig);
  const kubeconfigFile = flags.kubeconfig ?? process.env.KUBECONFIG;
  const interrupt = (signal: NodeJS.Signals) => {
    err(`received ${signal}: stopping the running step (a chaos step reverts its fault); resume with: operator-chaos playbook resume ${file}`);
    controller.abort(new Error(`received ${signal}`));
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    return await runPlaybook({ ...common, kubeconfig, access, ...(kubeconfigFile ? { kubeconfigFile } : {}) });
  } catch (error) {
    err(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    process.removeListener("SIGINT", interrupt);
    process.removeListener("SIGTERM", interrupt);
    access.rest.close();
  }
}
