// `playbook run` / `playbook resume`: the steps in order, the state on the cluster after each, the
// Go tool's output lines. A run killed in the middle of a step leaves `runningStep` in the state; the
// next run reverts what that step left (`clean`, from the journal) before it runs the step again.

import path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { ClusterAccess } from "../engine/context.js";
import { PlaybookKind, StepType, type LoadedPlaybook, type PlaybookStep } from "./playbook.js";
import { newState, planRun, StepOutcome, withFailed, withFinished, withRunning, type PlaybookState } from "./playbook-state.js";
import { PlaybookStateStore } from "./playbook-store.js";
import { chaosStep, kubectlStep, MANUAL_SKIPPED, manifestsStep, manualStep, olmStep, resolveFrom, validateVersionStep, waitStep, type StepContext } from "./playbook-steps.js";

export interface PlaybookRunOptions {
  readonly file: string;
  readonly loaded: LoadedPlaybook;
  readonly resumeFrom?: string;
  readonly forceResume?: boolean;
  /** `playbook resume`: a recorded state is required; after a failure it resumes at the failed step. */
  readonly resume?: boolean;
  readonly skipManual?: boolean;
  readonly allowShell?: boolean;
  readonly dryRun?: boolean;
  readonly reportDir?: string;
  readonly stateNamespace: string;
  readonly lockNamespace?: string;
  readonly timeoutMs: number;
  readonly holdMs?: number;
  readonly stabilityWindowMs?: number;
  readonly signal: AbortSignal;
  /** Cluster access; not needed for a dry run. */
  readonly kubeconfig?: KubeConfig;
  readonly kubeconfigFile?: string;
  readonly access?: ClusterAccess;
  /** Result lines (stdout) and progress (stderr). */
  readonly out: (line: string) => void;
  readonly progress: (line: string) => void;
}

const LINE_WIDTH = 40;
const stepLine = (index: number, total: number, name: string, result: string) => {
  const label = `[${index}/${total}] ${name} `;
  return `${label}${".".repeat(Math.max(3, LINE_WIDTH - label.length))} ${result}`;
};

/** The knowledge folder a step uses: its own, else the playbook's (chaos), else the source version before the upgrade step and the target after it. */
export function knowledgeDirFor(loaded: LoadedPlaybook, step: PlaybookStep, baseDir: string): string | undefined {
  const explicit = step.knowledgeDir ?? (loaded.kind === PlaybookKind.Chaos ? loaded.playbook.chaos?.knowledgeDir : undefined);
  if (explicit) return resolveFrom(baseDir, explicit);
  const upgrade = loaded.playbook.upgrade;
  if (!upgrade) return undefined;
  const position = loaded.steps.indexOf(step);
  const upgradeAt = loaded.steps.findIndex((candidate) => candidate.type === StepType.Olm || candidate.type === StepType.Manifests);
  return resolveFrom(baseDir, upgradeAt >= 0 && position > upgradeAt ? upgrade.target.knowledgeDir : upgrade.source.knowledgeDir);
}

const RUNNERS: Record<StepType, (step: PlaybookStep, context: StepContext) => Promise<string>> = {
  [StepType.ValidateVersion]: validateVersionStep,
  [StepType.Kubectl]: kubectlStep,
  [StepType.Manual]: manualStep,
  [StepType.Olm]: olmStep,
  [StepType.Chaos]: chaosStep,
  [StepType.Manifests]: manifestsStep,
  [StepType.Wait]: waitStep,
};

