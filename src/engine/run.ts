import type { KubeConfig } from "@kubernetes/client-node";
import type { ChaosExperiment } from "../experiment/types.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import type { ManagedResourceSpec } from "../observe/managed.js";
import { isClusterScopedObject } from "../faults/parameters.js";
import type { AnyRunnableFault, FaultPlan, FaultSpec } from "../faults/driver.js";
import { findRunnableFault, getFaultSpec } from "../faults/registry.js";
import { Journal, newRunId, removeRecord, type JournalRecord } from "../journal/journal.js";
import { SteadyStateObserver } from "../observe/observer.js";
import { Phase, TimelineRecorder, type CheckOutcome, type SteadyStateCheckRef } from "../observe/timeline.js";
import { buildReport, type ReportExperiment } from "../report/report.js";
import type { ExperimentReport } from "../report/model.js";
import { evaluate, type Evaluation } from "../verdict/verdict.js";
import { clean, revertContext } from "./clean.js";
import { clusterAccess, type ClusterAccess, type RunContext } from "./context.js";
import { CrashPoint, crashPoint, revertBrokenForTest, testStep } from "./crash-points.js";
import { LockContentionError, OperatorLock, lockName } from "./lock.js";
import { RunRefusedError } from "./errors.js";
import { preflight } from "./preflight.js";
import { storeResultConfigMap } from "./result-configmap.js";
import { resolveNamespace, resolveTiming, type RunTiming, type TimingOverrides } from "./settings.js";

export interface RunOptions extends TimingOverrides {
  experiment: ChaosExperiment;
  /** Cluster credentials; not needed for a dry run without cluster access. */
  kubeconfig: KubeConfig;
  dryRun?: boolean;
  /** Where the lock Lease lives; defaults to the experiment's namespace. */
  lockNamespace?: string;
  /** Deadline for the whole run. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** One line per step, for the terminal. */
  progress?: (line: string) => void;
  /** Write the Go tool's result ConfigMap (default true). */
  resultConfigMap?: boolean;
  /** Knowledge models; the one for the target's operator adds its component's managed resources to the observation. */
  knowledge?: readonly OperatorKnowledge[];
}

export interface RunResult {
  report: ExperimentReport;
  evaluation: Evaluation;
  phase: Phase;
  /** Why the run stopped early (refused, pre-check failed, interrupted …). */
  error?: string;
  cleanupError?: string;
  /** API requests the run sent. */
  apiRequests: number;
  namespace: string;
  plan?: FaultPlan;
}


/**
 * Runs one experiment against a cluster: watch the steady state, inject, observe recovery,
 * revert, evaluate. Every mutation is journaled on the cluster first; any way out of this function
 * (error, abort, deadline) reverts what was injected before it returns.
 */
