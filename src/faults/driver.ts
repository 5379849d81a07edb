// The contract of a fault type, in two parts.
//
// A FaultSpec describes one type's parameters and validates them. It is pure (no I/O): validation,
// `types`, `init`, the docs and the JSON Schema read the specs of all 20 types (src/faults/registry.ts).
//
// A RunnableFault<Plan, Record> adds what `run` and `clean` need: plan / inject / confirm / revert /
// permissions (all required), with the plan's data and the journal record's data typed per fault.
// Everything it needs from the cluster comes through its context (context.cluster: REST, discovery,
// watches; context.journal), imported here as types only, so a fault file imports no HTTP or client
// module at its top and the purity test (src/experiment/purity.test.ts) still holds without dynamic imports.
//
// Adding a runnable fault (one file, src/faults/<type>.ts, holds its whole story):
//   1. `export const xSpec = defineFaultSpec({ type, summary, parameterDocs, validateParameters, skeleton, ... })`
//   2. `export const x = defineRunnableFault<XPlan, XRecord>(xSpec, { permissions, plan, inject, confirm, revert,
//      leftovers?, observedPods?, repairChecks? })`. inject writes each record with context.journal.write(...)
//      BEFORE the mutation it describes; revert needs nothing but the record (a dead run's record, in `clean`),
//      is idempotent, and errors from src/kube/errors.ts classify API failures.
//   3. Register the spec in SPECS and the runnable fault in RUNNABLE (src/faults/registry.ts).
//   4. Prove it: an experiment in experiments/, a break switch in the demo operator, a lab test with both
//      verdicts, and a crash-harness scenario (test/reliability/scenarios.ts).

import type { Issue } from "../experiment/diagnostic.js";
import type { DangerLevel, InjectionType } from "../experiment/enums.js";
import type { ChaosExperiment } from "../experiment/types.js";
import type { ClusterAccess } from "../engine/context.js";
import type { Journal, JournalRecord } from "../journal/journal.js";
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

/** Supplied by the run engine to plan, inject and confirm a fault. */
export interface FaultContext {
  readonly experiment: ChaosExperiment;
  /** The namespace the experiment resolved to. */
  readonly namespace: string;
  readonly cluster: ClusterAccess;
  readonly journal: Journal;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/** @deprecated the name before runnable faults had their own type; use FaultContext. */
export type FaultRuntimeContext = FaultContext;

/** The exact objects and changes a fault will make, computed before anything is touched. */
export interface FaultPlan<Data = unknown> {
  readonly type: InjectionType;
  readonly targets: readonly ObjectReference[];
  readonly summary: string;
  readonly data: Data;
  /**
   * The target pods stay (isolated, not killed): a replacement of one is not the fault's doing and
   * counts as a restart (recovered_by_restart). Absent: Pod targets are killed by the fault.
   */
  readonly podsSurvive?: boolean;
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

/** One fault type's parameters: documented, validated, exemplified. Pure. */
export interface FaultSpec {
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
}

/** @deprecated the name before runnable faults had their own type; use FaultSpec. */
export type FaultDriver = FaultSpec;

/**
 * A fault the engine can run. `PlanData` is what plan() computed (and what inject, confirm and
 * repairChecks read); `RecordData` is what each journal record holds, all revert may rely on.
 * (Methods, not function properties: any runnable fault is then a RunnableFault<unknown, unknown>,
 * which is how the engine and `clean` hold them.)
 */
export interface RunnableFault<PlanData = unknown, RecordData = unknown> {
  readonly spec: FaultSpec;
  /** The permissions inject/confirm/revert will use, for the preflight. */
  permissions(parameters: FaultParameters, namespace: string): readonly PermissionNeed[];
  /** Reads the cluster and says exactly what the fault will touch; changes nothing. Bad input is an error here. */
  plan(context: FaultContext): Promise<FaultPlan<PlanData>>;
  /** Makes the change, writing each journal record (context.journal) BEFORE the mutation it describes. */
  inject(context: FaultContext, plan: FaultPlan<PlanData>): Promise<readonly JournalRecord<RecordData>[]>;
  /**
   * Whether the fault really took effect, by its effect where that can be seen (a revoked subject's
   * SubjectAccessReview denied); see Confirmation. Each fault says in its file what evidence it uses.
   */
  confirm(context: FaultContext, plan: FaultPlan<PlanData>): Promise<boolean | Confirmation>;
  /** Idempotent; needs nothing but the record, so `clean` can revert a dead run's faults. */
  revert(context: RevertContext, record: RevertRecord<RecordData>): Promise<void>;
  /**
   * Extra steady-state checks that the operator's repair must satisfy (e.g. ConfigDrift: the key has
   * its original value again). `redact` keeps the expected value out of reports.
   */
  repairChecks?(plan: FaultPlan<PlanData>): readonly (SteadyStateCheckRef & { redact?: boolean })[];
  /** Changes of this type left on the cluster without a journal record (e.g. by the Go tool), for `clean`. */
  leftovers?(context: RevertContext, namespace: string | undefined): Promise<readonly RevertRecord<RecordData>[]>;
  /** The pods to watch for restarts while the experiment runs. */
  observedPods?(context: FaultContext, plan: FaultPlan<PlanData>): PodSelection | undefined;
}

/**
 * confirm()'s answer with its evidence. `needsObservedEffect`: the fault is in place but its presence
 * proves nothing (a NetworkPolicy a network plugin may not enforce), so an effect must be observed
 * while it is held (a reconcile probe left unrepaired, lost steady state, a Lease no longer renewed)
 * or the run cannot be Resilient. `reason`: why it is not confirmed (e.g. the subject keeps its
 * rights through another binding, named).
 */
export interface Confirmation {
  readonly confirmed: boolean;
  readonly evidence?: string;
  readonly needsObservedEffect?: boolean;
  readonly reason?: string;
}

/** Any runnable fault, as the registry, the engine and `clean` hold it. */
export type AnyRunnableFault = RunnableFault<unknown, unknown>;

/** Reverting needs the cluster, not the experiment or a journal: it must work for a dead run's record. */
export type RevertContext = Omit<FaultContext, "experiment" | "journal">;

type SpecDefinition = Omit<FaultSpec, "scopeFor" | "requiredParameters"> & {
  scopeFor?: FaultSpec["scopeFor"];
};

/** Fills in what follows from the definition: required parameters from the docs, a fixed scope. */
export function defineFaultSpec(definition: SpecDefinition): FaultSpec {
  const fixedScope = definition.scope;
  return {
    ...definition,
    requiredParameters: definition.parameterDocs.filter((doc) => doc.required).map((doc) => doc.name),
    scopeFor: definition.scopeFor ?? (() => fixedScope),
  };
}

/** @deprecated use defineFaultSpec. */
export const defineFaultDriver = defineFaultSpec;

/** Binds a spec to its runtime operations; the type parameters tie plan, inject, confirm and revert together. */
export function defineRunnableFault<PlanData, RecordData>(
  spec: FaultSpec,
  operations: Omit<RunnableFault<PlanData, RecordData>, "spec">,
): RunnableFault<PlanData, RecordData> {
  return { spec, ...operations };
}
