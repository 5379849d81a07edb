// What the controller does with one ChaosExperiment object: a pure decision from the object and
// from whether this controller has a run of it in flight. The finalizer guards the revert: it is on
// the object before anything is injected and comes off only once the journal is confirmed empty.

import { ACTIVE_PHASES, isTerminal } from "./status.js";

/** The Go tool's finalizer name, so objects move between the two controllers. */
export const FINALIZER = "chaos.operatorchaos.io/cleanup";
/**
 * Escape hatch: with this annotation set to "true" a deleted object whose revert keeps failing
 * loses its finalizer after FORCE_AFTER_ATTEMPTS attempts (recorded in a Warning Event), leaving
 * the journal records on the cluster for `operator-chaos clean`.
 */
export const FORCE_REMOVE_ANNOTATION = "chaos.operatorchaos.io/force-remove-finalizer";
export const FORCE_AFTER_ATTEMPTS = 3;

export const Action = {
  /** Nothing to do. */
  Ignore: "ignore",
  /** Start a run of the current generation. */
  Run: "run",
  /** Stop the run in flight (it reverts); deletion or a new generation. */
  Abort: "abort",
  /** Deleted with our finalizer and no run in flight: revert what the journal holds, then remove it. */
  Release: "release",
  /** A run in an active phase that no one here is running: its controller died. Revert, mark Aborted. */
  Recover: "recover",
  /** A run is in flight for this generation. */
  Wait: "wait",
} as const;
export type Action = (typeof Action)[keyof typeof Action];

export interface ObjectView {
  metadata: { generation?: number; deletionTimestamp?: string; finalizers?: string[]; annotations?: Record<string, string> };
  status?: { phase?: string; observedGeneration?: number };
}

export interface InFlight {
  generation: number | undefined;
}

export const hasFinalizer = (object: ObjectView) => (object.metadata.finalizers ?? []).includes(FINALIZER);
export const forceRemoval = (object: ObjectView) => object.metadata.annotations?.[FORCE_REMOVE_ANNOTATION] === "true";

export function decide(object: ObjectView, inFlight: InFlight | undefined): Action {
  const deleting = object.metadata.deletionTimestamp !== undefined;
  if (inFlight) {
    if (deleting || inFlight.generation !== object.metadata.generation) return Action.Abort;
    return Action.Wait;
  }
  if (deleting) return hasFinalizer(object) ? Action.Release : Action.Ignore;
  const phase = object.status?.phase;
  if (phase !== undefined && ACTIVE_PHASES.has(phase)) return Action.Recover;
  const done = object.status?.observedGeneration === object.metadata.generation && (isTerminal(phase));
  if (done) return hasFinalizer(object) ? Action.Release : Action.Ignore;
  return Action.Run;
}

/** After a failed release attempt: give up the finalizer (escape hatch) or retry. */
export function afterFailedRelease(object: ObjectView, attempts: number): "force" | "retry" {
  return forceRemoval(object) && attempts >= FORCE_AFTER_ATTEMPTS ? "force" : "retry";
}

/** The JSON patch that removes our finalizer, guarded by a test so a concurrent change is not overwritten. */
export function removeFinalizerPatch(finalizers: readonly string[]): unknown[] {
  const index = finalizers.indexOf(FINALIZER);
  if (index < 0) return [];
  return [{ op: "test", path: `/metadata/finalizers/${index}`, value: FINALIZER }, { op: "remove", path: `/metadata/finalizers/${index}` }];
}

export function addFinalizerPatch(finalizers: readonly string[] | undefined): unknown[] {
  if (finalizers?.includes(FINALIZER)) return [];
  return finalizers === undefined
    ? [{ op: "add", path: "/metadata/finalizers", value: [FINALIZER] }]
    : [{ op: "add", path: "/metadata/finalizers/-", value: FINALIZER }];
}
