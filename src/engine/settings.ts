// Pure settings of one run: where it acts and how long each window lasts. No I/O.
import { Duration } from "../experiment/duration.js";
import type { ChaosExperiment } from "../experiment/types.js";
import type { FaultPersistence } from "../faults/driver.js";

/** The Go tool's default recovery timeout when the hypothesis sets none. */
export const DEFAULT_RECOVERY_TIMEOUT_MS = 60_000;
/** How long the steady state must hold, once restored, before a run ends early. */
export const DEFAULT_STABILITY_WINDOW_MS = 5_000;
/** How long a sustained fault is held before the tool reverts it (capped by the injection's ttl). */
export const DEFAULT_HOLD_MS = 30_000;

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

export interface TimingOverrides {
  holdMs?: number | undefined;
  stabilityWindowMs?: number | undefined;
  /** Observe for the whole recoveryTimeout, like the Go tool (no early completion). */
  observeFull?: boolean | undefined;
}

export interface RunTiming {
  recoveryTimeoutMs: number;
  stabilityWindowMs: number;
  /** Only for sustained faults: how long the fault stays before the tool reverts it. */
  holdMs: number;
  ttlMs: number | undefined;
  observeFull: boolean;
}

const parseMs = (text: string | undefined) => (text ? Duration.parse(text).milliseconds : undefined);

export function resolveTiming(experiment: ChaosExperiment, persistence: FaultPersistence, overrides: TimingOverrides = {}): RunTiming {
  const recoveryTimeoutMs = parseMs(experiment.spec.hypothesis.recoveryTimeout) ?? DEFAULT_RECOVERY_TIMEOUT_MS;
  const ttlMs = parseMs(experiment.spec.injection.ttl) || undefined;
  const wantedHold = overrides.holdMs ?? DEFAULT_HOLD_MS;
  const holdMs = persistence === "sustained" ? Math.min(wantedHold, ttlMs ?? wantedHold) : 0;
  return {
    recoveryTimeoutMs,
    stabilityWindowMs: Math.min(overrides.stabilityWindowMs ?? DEFAULT_STABILITY_WINDOW_MS, recoveryTimeoutMs),
    holdMs,
    ttlMs,
    observeFull: overrides.observeFull ?? false,
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
