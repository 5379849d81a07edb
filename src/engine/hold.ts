// The observing phase of a run: how long a fault is held, when the reconcile probe goes out, and
// when the run may end. The timing modes are in README "Fault duration".
//
// Default: a sustained fault is held for the hold (recoveryTimeout unless shortened, never past the
// ttl) with the probe out — staying unrepaired shows the fault bit — then reverted; recovery is
// watched from the revert and ends early once the steady state has held for the stability window
// and the probe is repaired. An instantaneous fault's recovery is watched from the injection, then
// the probe goes out and must be repaired within what is left of the recovery timeout.
// Go timing: nothing ends early; the post-check comes recoveryTimeout after the injection, a
// sustained fault still in place (the caller reverts after the post-check).
import type { FaultPersistence } from "../faults/driver.js";
import type { SteadyStateObserver } from "../observe/observer.js";
import type { TimelineRecorder } from "../observe/timeline.js";
import type { LeaseRenewals } from "../probe/lease-renewals.js";
import type { ReconcileProbe } from "../probe/runner.js";
import { abortableDelay } from "./delay.js";
import { TimingMode, type RunTiming } from "./settings.js";

/** An instantaneous fault's probe gets at least this long even when recovery used up the timeout. */
export const MIN_PROBE_WAIT_MS = 10_000;

export interface ObservePhase {
  observer: SteadyStateObserver;
  persistence: FaultPersistence;
  timing: RunTiming;
  recorder: TimelineRecorder;
  signal: AbortSignal;
  progress: (line: string) => void;
  /** Reverts the fault (sustained faults, default mode). */
  revert: () => Promise<void>;
  probe?: ReconcileProbe | undefined;
  /** Watches the leader Leases of the pods a fault cut off (an observed disconnect). */
  leases?: LeaseRenewals | undefined;
  injectedAt: number;
}

export async function observeRecovery(phase: ObservePhase): Promise<void> {
  if (phase.timing.mode === TimingMode.GoTiming) return goTiming(phase);
  if (phase.persistence === "sustained") return holdThenRecover(phase);
  return recoverThenProbe(phase);
}

async function holdThenRecover(phase: ObservePhase): Promise<void> {
  const { timing, probe, progress, signal } = phase;
  progress(`holding the fault for ${timing.holdMs} ms (${timing.holdSource})`);
  if (probe) {
    await probe.send("fault");
    progress(`reconcile probe sent: ${probe.description}`);
  }
  await abortableDelay(timing.holdMs, signal);
  noteHoldEffects(phase, Date.now());
  await phase.revert();
  const revertedAt = Date.now();
  const deadline = revertedAt + timing.recoveryTimeoutMs;
  const stable = phase.observer.waitForStable(timing.stabilityWindowMs, deadline, signal);
  stable.catch(() => {}); // an abort rejects it; that is handled where it is awaited
  if (probe) {
    if (probe.outstanding) probe.carryOver("recovery", revertedAt);
    else await probe.send("recovery");
    await probeVerdict(phase, probe, deadline);
  }
  await settle(phase, await stable);
}

async function recoverThenProbe(phase: ObservePhase): Promise<void> {
  const { timing, probe, signal } = phase;
  const deadline = phase.injectedAt + timing.recoveryTimeoutMs;
  const outcome = await phase.observer.waitForStable(timing.stabilityWindowMs, deadline, signal);
  await settle(phase, outcome);
  // Not recovered: the run is Failed by its checks; a probe would add nothing.
  if (outcome !== "stable" || !probe) return;
  await probe.send("recovery");
  phase.progress(`reconcile probe sent: ${probe.description}`);
  await probeVerdict(phase, probe, Math.max(deadline, Date.now() + MIN_PROBE_WAIT_MS));
}

async function goTiming(phase: ObservePhase): Promise<void> {
  const { timing, probe, signal } = phase;
  phase.progress(`Go timing: post-check ${timing.postCheckAfterMs} ms after the injection${phase.persistence === "sustained" ? ", the fault held until then" : ""}`);
  // The probe can only show the fault bit here (the post-check comes before any revert).
  if (probe && phase.persistence === "sustained") await probe.send("fault");
  await abortableDelay(Math.max(0, phase.injectedAt + timing.postCheckAfterMs - Date.now()), signal);
  if (phase.persistence === "sustained") noteHoldEffects(phase, Date.now());
}

/** At the end of the hold: an unrepaired probe, a Lease no longer renewed. */
function noteHoldEffects(phase: ObservePhase, now: number): void {
  if (phase.probe?.outstanding) phase.probe.recordUnrepaired("fault");
  const silence = phase.leases?.silence(phase.injectedAt, now);
  if (silence) phase.recorder.record({ type: "faultEffect", at: now, evidence: silence });
  phase.leases?.stop();
}

async function probeVerdict(phase: ObservePhase, probe: ReconcileProbe, deadline: number): Promise<void> {
  const repaired = await probe.waitRepaired(deadline, phase.signal);
  phase.signal.throwIfAborted();
  if (!repaired) probe.recordUnrepaired("recovery");
  phase.progress(repaired ? "reconcile probe repaired by the operator" : "reconcile probe NOT repaired: the operator does not reconcile");
}

async function settle(phase: ObservePhase, outcome: "stable" | "timeout"): Promise<void> {
  if (outcome === "stable") phase.recorder.record({ type: "recoveryDetected" });
  phase.progress(outcome === "stable" ? "steady state holds again" : "recovery timeout reached");
}
