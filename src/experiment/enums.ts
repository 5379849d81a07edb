// Wire strings of the ChaosExperiment format, as `as const` objects: usable as values
// (InjectionType.PodKill) and as types (InjectionType). Kept free of zod so that the fault registry,
// `types` and `init` load fast.

export const API_GROUP = "chaos.operatorchaos.io";
export const API_VERSION = "chaos.operatorchaos.io/v1alpha1";
export const EXPERIMENT_KIND = "ChaosExperiment";

export const InjectionType = {
  PodKill: "PodKill",
  NetworkPartition: "NetworkPartition",
  CRDMutation: "CRDMutation",
  ConfigDrift: "ConfigDrift",
  WebhookDisrupt: "WebhookDisrupt",
  RBACRevoke: "RBACRevoke",
  FinalizerBlock: "FinalizerBlock",
  ClientFault: "ClientFault",
  OwnerRefOrphan: "OwnerRefOrphan",
  QuotaExhaustion: "QuotaExhaustion",
  WebhookLatency: "WebhookLatency",
  NamespaceDeletion: "NamespaceDeletion",
  LabelStomping: "LabelStomping",
  SecretDeletion: "SecretDeletion",
  DeploymentScaleZero: "DeploymentScaleZero",
  LeaderElectionDisrupt: "LeaderElectionDisrupt",
  CrashLoopInject: "CrashLoopInject",
  ImageCorrupt: "ImageCorrupt",
  ResourceDeletion: "ResourceDeletion",
  PDBBlock: "PDBBlock",
} as const;
export type InjectionType = (typeof InjectionType)[keyof typeof InjectionType];
export const INJECTION_TYPES: readonly InjectionType[] = Object.values(InjectionType);

/** "" means "not set", as in the Go tool. */
export const DangerLevel = { Unset: "", Low: "low", Medium: "medium", High: "high" } as const;
export type DangerLevel = (typeof DangerLevel)[keyof typeof DangerLevel];
export const DANGER_LEVELS: readonly DangerLevel[] = Object.values(DangerLevel);

export const CheckType = {
  ConditionTrue: "conditionTrue",
  ResourceExists: "resourceExists",
  FieldEquals: "fieldEquals",
} as const;
export type CheckType = (typeof CheckType)[keyof typeof CheckType];
export const CHECK_TYPES: readonly CheckType[] = Object.values(CheckType);

/** The phases a run goes through (wire strings of status.phase and of report timelines). */
export const RunPhase = {
  Pending: "Pending",
  SteadyStatePre: "SteadyStatePre",
  Injecting: "Injecting",
  Observing: "Observing",
  SteadyStatePost: "SteadyStatePost",
  Evaluating: "Evaluating",
  Complete: "Complete",
  Aborted: "Aborted",
} as const;
/** As status.phase: a phase, or empty before the first reconcile. */
export const ExperimentPhase = { Unset: "", ...RunPhase } as const;
export type ExperimentPhase = (typeof ExperimentPhase)[keyof typeof ExperimentPhase];

/** The verdicts a run can reach. */
export const RunVerdict = {
  Resilient: "Resilient",
  Degraded: "Degraded",
  Failed: "Failed",
  Inconclusive: "Inconclusive",
} as const;
/** As status.verdict: a verdict, or empty before there is one. */
export const Verdict = { Unset: "", ...RunVerdict } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export const ConditionStatus = { True: "True", False: "False", Unknown: "Unknown" } as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

export const WebhookType = { Validating: "validating", Mutating: "mutating" } as const;
export type WebhookType = (typeof WebhookType)[keyof typeof WebhookType];

/** Limits and defaults of the format (same values as the Go tool). */
export const Limits = {
  maxFileBytes: 1024 * 1024,
  defaultRecoveryTimeout: "60s",
  maxRecoveryTimeout: "1h",
  maxInjectionTtl: "1h",
  minTier: 1,
  maxTier: 6,
  defaultTier: 1,
  minCount: 1,
  maxCount: 100,
  defaultCount: 1,
  maxNameLength: 253,
} as const;

/** RFC 1123-style names for target.operator / target.component (also used for many parameters). */
export const KUBERNETES_NAME_PATTERN = "^[a-z0-9]([a-z0-9.\\-]*[a-z0-9])?$";
