// confirm()'s answer into the timeline: a plain boolean (PodKill, ConfigDrift) or a Confirmation
// carrying its evidence, the reason it failed, or that an effect must still be observed.
import type { Confirmation, FaultPlan } from "../faults/driver.js";
import type { TimelineRecorder } from "../observe/timeline.js";

export function recordConfirmation(recorder: TimelineRecorder, plan: FaultPlan, answer: boolean | Confirmation): void {
  const confirmation: Confirmation = typeof answer === "boolean" ? { confirmed: answer } : answer;
  if (confirmation.confirmed) {
    recorder.record({
      type: "injectionConfirmed", detail: plan.summary,
      ...(confirmation.evidence ? { evidence: confirmation.evidence } : {}),
      ...(confirmation.needsObservedEffect ? { needsObservedEffect: true } : {}),
    });
  } else {
    recorder.record({ type: "injectionUnconfirmed", reason: confirmation.reason ?? "the fault did not take effect" });
  }
}
