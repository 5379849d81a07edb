// The recorded observations of one run, as plain data, and the pure derivations the verdict needs.
// Every event carries `at`: milliseconds since the epoch, taken when the observer saw the change (for
// watched objects: when the watch event arrived), never a poll tick.

import { RunPhase } from "../experiment/enums.js";

/** Run phases, as wire strings (the same names the Go tool writes into `status.phase`). */
export const Phase = RunPhase;
export type Phase = (typeof Phase)[keyof typeof Phase];
export const PHASES: readonly Phase[] = Object.values(Phase);

/**
 * How a fault behaves: an instantaneous fault is done at injection and the operator is expected to repair
 * it; a sustained fault is held, then reverted by the tool.
 */
export type Persistence = "instantaneous" | "sustained";

/** The steady-state check definition as it appears in reports (Go tool field names, all optional but type). */
export interface SteadyStateCheckRef {
  type: string;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  conditionType?: string;
  fieldPath?: string;
  expectedValue?: string;
}

export interface CheckDetail {
  check: SteadyStateCheckRef;
  passed: boolean;
  value?: string;
  error?: string;
}

/** One evaluation of every steady-state check (the pre-check, the post-check, a collateral check). */
export interface CheckOutcome {
  passed: boolean;
  checksRun: number;
  checksPassed: number;
  details: CheckDetail[];
}

