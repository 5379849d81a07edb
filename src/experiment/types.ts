// TypeScript types of the format, inferred from the zod schema (schema.ts) so they cannot drift from
// the validator, plus helpers for effective values (defaults the file leaves out).

import type { z } from "zod";
import { Duration } from "./duration.js";
import { DangerLevel, Limits } from "./enums.js";
import type {
  BlastRadiusSchema,
  ChaosExperimentSchema,
  ChaosExperimentSpecSchema,
  ChaosExperimentStatusSchema,
  HypothesisSchema,
  InjectionSchema,
  ObjectMetaSchema,
  SteadyStateCheckSchema,
  SteadyStateSchema,
  TargetSchema,
} from "./schema.js";

export {
  API_GROUP,
  API_VERSION,
  CheckType,
  ConditionStatus,
  DangerLevel,
  EXPERIMENT_KIND,
  ExperimentPhase,
  INJECTION_TYPES,
  InjectionType,
  Limits,
  Verdict,
  WebhookType,
} from "./enums.js";

export type ChaosExperiment = z.infer<typeof ChaosExperimentSchema>;
export type ChaosExperimentSpec = z.infer<typeof ChaosExperimentSpecSchema>;
export type ChaosExperimentStatus = z.infer<typeof ChaosExperimentStatusSchema>;
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;
export type Target = z.infer<typeof TargetSchema>;
export type SteadyState = z.infer<typeof SteadyStateSchema>;
export type SteadyStateCheck = z.infer<typeof SteadyStateCheckSchema>;
export type Injection = z.infer<typeof InjectionSchema>;
export type BlastRadius = z.infer<typeof BlastRadiusSchema>;
export type Hypothesis = z.infer<typeof HypothesisSchema>;

/** Every field optional at every depth: what rules see when part of a document is missing or wrong. */
export type DeepPartial<T> = T extends readonly (infer E)[]
  ? readonly (DeepPartial<E> | undefined)[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export type PartialExperiment = DeepPartial<ChaosExperiment>;

/** hypothesis.recoveryTimeout, or 60s when absent or zero (as in the Go tool). */
export function resolveRecoveryTimeout(experiment: PartialExperiment): Duration {
  const text = experiment.spec?.hypothesis?.recoveryTimeout;
  const parsed = text === undefined ? undefined : Duration.tryParse(text);
  if (parsed?.ok && parsed.value.compare(Duration.ZERO) > 0) return parsed.value;
  return Duration.parse(Limits.defaultRecoveryTimeout);
}

/** injection.ttl, or undefined when absent or zero (no automatic revert deadline of its own). */
export function resolveInjectionTtl(experiment: PartialExperiment): Duration | undefined {
  const text = experiment.spec?.injection?.ttl;
  const parsed = text === undefined ? undefined : Duration.tryParse(text);
  return parsed?.ok && parsed.value.compare(Duration.ZERO) > 0 ? parsed.value : undefined;
}

/** injection.count; absent, zero or negative means 1 (as in the Go tool). */
export function resolveCount(experiment: PartialExperiment): number {
  const count = experiment.spec?.injection?.count;
  return count === undefined || count <= 0 ? Limits.defaultCount : count;
}

/** spec.tier; absent or 0 means "unset", which filters as tier 1. */
export function resolveTier(experiment: PartialExperiment): number {
  const tier = experiment.spec?.tier;
  return tier === undefined || tier === 0 ? Limits.defaultTier : tier;
}

/** The declared danger level, with "" (unset) as undefined. */
export function declaredDangerLevel(experiment: PartialExperiment): Exclude<DangerLevel, ""> | undefined {
  const level = experiment.spec?.injection?.dangerLevel;
  return level === undefined || level === DangerLevel.Unset ? undefined : level;
}
