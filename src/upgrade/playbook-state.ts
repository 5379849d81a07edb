// The progress of a playbook run, as persisted on the cluster after every step (the Go tool's state
// file, with one addition: `runningStep`, written before a step starts, so a run killed in the middle
// of a step is told from one that stopped between steps). Deciding what a rerun does is pure.

import type { PlaybookStep } from "./playbook.js";

export const StepOutcome = { Completed: "completed", Skipped: "skipped" } as const;
export type StepOutcome = (typeof StepOutcome)[keyof typeof StepOutcome];

export interface CompletedStep {
  readonly status: StepOutcome;
  readonly finishedAt: string;
  readonly output?: string;
}

export interface PlaybookState {
  readonly playbookName: string;
  readonly startedAt: string;
  readonly completedSteps: Readonly<Record<string, CompletedStep>>;
  /** The step that had started and not finished when the state was written last. */
  readonly runningStep?: { readonly name: string; readonly startedAt: string };
  readonly failedStep?: string;
  readonly failedAt?: string;
  readonly failedError?: string;
}

export function newState(playbookName: string, now: Date): PlaybookState {
  return { playbookName, startedAt: now.toISOString(), completedSteps: {} };
}

export function withRunning(state: PlaybookState, step: string, now: Date): PlaybookState {
  const { failedStep: _f, failedAt: _a, failedError: _e, ...rest } = state;
  return { ...rest, runningStep: { name: step, startedAt: now.toISOString() } };
}

export function withFinished(state: PlaybookState, step: string, status: StepOutcome, now: Date, output?: string): PlaybookState {
  const { runningStep: _running, ...rest } = state;
  return { ...rest, completedSteps: { ...state.completedSteps, [step]: { status, finishedAt: now.toISOString(), ...(output ? { output } : {}) } } };
}

export function withFailed(state: PlaybookState, step: string, error: string, now: Date): PlaybookState {
  const { runningStep: _running, ...rest } = state;
  return { ...rest, failedStep: step, failedAt: now.toISOString(), failedError: error };
}

export interface ResumeOptions {
  readonly resumeFrom?: string;
  readonly forceResume?: boolean;
}

export interface ResumePlan {
  /** Steps to run, in order. */
  readonly run: readonly PlaybookStep[];
  /** Steps left out: finished by an earlier run, or before --resume-from. */
  readonly skip: readonly { readonly step: PlaybookStep; readonly reason: string }[];
  /** The step a dead run left unfinished (its leftovers are cleaned before it runs again). */
  readonly interrupted?: string;
}

export type ResumeDecision = { ok: true; plan: ResumePlan } | { ok: false; error: string };

/** What a (re)run does, given the ordered steps and the state an earlier run left (if any). */
export function planRun(steps: readonly PlaybookStep[], state: PlaybookState | undefined, options: ResumeOptions = {}): ResumeDecision {
  const names = steps.map((step) => step.name);
  if (options.resumeFrom !== undefined && !names.includes(options.resumeFrom)) {
    return { ok: false, error: `--resume-from: no step "${options.resumeFrom}" in the playbook (steps: ${names.join(", ")})` };
  }
  if (state?.failedStep !== undefined) {
    if (options.resumeFrom === undefined) {
      return { ok: false, error: `the previous run failed at step "${state.failedStep}" (${state.failedError ?? "no error recorded"}): rerun with --resume-from ${state.failedStep}, or use playbook resume` };
    }
    if (options.resumeFrom !== state.failedStep && !options.forceResume) {
      return { ok: false, error: `--resume-from ${options.resumeFrom}: the previous run failed at "${state.failedStep}"; resume from there, or add --force-resume` };
    }
  }
  const from = options.resumeFrom === undefined ? 0 : names.indexOf(options.resumeFrom);
  const run: PlaybookStep[] = [];
  const skip: { step: PlaybookStep; reason: string }[] = [];
  steps.forEach((step, index) => {
    const done = state?.completedSteps[step.name];
    if (done) skip.push({ step, reason: `${done.status} at ${done.finishedAt}` });
    else if (index < from) skip.push({ step, reason: `before --resume-from ${options.resumeFrom}` });
    else run.push(step);
  });
  const interrupted = state?.runningStep && !state.completedSteps[state.runningStep.name] ? state.runningStep.name : undefined;
  return { ok: true, plan: { run, skip, ...(interrupted ? { interrupted } : {}) } };
}

/** The ConfigMap name of a playbook's state: a DNS-1123 name derived from the playbook's. */
export function stateConfigMapName(playbookName: string): string {
  const slug = playbookName.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 200);
  return `operator-chaos-playbook-${slug || "unnamed"}`;
}