/** An object named by the knowledge model (a managed resource). No namespace = cluster-scoped. */
export interface ResourceRef {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export type ManagedResourceStatus = "ok" | "missing" | "specDrift" | "ownerRefMissing";

/** What the tool itself was doing when its bookkeeping failed. */
export type ToolOperation = "journal" | "lock" | "revert" | "observe" | "report" | "other";

export interface PhaseChangedEvent {
  type: "phase";
  at: number;
  phase: Phase;
}
export interface InjectionStartedEvent {
  type: "injectionStarted";
  at: number;
  faultType: string;
  /** The objects the fault touches, e.g. `Pod/ns/name`. */
  targets: string[];
}
export interface InjectionConfirmedEvent {
  type: "injectionConfirmed";
  at: number;
  detail: string;
  /** What showed that the fault took effect (e.g. a SubjectAccessReview now denied). */
  evidence?: string;
  /**
   * The fault's presence does not show its effect (a NetworkPolicy a plugin may not enforce): an
   * effect must be observed during the hold (faultEffect, an unrepaired probe, lost steady state).
   */
  needsObservedEffect?: boolean;
}
/** The run was refused before anything was injected (not runnable, preflight, lock, blast radius, pre-check). */
export interface RunRefusedEvent {
  type: "runRefused";
  at: number;
  reason: string;
}
/** Something observed that shows the fault bit (e.g. the operator's leader Lease stopped being renewed). */
export interface FaultEffectEvent {
  type: "faultEffect";
  at: number;
  evidence: string;
}
/**
 * The reconcile probe: a small journaled change the operator must undo. Sent while a sustained
 * fault is held (stage "fault": staying unrepaired shows the fault bit) or after the revert / an
 * instantaneous fault's recovery (stage "recovery": its repair shows reconciliation works again).
 */
export type ProbeStage = "fault" | "recovery";
export interface ProbeSentEvent {
  type: "probeSent";
  at: number;
  stage: ProbeStage;
  /** The object and the change, e.g. `label app.kubernetes.io/instance on Deployment/ns/x`. */
  probe: string;
  /** Kind/namespace/name of the probed object (its managed-resource drift is the probe's, not the fault's). */
  resource: string;
}
export interface ProbeRepairedEvent {
  type: "probeRepaired";
  at: number;
  stage: ProbeStage;
  probe: string;
  resource: string;
  sentAt: number;
  /** From the later of the sending and the start of the stage (the revert) to the repair. */
  roundTripMs: number;
}
export interface ProbeUnrepairedEvent {
  type: "probeUnrepaired";
  at: number;
  stage: ProbeStage;
  probe: string;
  resource: string;
  sentAt: number;
  /** How long the tool waited in this stage. */
  waitedMs: number;
}
/** The tool gave up confirming that the fault took effect (one such event makes the run inconclusive). */
export interface InjectionUnconfirmedEvent {
  type: "injectionUnconfirmed";
  at: number;
  reason: string;
}
export interface CheckTransitionEvent {
  type: "checkTransition";
  at: number;
  checkId: string;
  passed: boolean;
  detail: string;
}
/** Every steady-state check passes (recorded when the conjunction flips to true). */
export interface SteadyStateHoldsEvent {
  type: "steadyStateHolds";
  at: number;
}
/** At least one steady-state check fails (recorded when the conjunction flips to false). */
export interface SteadyStateLostEvent {
  type: "steadyStateLost";
  at: number;
  failingChecks: string[];
}
/** A container of a target pod restarted (its restartCount went up). */
export interface PodRestartedEvent {
  type: "podRestarted";
  at: number;
  pod: string;
  container?: string;
  restartCount: number;
}
/** A new target pod replaced another; `causedByFault` when the replaced pod is one the fault deleted. */
export interface PodReplacedEvent {
  type: "podReplaced";
  at: number;
  pod: string;
  previousPod?: string;
  causedByFault: boolean;
}
export interface FaultRevertedEvent {
  type: "faultReverted";
  at: number;
  detail?: string;
}
/** The engine concluded that everything holds again. Informational: derivations use the state events. */
export interface RecoveryDetectedEvent {
  type: "recoveryDetected";
  at: number;
}
/** A watch could not be resumed without losing events: the record has a hole from `at` on. */
export interface WatchGapEvent {
  type: "watchGap";
  at: number;
  watch: string;
  reason: string;
}
/**
 * A watch was down — refused, broken, or silent past its idle bound (a stalled connection) — from
 * `at`, its last sign of life, to `until` (absent: still down when observation ended). It resumed
 * from its last resourceVersion, so nothing was lost, but events it delivered after `until` carry
 * their arrival time, not the time they happened.
 */
export interface WatchOutageEvent {
  type: "watchOutage";
  at: number;
  until?: number;
  watch: string;
  reason: string;
}
export interface ToolErrorEvent {
  type: "toolError";
  at: number;
  operation: ToolOperation;
  message: string;
}
export interface PreCheckEvent {
  type: "preCheck";
  at: number;
  result: CheckOutcome;
}
export interface PostCheckEvent {
  type: "postCheck";
  at: number;
  result: CheckOutcome;
}
export interface ManagedResourceEvent {
  type: "managedResource";
  at: number;
  resource: ResourceRef;
  status: ManagedResourceStatus;
  detail: string;
}
/** How many reconcile cycles the operator has run since injection, when the observer can tell. */
export interface ReconcileCyclesEvent {
  type: "reconcileCycles";
  at: number;
  count: number;
}
/** The steady state of a dependent component (knowledge-model dependency graph). */
export interface CollateralEvent {
  type: "collateral";
  at: number;
  operator: string;
  component: string;
  passed: boolean;
  result?: CheckOutcome;
}

export type TimelineEvent =
  | PhaseChangedEvent
  | InjectionStartedEvent
  | InjectionConfirmedEvent
  | InjectionUnconfirmedEvent
  | FaultEffectEvent
  | RunRefusedEvent
  | ProbeSentEvent
  | ProbeRepairedEvent
  | ProbeUnrepairedEvent
  | CheckTransitionEvent
  | SteadyStateHoldsEvent
  | SteadyStateLostEvent
  | PodRestartedEvent
  | PodReplacedEvent
  | FaultRevertedEvent
  | RecoveryDetectedEvent
  | WatchGapEvent
  | WatchOutageEvent
  | ToolErrorEvent
  | PreCheckEvent
  | PostCheckEvent
  | ManagedResourceEvent
  | ReconcileCyclesEvent
  | CollateralEvent;

export type TimelineEventType = TimelineEvent["type"];
export type EventOfType<T extends TimelineEventType> = Extract<TimelineEvent, { type: T }>;
export type Timeline = readonly TimelineEvent[];

/** An event as handed to the recorder: `at` may be left to the recorder's clock. */
export type NewTimelineEvent = TimelineEvent extends infer E
  ? E extends TimelineEvent
    ? Omit<E, "at"> & { at?: number }
    : never
  : never;

/** Collects events during a run. The clock is injected so tests and the engine share one notion of now. */
export class TimelineRecorder {
  private readonly recorded: TimelineEvent[] = [];

