// Pure settings of one run: where it acts and how long each window lasts. No I/O.
import { Duration } from "../experiment/duration.js";
import type { ChaosExperiment } from "../experiment/types.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import type { FaultPersistence } from "../faults/driver.js";

/** The Go tool's default recovery timeout when the hypothesis sets none. */
export const DEFAULT_RECOVERY_TIMEOUT_MS = 60_000;
/** How long the steady state must hold, once restored, before a run ends early. */
export const DEFAULT_STABILITY_WINDOW_MS = 5_000;

/**
 * The namespace a run acts in, by the Go tool's rule: the only allowed namespace; else the first
 * check's namespace; else the experiment's metadata.namespace; else "default".
 */
export function resolveNamespace(experiment: ChaosExperiment): string {
  const allowed = experiment.spec.blastRadius.allowedNamespaces ?? [];
  if (allowed.length === 1 && allowed[0]) return allowed[0];
  const fromCheck = experiment.spec.steadyState?.checks?.find((check) => check.namespace)?.namespace;
  return fromCheck ?? experiment.metadata.namespace ?? "default";
}

/**
 * Timing modes (README "Fault duration"): by default a sustained fault is held for the whole
 * recoveryTimeout, as the Go tool holds it, then reverted, and recovery is watched from the revert
 * with early completion. `--hold` (or `spec.injection.hold`) shortens the hold. Go timing
 * reproduces the Go tool: the post-check is taken recoveryTimeout after the injection, while a
 * sustained fault is still in place, and the revert comes after it.
 */
export const TimingMode = { Default: "default", GoTiming: "goTiming" } as const;
export type TimingMode = (typeof TimingMode)[keyof typeof TimingMode];

/** Where the hold came from, for the report. */
export const HoldSource = {
  RecoveryTimeout: "recoveryTimeout",
  Flag: "--hold",
  Experiment: "spec.injection.hold",
  Ttl: "ttl",
} as const;
export type HoldSource = (typeof HoldSource)[keyof typeof HoldSource];

export interface TimingOverrides {
  holdMs?: number | undefined;
  stabilityWindowMs?: number | undefined;
  /** Reproduce the Go tool's timing exactly (post-check while the fault is held, revert after). */
  goTiming?: boolean | undefined;
  /** @deprecated the earlier name of goTiming (`--observe-full`); same meaning now. */
  observeFull?: boolean | undefined;
}

export interface RunTiming {
  recoveryTimeoutMs: number;
  stabilityWindowMs: number;
  /** Only for sustained faults: how long the fault stays before the tool reverts it (0 otherwise). */
  holdMs: number;
  holdSource: HoldSource;
  ttlMs: number | undefined;
  mode: TimingMode;
  /** With Go timing: from the injection to the post-check (always the recoveryTimeout, as the Go CLI sleeps it). */
  postCheckAfterMs: number;
}

const parseMs = (text: string | undefined) => (text ? Duration.parse(text).milliseconds : undefined);

export function resolveTiming(experiment: ChaosExperiment, persistence: FaultPersistence, overrides: TimingOverrides = {}): RunTiming {
  const recoveryTimeoutMs = parseMs(experiment.spec.hypothesis.recoveryTimeout) ?? DEFAULT_RECOVERY_TIMEOUT_MS;
  const ttlMs = parseMs(experiment.spec.injection.ttl) || undefined;
  const mode = overrides.goTiming || overrides.observeFull ? TimingMode.GoTiming : TimingMode.Default;
  const experimentHold = parseMs((experiment.spec.injection as { hold?: string }).hold) || undefined;
  let wanted: number;
  let holdSource: HoldSource;
  if (mode === TimingMode.GoTiming) [wanted, holdSource] = [recoveryTimeoutMs, HoldSource.RecoveryTimeout];
  else if (overrides.holdMs !== undefined) [wanted, holdSource] = [overrides.holdMs, HoldSource.Flag];
  else if (experimentHold !== undefined) [wanted, holdSource] = [experimentHold, HoldSource.Experiment];
  else [wanted, holdSource] = [recoveryTimeoutMs, HoldSource.RecoveryTimeout];
  // Never beyond the ttl (past it any clean reverts the fault anyway) — except with Go timing,
  // which reproduces the Go CLI, and that ignores the ttl of every fault but NetworkPartition.
  if (mode === TimingMode.Default && ttlMs !== undefined && ttlMs < wanted) [wanted, holdSource] = [ttlMs, HoldSource.Ttl];
  const holdMs = persistence === "sustained" ? wanted : 0;
  return {
    recoveryTimeoutMs,
    stabilityWindowMs: Math.min(overrides.stabilityWindowMs ?? DEFAULT_STABILITY_WINDOW_MS, recoveryTimeoutMs),
    holdMs,
    holdSource,
    ttlMs,
    mode,
    postCheckAfterMs: recoveryTimeoutMs,
  };
}

/**
 * `-n/--namespace`: runs the experiment in another namespace, as the Go tool does — the metadata
 * namespace, every check's namespace and every allowed namespace become `namespace`.
 */
export function retargetNamespace(experiment: ChaosExperiment, namespace: string): ChaosExperiment {
  const copy = structuredClone(experiment);
  copy.metadata.namespace = namespace;
  for (const check of copy.spec.steadyState?.checks ?? []) if (check.namespace) check.namespace = namespace;
  if (copy.spec.blastRadius.allowedNamespaces?.length) {
    copy.spec.blastRadius.allowedNamespaces = copy.spec.blastRadius.allowedNamespaces.map(() => namespace);
    copy.spec.blastRadius.allowedNamespaces = [...new Set(copy.spec.blastRadius.allowedNamespaces)];
  }
  return copy;
}

/**
 * The knowledge model of the experiment's operator and component (every model is searched, not only
 * the first as in the Go tool). Models given but none of them for this target is an error, never
 * silently ignored: the run would then watch nothing the user meant it to.
 */
export function knowledgeForTarget(experiment: ChaosExperiment, knowledge: readonly OperatorKnowledge[] | undefined): OperatorKnowledge | undefined {
  if (!knowledge || knowledge.length === 0) return undefined;
  const { operator, component } = experiment.spec.target;
  const sameOperator = knowledge.filter((model) => model.operator.name === operator);
  if (sameOperator.length === 0) {
    throw new Error(`no knowledge model describes operator ${JSON.stringify(operator)} (the experiment's spec.target.operator); given: ${
      [...new Set(knowledge.map((model) => model.operator.name))].map((name) => JSON.stringify(name)).join(", ")}`);
  }
  const model = sameOperator.find((candidate) => candidate.components.some((c) => c.name === component));
  if (!model) {
    throw new Error(`the knowledge model of operator ${JSON.stringify(operator)} has no component ${JSON.stringify(component)} (spec.target.component); it has ${
      sameOperator.flatMap((m) => m.components.map((c) => JSON.stringify(c.name))).join(", ")}`);
  }
  return model;
}