export async function runExperiment(options: RunOptions): Promise<RunResult> {
  const { experiment } = options;
  const progress = options.progress ?? (() => {});
  const recorder = new TimelineRecorder(() => Date.now());
  const spec = getFaultSpec(experiment.spec.injection.type);
  // Undefined for a type that can be validated but not run yet: the run is refused (below) with a report.
  const fault = findRunnableFault(spec.type);
  const namespace = resolveNamespace(experiment);
  const timing = resolveTiming(experiment, spec.persistence, options);
  const access = clusterAccess(options.kubeconfig);
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason ?? new Error("interrupted"));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const overall = setTimeout(() => controller.abort(new Error(`the run exceeded its --timeout of ${options.timeoutMs} ms`)), options.timeoutMs ?? 3_600_000);
  const signal = controller.signal;
  const phase = (p: Phase) => {
    recorder.record({ type: "phase", phase: p });
    progress(`phase ${p}`);
  };
  const runId = newRunId();
  const lock = new OperatorLock(access.rest, options.lockNamespace ?? namespace, experiment.spec.target.operator, `${experiment.metadata.name}/${runId}`);
  const journal = new Journal(access.rest, namespace, {
    runId, experiment: experiment.metadata.name, operator: experiment.spec.target.operator,
    lock: { namespace: lock.namespace, name: lock.name, holder: lock.holder },
  });
  const context: RunContext = { experiment, namespace, cluster: access, journal, signal, now: () => new Date() };
  const checks = resolvedChecks(experiment, namespace);
  let observer: SteadyStateObserver | undefined;
  let records: readonly JournalRecord[] = [];
  let lockHeld = false;
  let error: string | undefined;
  let cleanupError: string | undefined;
  let plan: FaultPlan | undefined;
  let finalPhase: Phase = Phase.Complete;

  phase(Phase.Pending);
  try {
    const runnable = requireRuntime(spec, fault);
    await preflight(access, runnable, experiment, namespace, lock.namespace, options.dryRun ?? false);
    if (!options.dryRun) {
      try {
        await lock.acquire();
      } catch (lockError) {
        if (lockError instanceof LockContentionError) throw new RunRefusedError(lockError.message);
        throw lockError;
      }
      lockHeld = true;
      // Faults of this operator that a dead run left behind go first.
      const swept = await clean({ access, namespace, operator: experiment.spec.target.operator, signal });
      for (const item of swept.items.filter((i) => i.outcome === "reverted")) progress(`reverted a leftover of an earlier run: ${item.faultType} ${item.target}`);
    }

    phase(Phase.SteadyStatePre);
    plan = await runnable.plan(context);
    observer = new SteadyStateObserver(access.rest, access.discovery, {
      checks: [...checks, ...(runnable.repairChecks?.(plan) ?? [])], pods: runnable.observedPods?.(context, plan),
      managed: managedResourcesFor(experiment, options.knowledge, namespace), recorder, signal,
    });
    const pre = await observer.start();
    recorder.record({ type: "preCheck", result: pre });
    if (!pre.passed) {
      throw new RunRefusedError(`pre-check failed: the system is not in its steady state (${failingSummary(pre)}); nothing was injected`);
    }
    const unreconciled = observer.unreconciled();
    if (unreconciled.length > 0) {
      throw new RunRefusedError(`pre-check failed: managed resources are not as the knowledge model says (${unreconciled.join("; ")}); nothing was injected`);
    }

    const affected = plan.targets.length;
    const max = experiment.spec.blastRadius.maxPodsAffected;
    if (affected > max) {
      throw new RunRefusedError(`blast radius exceeded: the fault would touch ${affected} objects (${plan.targets.map(refText).join(", ")}), blastRadius.maxPodsAffected is ${max}; nothing was injected`);
    }
    progress(`plan: ${plan.summary}`);
    if (options.dryRun) {
      progress("dry run: nothing injected");
      phase(Phase.Complete);
      return finish();
    }

    phase(Phase.Injecting);
    observer.countReconcileCycles();
    recorder.record({ type: "injectionStarted", faultType: spec.type, targets: plan.targets.map(refText) });
    // Before the kill: the replacement may be seen before inject returns.
    observer.markKilled(plan.targets.filter((t) => t.kind === "Pod").map((t) => t.name));
    records = await runnable.inject(context, plan);
    crashPoint(CrashPoint.Mutated);
    const confirmed = await runnable.confirm(context, plan);
    if (confirmed) recorder.record({ type: "injectionConfirmed", detail: plan.summary });
    else recorder.record({ type: "injectionUnconfirmed", reason: "the fault did not take effect" });

    phase(Phase.Observing);
    crashPoint(CrashPoint.Observing);
    await observe(observer, spec, timing, recorder, signal, progress, revertAll);

    // The post-check comes before an instantaneous fault's clean-up: the operator, not the tool,
    // must have repaired it. (A sustained fault was already reverted inside observe.)
    phase(Phase.SteadyStatePost);
    recorder.record({ type: "postCheck", result: observer.outcome() });
    // What the tool's own clean-up changes is not the operator's recovery: stop recording first.
    observer.stop();
    await revertAll();
    if (lock.lostReason) recorder.record({ type: "toolError", operation: "lock", message: lock.lostReason });
    phase(Phase.Evaluating);
    phase(Phase.Complete);
  } catch (caught) {
    finalPhase = Phase.Aborted;
    error = signal.aborted ? `interrupted: ${(signal.reason as Error)?.message ?? "aborted"}` : (caught as Error).message;
    if (!(caught instanceof RunRefusedError) && !signal.aborted) {
      recorder.record({ type: "toolError", operation: "other", message: error });
    }
    try {
      await revertAll();
    } catch (revertError) {
      cleanupError = (revertError as Error).message;
    }
    phase(Phase.Aborted);
  } finally {
    clearTimeout(overall);
    options.signal?.removeEventListener("abort", onAbort);
    observer?.stop();
    if (lockHeld) await lock.release().catch(() => {});
  }
  return finish();

  /** Reverts every record of this run (idempotent), then removes the records. */
  async function revertAll(): Promise<void> {
    // Records exist only once a runnable fault injected.
    if (records.length === 0 || !fault) return;
    const pending = records;
    records = [];
    await testStep(CrashPoint.Reverting);
    for (const record of [...pending].reverse()) {
      try {
        // A fresh signal: reverting must finish even when the run was interrupted.
        if (!revertBrokenForTest(record.faultType)) {
          await fault.revert(revertContext(access, namespace, new AbortController().signal, () => new Date()), { type: spec.type, target: record.target, data: record.data });
        }
        crashPoint(CrashPoint.Reverted);
        await removeRecord(access.rest, record);
      } catch (revertError) {
        recorder.record({ type: "toolError", operation: "revert", message: (revertError as Error).message });
        throw revertError;
      }
    }
    recorder.record({ type: "faultReverted", detail: `${pending.length} journaled change(s) reverted and closed` });
    progress(spec.persistence === "sustained" ? "fault reverted" : "journal closed (anything the operator did not repair was restored)");
  }

  async function finish(): Promise<RunResult> {
    const timeline = recorder.events();
    const model = knowledgeFor(experiment, options.knowledge);
    const evaluation = evaluate({
      timeline,
      hypothesis: { recoveryTimeoutMs: timing.recoveryTimeoutMs, persistence: spec.persistence, stabilityWindowMs: timing.stabilityWindowMs },
      dryRun: options.dryRun ?? false,
      ...(model?.recovery?.maxReconcileCycles !== undefined ? { maxReconcileCycles: model.recovery.maxReconcileCycles } : {}),
    });
    const report = buildReport({ experiment: reportExperiment(experiment, spec, timing), timeline, evaluation, generatedAt: Date.now() });
    if (cleanupError) report.cleanupError = cleanupError;
    // Extension fields (Go-tool readers ignore them): why the run stopped early, API requests sent.
    const extended = report as ExperimentReport & { apiRequests?: number; error?: string };
    if (error) extended.error = error;
    extended.apiRequests = access.rest.requestCount;
    if (!options.dryRun && options.resultConfigMap !== false) {
      await storeResultConfigMap(access.rest, namespace, report).catch((storeError: Error) => progress(`could not store the result ConfigMap: ${storeError.message}`));
    }
    return {
      report, evaluation, phase: finalPhase, namespace, apiRequests: access.rest.requestCount,
      ...(error ? { error } : {}), ...(cleanupError ? { cleanupError } : {}), ...(plan ? { plan } : {}),
    };
  }
}