  constructor(private readonly now: () => number) {}

  record(event: NewTimelineEvent): TimelineEvent {
    const complete = { ...event, at: event.at ?? this.now() } as TimelineEvent;
    this.recorded.push(complete);
    return complete;
  }

  /** The events so far, in time order (a copy). */
  events(): TimelineEvent[] {
    return sortEvents(this.recorded);
  }
}

/** Events in time order; events with the same timestamp keep their recording order. */
export function sortEvents(timeline: Timeline): TimelineEvent[] {
  return timeline
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at - b.event.at || a.index - b.index)
    .map(({ event }) => event);
}

export function eventsOfType<T extends TimelineEventType>(timeline: Timeline, type: T): EventOfType<T>[] {
  return timeline.filter((event): event is EventOfType<T> => event.type === type);
}

export function firstEventOfType<T extends TimelineEventType>(timeline: Timeline, type: T): EventOfType<T> | undefined {
  return eventsOfType(sortEvents(timeline), type)[0];
}

export function lastEventOfType<T extends TimelineEventType>(timeline: Timeline, type: T): EventOfType<T> | undefined {
  return eventsOfType(sortEvents(timeline), type).at(-1);
}

/** The phase the run ended in (the last phase change), if any was recorded. */
export function finalPhase(timeline: Timeline): Phase | undefined {
  return lastEventOfType(timeline, "phase")?.phase;
}

/** The last reconcile-cycle count recorded, if the observer could count cycles. */
export function latestReconcileCycles(timeline: Timeline): number | undefined {
  return lastEventOfType(timeline, "reconcileCycles")?.count;
}

export function resourceKey(resource: ResourceRef): string {
  return resource.namespace ? `${resource.kind}/${resource.namespace}/${resource.name}` : `${resource.kind}/${resource.name}`;
}

/** The latest status of every managed resource, keyed by `Kind/namespace/name`, in first-seen order. */
export function managedResourceStatuses(timeline: Timeline): Map<string, ManagedResourceEvent> {
  const latest = new Map<string, ManagedResourceEvent>();
  for (const event of eventsOfType(sortEvents(timeline), "managedResource")) latest.set(resourceKey(event.resource), event);
  return latest;
}

/** The latest result of every dependent component, keyed by `operator/component`, in first-seen order. */
export function collateralResults(timeline: Timeline): Map<string, CollateralEvent> {
  const latest = new Map<string, CollateralEvent>();
  for (const event of eventsOfType(sortEvents(timeline), "collateral")) latest.set(`${event.operator}/${event.component}`, event);
  return latest;
}

/**
 * Whether the whole steady state holds after each event (in time order): every steady-state check passes
 * and every managed resource the knowledge model names is ok. Before any check result is known it does not
 * hold. Pre- and post-check results count as check results. A managed resource the reconcile probe
 * changed counts as ok while the probe is outstanding: that drift is the tool's own, judged by the probe.
 */
export function wholeSteadyStateTrace(timeline: Timeline): { event: TimelineEvent; holds: boolean }[] {
  const events = sortEvents(timeline);
  let checksHold: boolean | undefined;
  const resourceOk = new Map<string, boolean>();
  const probed = new Set<string>();
  const trace: { event: TimelineEvent; holds: boolean }[] = [];
  for (const event of events) {
    switch (event.type) {
      case "probeSent":
        probed.add(event.resource);
        resourceOk.delete(event.resource);
        break;
      case "probeRepaired":
        probed.delete(event.resource);
        break;
      case "preCheck":
      case "postCheck":
        checksHold = event.result.passed;
        break;
      case "steadyStateHolds":
        checksHold = true;
        break;
      case "steadyStateLost":
        checksHold = false;
        break;
      case "managedResource":
        if (!probed.has(resourceKey(event.resource))) resourceOk.set(resourceKey(event.resource), event.status === "ok");
        break;
      default:
        break;
    }
    const holds = checksHold === true && [...resourceOk.values()].every(Boolean);
    trace.push({ event, holds });
  }
  return trace;
}

/**
 * When recovery can start: the injection for an instantaneous fault; the revert (the last one, so a fault
 * reverted object by object counts as reverted when the last object is back) for a sustained fault.
 */