/** Runs (or resumes) a playbook; the exit code: 0 complete, 1 a step failed or the state forbids, 2 refused, 130 interrupted. */
export async function runPlaybook(options: PlaybookRunOptions): Promise<number> {
  const { loaded, out, progress } = options;
  const steps = loaded.steps;
  const name = loaded.playbook.metadata.name;
  const baseDir = path.dirname(path.resolve(options.file));
  if (options.dryRun) {
    steps.forEach((step, index) => out(`[${index + 1}/${steps.length}] ${step.name} (type: ${step.type})`));
    return 0;
  }
  const shellSteps = steps.filter((step) => step.type === StepType.Kubectl && (step.commands ?? []).length > 0);
  if (shellSteps.length > 0 && !options.allowShell) {
    progress("Error: this playbook runs shell commands; review them and rerun with --allow-shell:");
    for (const step of shellSteps) for (const command of step.commands ?? []) progress(`  ${step.name}: ${command}`);
    return 2;
  }
  const access = options.access!;
  const store = new PlaybookStateStore(access, options.stateNamespace, name);
  const recorded = await store.load();
  if (options.resume && !recorded) {
    progress(`Error: no recorded state for playbook "${name}" (ConfigMap ${store.namespace}/${store.name}): nothing to resume`);
    return 1;
  }
  const resumeFrom = options.resumeFrom ?? (options.resume ? recorded?.failedStep : undefined);
  const decision = planRun(steps, recorded, { ...(resumeFrom ? { resumeFrom } : {}), ...(options.forceResume ? { forceResume: true } : {}) });
  if (!decision.ok) {
    progress(`Error: ${decision.error}`);
    return 1;
  }
  const { plan } = decision;
  if (recorded) progress(`resuming playbook "${name}" from its state in ConfigMap ${store.namespace}/${store.name} (started ${recorded.startedAt})`);
  if (plan.interrupted) {
    const { clean } = await import("../engine/clean.js");
    const swept = await clean({ access, namespace: undefined, signal: options.signal });
    progress(`resume: step "${plan.interrupted}" was interrupted; reverted ${swept.reverted} leftover change(s)${swept.failed ? `, ${swept.failed} failed` : ""}`);
  }

  let state: PlaybookState = recorded ?? newState(name, new Date());
  const upgrade = loaded.playbook.upgrade;
  out(loaded.kind === PlaybookKind.Chaos ? `ChaosPlaybook: ${name}` : `UpgradePlaybook: ${name} (v${upgrade?.source.version} → v${upgrade?.target.version})`);
  const toRun = new Set(plan.run);
  for (const [index, step] of steps.entries()) {
    const position = index + 1;
    if (!toRun.has(step)) {
      out(stepLine(position, steps.length, step.name, `SKIP (${plan.skip.find((skipped) => skipped.step === step)?.reason ?? "not run"})`));
      continue;
    }
    state = withRunning(state, step.name, new Date());
    await store.save(state);
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
    const knowledgeDir = knowledgeDirFor(loaded, step, baseDir);
    const context: StepContext = {
      access, kubeconfig: options.kubeconfig!, baseDir, allowShell: options.allowShell ?? false, skipManual: options.skipManual ?? false,
      timeoutMs: options.timeoutMs, signal: options.signal, progress,
      ...(options.kubeconfigFile ? { kubeconfigFile: options.kubeconfigFile } : {}),
      ...(options.reportDir ? { reportDir: options.reportDir } : {}),
      ...(options.lockNamespace ? { lockNamespace: options.lockNamespace } : {}),
      ...(knowledgeDir ? { knowledgeDir } : {}),
      ...(options.holdMs !== undefined ? { holdMs: options.holdMs } : {}),
      ...(options.stabilityWindowMs !== undefined ? { stabilityWindowMs: options.stabilityWindowMs } : {}),
    };
    progress(`step ${step.name} (${step.type})…`);
    try {
      const output = await RUNNERS[step.type](step, context);
      const skipped = output === MANUAL_SKIPPED;
      state = withFinished(state, step.name, skipped ? StepOutcome.Skipped : StepOutcome.Completed, new Date(), output);
      await store.save(state);
      out(stepLine(position, steps.length, step.name, `${skipped ? "SKIP" : "PASS"} (${elapsed()})`));
      if (output) progress(`  ${output}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (options.signal.aborted) {
        // Interrupted: the state keeps runningStep, so the next run cleans up and runs this step again.
        out(stepLine(position, steps.length, step.name, `INTERRUPTED (${elapsed()})`));
        return 130;
      }
      state = withFailed(state, step.name, message, new Date());
      await store.save(state);
      out(stepLine(position, steps.length, step.name, `FAIL (${elapsed()})`));
      progress(`Error: step "${step.name}" failed: ${message}`);
      progress(`state kept in ConfigMap ${store.namespace}/${store.name}; fix the cause, then: operator-chaos playbook resume ${options.file}`);
      return 1;
    }
  }
  await store.remove();
  out(loaded.kind === PlaybookKind.Chaos ? `Playbook complete: ${name}` : `Upgrade complete: v${upgrade?.source.version} → v${upgrade?.target.version}`);
  return 0;
}