/**
 * Observing. Instantaneous faults: recovery is watched from the injection. Sustained faults: the
 * fault is held for the hold window (what happens meanwhile is recorded), then reverted, and
 * recovery is watched from the revert. Either way the run ends once the steady state has held for
 * the stability window, or at the recovery timeout (always at the timeout with observeFull).
 */
async function observe(
  observer: SteadyStateObserver,
  spec: FaultSpec,
  timing: RunTiming,
  recorder: TimelineRecorder,
  signal: AbortSignal,
  progress: (line: string) => void,
  revert: () => Promise<void>,
): Promise<void> {
  if (spec.persistence === "sustained") {
    progress(`holding the fault for ${timing.holdMs} ms`);
    await abortableDelay(timing.holdMs, signal);
    await revert();
  }
  const deadline = Date.now() + timing.recoveryTimeoutMs;
  if (timing.observeFull) {
    await abortableDelay(timing.recoveryTimeoutMs, signal);
    return;
  }
  const outcome = await observer.waitForStable(timing.stabilityWindowMs, deadline, signal);
  if (outcome === "stable") recorder.record({ type: "recoveryDetected" });
  progress(outcome === "stable" ? "steady state holds again" : "recovery timeout reached");
}

/** A timer that is a deliberate part of the lifecycle (hold window, Go-compatible timing), not a poll. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveDelay, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolveDelay();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal.throwIfAborted();
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The model of the target's operator (every model is searched, not only the first as in the Go tool). */
function knowledgeFor(experiment: ChaosExperiment, knowledge: readonly OperatorKnowledge[] | undefined): OperatorKnowledge | undefined {
  return knowledge?.find((model) => model.operator.name === experiment.spec.target.operator
    && model.components.some((component) => component.name === experiment.spec.target.component));
}

function managedResourcesFor(experiment: ChaosExperiment, knowledge: readonly OperatorKnowledge[] | undefined, namespace: string): ManagedResourceSpec[] | undefined {
  const component = knowledgeFor(experiment, knowledge)?.components.find((c) => c.name === experiment.spec.target.component);
  if (!component) return undefined;
  // Each resource's own namespace when the model gives one (the Go tool always used the experiment's).
  return component.managedResources.map((resource) => ({
    ...resource,
    ...(resource.namespace || isClusterScopedObject(resource.apiVersion, resource.kind) ? {} : { namespace }),
  }) as ManagedResourceSpec);
}


function requireRuntime(spec: FaultSpec, fault: AnyRunnableFault | undefined): AnyRunnableFault {
  if (!fault) throw new RunRefusedError(`the ${spec.type} fault can be validated but not run yet by this version of operator-chaos`);
  return fault;
}

export function resolvedChecks(experiment: ChaosExperiment, namespace: string): SteadyStateCheckRef[] {
  return (experiment.spec.steadyState?.checks ?? []).map((check) => ({
    ...check, namespace: check.namespace || namespace,
  }) as SteadyStateCheckRef);
}

function failingSummary(outcome: CheckOutcome): string {
  return outcome.details.filter((d) => !d.passed).map((d) => `${d.check.type} ${d.check.kind}/${d.check.name}: ${d.value}`).join("; ");
}

const refText = (ref: { kind: string; name: string; namespace?: string }) => `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;

function reportExperiment(experiment: ChaosExperiment, spec: FaultSpec, timing: RunTiming): ReportExperiment {
  return {
    name: experiment.metadata.name,
    ...(experiment.spec.tier !== undefined ? { tier: experiment.spec.tier } : {}),
    target: experiment.spec.target,
    faultType: spec.type,
    ...(experiment.spec.injection.parameters ? { parameters: experiment.spec.injection.parameters } : {}),
    hypothesis: {
      description: experiment.spec.hypothesis.description,
      persistence: spec.persistence,
      recoveryTimeoutMs: timing.recoveryTimeoutMs,
      stabilityWindowMs: timing.stabilityWindowMs,
    },
  };
}

export { lockName, RunRefusedError, type ClusterAccess };