export function recoveryStart(timeline: Timeline, persistence: Persistence): number | undefined {
  const events = sortEvents(timeline);
  const index = recoveryStartIndex(events, persistence);
  return index === undefined ? undefined : events[index]?.at;
}

function recoveryStartIndex(events: readonly TimelineEvent[], persistence: Persistence): number | undefined {
  const injection = events.findIndex((event) => event.type === "injectionStarted");
  if (injection < 0) return undefined;
  if (persistence === "instantaneous") return injection;
  let revert: number | undefined;
  events.forEach((event, index) => {
    if (event.type === "faultReverted" && index > injection) revert = index;
  });
  return revert;
}

export type TargetRestart = PodRestartedEvent | PodReplacedEvent;

export interface RecoveryAnalysis {
  injectedAt?: number;
  recoveryStartAt?: number;
  /** The first moment at or after the injection when the whole steady state did not hold. */
  disruptedAt?: number;
  /** The first moment at or after recovery start when the whole steady state held again (after the disruption). */
  recoveredAt?: number;
  /** recoveredAt − recoveryStartAt; 0 when the steady state was never disrupted. */
  recoveryTimeMs?: number;
  /** Target pod restarts, and replacements the fault did not cause, between injection and recovery. */
  restarts: TargetRestart[];
}

/**
 * The raw derivations from one pass over the events: the first moment the steady state held again.
 * Whether that recovery settled, and flapping, are the verdict's to judge (src/verdict/flapping.ts).
 */
export function analyzeRecovery(
  timeline: Timeline,
  options: { persistence: Persistence; stabilityWindowMs?: number },
): RecoveryAnalysis {
  const trace = wholeSteadyStateTrace(timeline);
  const events = trace.map((step) => step.event);
  const injection = events.findIndex((event) => event.type === "injectionStarted");
  if (injection < 0) return { restarts: [] };
  const injectedAt = events[injection]!.at;
  const start = recoveryStartIndex(events, options.persistence);
  const disruption = trace.findIndex((step, index) => index >= injection && !step.holds);
  const disruptedAt = disruption >= 0 ? trace[disruption]!.event.at : undefined;

  let recovered: number | undefined;
  if (start !== undefined) {
    if (disruption < 0) {
      // Never disrupted: nothing to recover from.
      recovered = start;
    } else {
      const from = Math.max(disruption, start);
      // A sustained fault may have been ridden out before its revert: then recovery takes no time.
      if (trace[from]!.holds) recovered = from;
      else {
        const next = trace.findIndex((step, index) => index > from && step.holds);
        recovered = next >= 0 ? next : undefined;
      }
    }
  }
  const recoveryStartAt = start === undefined ? undefined : events[start]!.at;
  const recoveredAt = recovered === undefined ? undefined : events[recovered]!.at;
  const recoveryTimeMs =
    recoveredAt === undefined || recoveryStartAt === undefined ? undefined : recoveredAt - recoveryStartAt;

  // Restarts count from the injection, not only from recovery start: for a sustained fault, a pod that
  // crashed during the hold and came back is exactly the "recovered by restarting" a hypothesis rules out.
  const restartsUntil = recoveredAt ?? Number.POSITIVE_INFINITY;
  const restarts = events.filter(
    (event, index): event is TargetRestart =>
      index > injection &&
      event.at <= restartsUntil &&
      (event.type === "podRestarted" || (event.type === "podReplaced" && !event.causedByFault)),
  );

  return { injectedAt, recoveryStartAt, disruptedAt, recoveredAt, recoveryTimeMs, restarts };
}

/** Time from recovery start to the whole steady state holding again; undefined when it never did. */
export function recoveryTimeMs(timeline: Timeline, persistence: Persistence): number | undefined {
  return analyzeRecovery(timeline, { persistence, stabilityWindowMs: 0 }).recoveryTimeMs;
}

/** Target pod restarts (and replacements not caused by the fault) between injection and recovery. */
export function restartsDuringRecovery(timeline: Timeline, persistence: Persistence): TargetRestart[] {
  return analyzeRecovery(timeline, { persistence, stabilityWindowMs: 0 }).restarts;
}
