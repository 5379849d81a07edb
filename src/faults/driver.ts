// The contract of a fault type. Each of the 20 types lives in its own file and exports one driver.
// Today a driver describes its parameters and validates them (pure, no I/O); the run engine will add
// plan / inject / confirm / revert to the same objects. Those take every capability they need through
// a context object, so this module and the drivers never import the Kubernetes client at top level.

import type { Issue } from "../experiment/diagnostic.js";
import type { DangerLevel, InjectionType } from "../experiment/enums.js";
import type { ChaosExperiment } from "../experiment/types.js";
import type { JournalRecord } from "../journal/journal.js";
import type { SteadyStateCheckRef } from "../observe/timeline.js";

export type FaultScope = "namespaced" | "cluster";

/**
 * instantaneous: a one-off change the operator is expected to repair; recovery is timed from injection.
 * sustained: held for a window and then reverted by the tool; recovery is timed from the revert.
 */
export type FaultPersistence = "instantaneous" | "sustained";

export type DeclaredDangerLevel = Exclude<DangerLevel, "">;

export type FaultParameters = Readonly<Record<string, string>>;

export interface ParameterDoc {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
  /** The value used when the parameter is absent. */
  readonly default?: string;
  /** The only accepted values, when the set is closed. */
  readonly values?: readonly string[];
}

/** What parameter validation may look at besides the parameters themselves. */
export interface FaultValidationContext {
  readonly dangerLevel: DeclaredDangerLevel | undefined;
  /** injection.count with the Go tool's reading: absent, zero or negative means 1. */
  readonly count: number;
  readonly maxPodsAffected: number | undefined;
  readonly allowedNamespaces: readonly string[];
}

/** Where `init` puts the skeleton and what it targets. */
export interface SkeletonTarget {
  readonly operator: string;
  readonly component: string;
  readonly namespace: string;
}

/** A Kubernetes object a fault touches. */
export interface ObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/**
 * Supplied by the run engine. Cluster access and the journal are typed by the modules that own them
 * (src/kube, src/journal); here they are opaque so validation never depends on them.
 */
export interface FaultRuntimeContext<Cluster = unknown, Journal = unknown> {
  readonly experiment: ChaosExperiment;
  /** The namespace the experiment resolved to. */
  readonly namespace: string;
  readonly cluster: Cluster;
  readonly journal: Journal;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/** The exact objects and changes a fault will make, computed before anything is touched. */
export interface FaultPlan<Data = unknown> {
  readonly type: InjectionType;
  readonly targets: readonly ObjectReference[];
  readonly summary: string;
  readonly data: Data;
}

/** Everything needed to undo one change, written before the change is made. */
export interface RevertRecord<Data = unknown> {
  readonly type: InjectionType;
  readonly target: ObjectReference;
  readonly data: Data;
}

/** One API permission a fault needs; checked (SelfSubjectAccessReview) before anything is touched. */
export interface PermissionNeed {
  readonly verb: string;
  /** API group; "" for the core group. */
  readonly group: string;
  readonly resource: string;
  /** Absent for cluster-wide permissions. */
  readonly namespace?: string;
}

/** Pods whose restarts and replacements the observer should record. */
export interface PodSelection {
  readonly namespace: string;
  readonly labelSelector?: string;
  /** e.g. `spec.serviceAccountName=NAME`: the pods that run as an identity. */
  readonly fieldSelector?: string;
}

export interface FaultDriver {
  readonly type: InjectionType;
  /** One line: what the fault does. */
  readonly summary: string;
  /** The usual scope; `scopeFor` gives the scope for given parameters. */
  readonly scope: FaultScope;
  /** When the scope depends on the parameters, in words (shown by `types`). */
  readonly scopeNote?: string;
  scopeFor(parameters: FaultParameters): FaultScope;
  readonly persistence: FaultPersistence;
  readonly defaultDangerLevel: DeclaredDangerLevel;
  /** The tier `init` writes. */
  readonly defaultTier: number;
  readonly requiredParameters: readonly string[];
  /** Groups of which at least one parameter must be given (e.g. CRDMutation: path or field). */
  readonly requiredOneOf?: readonly (readonly string[])[];
  readonly parameterDocs: readonly ParameterDoc[];
  /**
   * Pure checks of the parameters. Issue paths are relative to spec.injection
   * (`parameters.labelSelector`, `dangerLevel`, `count`).
   */
  validateParameters(parameters: FaultParameters, context: FaultValidationContext): Issue[];
  /** Example parameters for `init`; valid and warning-free for the given target. */
  skeleton(target: SkeletonTarget): Record<string, string>;

  // Runtime operations. A type without them can be validated but not run.
  /**
   * Extra steady-state checks that the operator's repair must satisfy (e.g. ConfigDrift: the key has
   * its original value again). `redact` keeps the expected value out of reports.
   */
  repairChecks?(plan: FaultPlan): readonly (SteadyStateCheckRef & { redact?: boolean })[];
  /** Reads the cluster and says exactly what the fault will touch; changes nothing. */
  plan?(context: FaultRuntimeContext): Promise<FaultPlan>;
  /** Makes the change, writing each journal record (context.journal) BEFORE the mutation it describes. */
  inject?(context: FaultRuntimeContext, plan: FaultPlan): Promise<readonly JournalRecord[]>;
  /** Whether the fault really took effect (pod gone, policy present, …). */
  confirm?(context: FaultRuntimeContext, plan: FaultPlan): Promise<boolean>;
  /** Idempotent; needs nothing but the record, so `clean` can revert a dead run's faults. */
  revert?(context: RevertContext, record: RevertRecord): Promise<void>;
  /** The permissions inject/confirm/revert will use, for the preflight. */
  permissions?(parameters: FaultParameters, namespace: string): readonly PermissionNeed[];
  /** Changes of this type left on the cluster without a journal record (e.g. by the Go tool), for `clean`. */
  leftovers?(context: RevertContext, namespace: string | undefined): Promise<readonly RevertRecord[]>;
  /** The pods to watch for restarts while the experiment runs. */
  observedPods?(context: FaultRuntimeContext, plan: FaultPlan): PodSelection | undefined;
}

/** Reverting needs the cluster, not the experiment or a journal: it must work for a dead run's record. */
export type RevertContext = Omit<FaultRuntimeContext, "experiment" | "journal">;

type DriverDefinition = Omit<FaultDriver, "scopeFor" | "requiredParameters"> & {
  scopeFor?: FaultDriver["scopeFor"];
};

/** Fills in what follows from the definition: required parameters from the docs, a fixed scope. */
export function defineFaultDriver(definition: DriverDefinition): FaultDriver {
  const fixedScope = definition.scope;
  return {
    ...definition,
    requiredParameters: definition.parameterDocs.filter((doc) => doc.required).map((doc) => doc.name),
    scopeFor: definition.scopeFor ?? (() => fixedScope),
  };
}
