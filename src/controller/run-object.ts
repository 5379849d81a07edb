// One run of one generation of a ChaosExperiment object, with the CLI's engine (runExperiment):
// finalizer first, then the run with its phases mirrored into status and Events, then the final
// status; the finalizer comes off only when the run confirms its journal is reverted.

import type { KubeConfig } from "@kubernetes/client-node";
import { ConditionStatus, RunPhase, RunVerdict } from "../experiment/enums.js";

type RunPhase = (typeof RunPhase)[keyof typeof RunPhase];
import type { ChaosExperiment } from "../experiment/types.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import { runExperiment } from "../engine/run.js";
import { EventReason, EventType, type EventRecorder } from "./events.js";
import type { ControllerMetrics } from "./metrics.js";
import type { ExperimentClient, ExperimentObject } from "./objects.js";
import { condition, conditionForPhase, ConditionType, finishedStatus, rfc3339, setCondition, type ExperimentStatus } from "./status.js";

export interface RunObjectOptions {
  object: ExperimentObject;
  experiment: ChaosExperiment;
  kubeconfig: KubeConfig;
  knowledge: readonly OperatorKnowledge[];
  client: ExperimentClient;
  events: EventRecorder;
  metrics: ControllerMetrics;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Each status write's resourceVersion (the reconciler ignores cached copies older than it). */
  wrote: (resourceVersion: string | undefined) => void;
}

export async function runObject(options: RunObjectOptions): Promise<void> {
  const { experiment, client, events, log } = options;
  const generation = options.object.metadata.generation;
  const name = `${options.object.metadata.namespace}/${options.object.metadata.name}`;
  const startedAt = Date.now();
  // The finalizer is on the object before anything is injected.
  const object = await client.addFinalizer(options.object, options.signal);
  let previous = object.status;
  let status: ExperimentStatus = {
    phase: RunPhase.Pending,
    observedGeneration: generation ?? 0,
    startTime: rfc3339(startedAt),
    message: `Running pre-checks for ${experiment.spec.target.operator}`,
    // A new generation starts afresh: the previous run's conditions are not this one's.
    conditions: [condition(ConditionType.Valid, ConditionStatus.True, "Validated", "the experiment is valid", generation, new Date())],
  };
  // Status writes in order, one at a time; a failed write is logged and the next one carries on.
  let writes: Promise<void> = Promise.resolve();
  const write = (next: ExperimentStatus) => {
    const before = previous;
    previous = next;
    writes = writes.then(async () => options.wrote(await client.writeStatus(object, before, next)))
      .catch((error: Error) => log(`${name}: status write failed: ${error.message}`));
    return writes;
  };
  await write(status);
  await events.record(object, EventType.Normal, EventReason.ExperimentStarted, `Started ${experiment.spec.injection.type} against ${experiment.spec.target.operator}/${experiment.spec.target.component} (generation ${generation})`);

  const onPhase = (phase: RunPhase) => {
    if (phase === RunPhase.Pending || phase === RunPhase.Complete || phase === RunPhase.Aborted) return;
    const now = new Date();
    const established = conditionForPhase(phase, generation, now);
    status = {
      ...status, phase, message: `phase ${phase}`,
      ...(phase === RunPhase.Observing ? { injectionStartedAt: rfc3339(now) } : {}),
      ...(established ? { conditions: setCondition(status.conditions, established) } : {}),
    };
    void write(status);
    void events.record(object, EventType.Normal, EventReason.PhaseTransition, `Phase ${phase}`);
    if (phase === RunPhase.Observing) void events.record(object, EventType.Normal, EventReason.FaultInjected, `${experiment.spec.injection.type} injected`);
  };

  const result = await runExperiment({
    experiment, kubeconfig: options.kubeconfig, knowledge: options.knowledge, signal: options.signal, onPhase,
    // As the Go tool's controller: the status is the result; no result ConfigMap.
    resultConfigMap: false,
    progress: (line) => log(`${name}: ${line}`),
  });
  await writes;
  status = finishedStatus(status, { phase: result.phase as RunPhase, report: result.report, evaluation: result.evaluation,
    ...(result.error ? { error: result.error } : {}), ...(result.cleanupError ? { cleanupError: result.cleanupError } : {}) }, generation, new Date());
  await write(status);
  const labels = { operator: experiment.spec.target.operator, injection_type: experiment.spec.injection.type };
  options.metrics.runDuration.observe({ ...labels, phase: result.phase }, (Date.now() - startedAt) / 1000);
  const verdict = result.evaluation.verdict;
  await events.record(object, verdict === RunVerdict.Resilient ? EventType.Normal : EventType.Warning, EventReason.VerdictReached, `Verdict: ${verdict} (${result.evaluation.confidence})`);
  if (result.phase === RunPhase.Complete) await events.record(object, EventType.Normal, EventReason.ExperimentComplete, status.message ?? "");
  else await events.record(object, EventType.Warning, EventReason.ExperimentAborted, status.message ?? "");
  if (result.cleanupError) {
    options.metrics.revertFailures.inc(labels);
    await events.record(object, EventType.Warning, EventReason.RevertFailed, result.cleanupError);
    log(`${name}: ${result.cleanupError}; the finalizer stays until the journal is reverted`);
    return;
  }
  if (result.revert) await events.record(object, EventType.Normal, EventReason.FaultReverted, `Journal reverted and closed (${result.revert.attempts} attempt(s))`);
  await client.removeFinalizer(object);
}
