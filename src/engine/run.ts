import type { KubeConfig } from "@kubernetes/client-node";
import { Duration } from "../experiment/duration.js";
import type { ChaosExperiment } from "../experiment/types.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import type { ManagedResourceSpec } from "../observe/managed.js";
import { isClusterScopedObject } from "../faults/parameters.js";
import type { AnyRunnableFault, FaultPlan, FaultSpec } from "../faults/driver.js";
import { findRunnableFault, getFaultSpec } from "../faults/registry.js";
import { Journal, newRunId } from "../journal/journal.js";
import { SteadyStateObserver } from "../observe/observer.js";
import { Phase, TimelineRecorder, type CheckOutcome, type SteadyStateCheckRef } from "../observe/timeline.js";
import { buildReport, type ReportExperiment } from "../report/report.js";
import type { ExperimentReport } from "../report/model.js";
import { evaluate, type Evaluation } from "../verdict/verdict.js";
import { clean, revertContext } from "./clean.js";
import { clusterAccess, type ClusterAccess, type RunContext } from "./context.js";
import { CrashPoint, crashPoint, failRevertOnceForTest, instrumentForTest, revertBrokenForTest, testStep } from "./crash-points.js";
import { DEFAULT_REVERT_TIMEOUT_MS, RetryExhaustedError, retryTransient } from "./revert-retry.js";
import { LockContentionError, OperatorLock, lockName } from "./lock.js";
import { RunRefusedError } from "./errors.js";
import { assertPermitted, preflight } from "./preflight.js";
import { observeRecovery } from "./hold.js";
import { recordConfirmation } from "./confirmation.js";
import { LeaseRenewals } from "../probe/lease-renewals.js";
import { ReconcileProbe, probePermissions } from "../probe/runner.js";
import { selectProbe } from "../probe/select.js";
import { storeResultConfigMap } from "./result-configmap.js";
import { TimingMode, knowledgeForTarget, resolveNamespace, resolveTiming, type RunTiming, type TimingOverrides } from "./settings.js";

export interface RunOptions extends TimingOverrides {
  /** The reconcile probe (default on when spec.probe or the knowledge model names a probe-able object); false: `--no-probe`. */
  probe?: boolean;
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
  /** How long reverts may retry transient errors (default 60 s), independent of timeoutMs. */
  revertTimeoutMs?: number;
  /** Called at each phase transition (the controller mirrors them into the object's status). */
  onPhase?: (phase: Phase) => void;
}

/** What the report says about the revert (an extension field, `revert`). */
export interface RevertSummary {
  /** Revert attempts over all records, retries included. */
  attempts: number;
  retries: number;
  /** Errors of the failed attempts, oldest first. */
  failures: string[];
  durationMs: number;
  /** Changes that could not be reverted: the fault is still active there. */
  stillActive: string[];
  /** The command that reverts them, when some remain. */
  cleanCommand?: string;
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
  /** How the revert went, when there was something to revert. */
  revert?: RevertSummary;
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
  instrumentForTest(access.rest);
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason ?? new Error("interrupted"));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const overall = setTimeout(() => controller.abort(new Error(`the run exceeded its --timeout of ${options.timeoutMs} ms`)), options.timeoutMs ?? 3_600_000);
  const signal = controller.signal;
  const phase = (p: Phase) => {
    recorder.record({ type: "phase", phase: p });
    progress(`phase ${p}`);
    options.onPhase?.(p);
  };
  const runId = newRunId();
  // A run that loses its lock (not renewed within its lease, taken over, deleted) stops at once:
  // others may now judge it dead and revert under it. It reverts and ends Inconclusive.
  const lock = new OperatorLock(access.rest, options.lockNamespace ?? namespace, experiment.spec.target.operator, `${experiment.metadata.name}/${runId}`, (reason) => {
    recorder.record({ type: "toolError", operation: "lock", message: reason });
    progress(`lost the lock: ${reason}; stopping and reverting`);
    controller.abort(new Error(`lost the lock: ${reason}`));
  });
  const journal = new Journal(access.rest, namespace, {
    runId, experiment: experiment.metadata.name, operator: experiment.spec.target.operator,
    lock: { namespace: lock.namespace, name: lock.name, holder: lock.holder },
  });
  const context: RunContext = { experiment, namespace, cluster: access, journal, signal, now: () => new Date() };
  // The probe's records apart from the fault's (revertAll hands every fault record to the fault).
  const probeJournal = new Journal(access.rest, namespace, {
    runId: `${runId}-probe`, experiment: experiment.metadata.name, operator: experiment.spec.target.operator,
    lock: { namespace: lock.namespace, name: lock.name, holder: lock.holder },
  });
  let probe: ReconcileProbe | undefined;
  let leases: LeaseRenewals | undefined;
  const checks = resolvedChecks(experiment, namespace);
  let observer: SteadyStateObserver | undefined;
  const revert: RevertSummary = { attempts: 0, retries: 0, failures: [], durationMs: 0, stillActive: [] };
  let revertGaveUp = false;
  let lockHeld = false;
  let error: string | undefined;
  let cleanupError: string | undefined;
  let plan: FaultPlan | undefined;
  let finalPhase: Phase = Phase.Complete;

  phase(Phase.Pending);
  try {
    const runnable = requireRuntime(spec, fault);
    let model: OperatorKnowledge | undefined;
    try {
      model = knowledgeForTarget(experiment, options.knowledge);
    } catch (mismatch) {
      throw new RunRefusedError(`${(mismatch as Error).message}; nothing was run`);
    }
    const managed = managedResourcesFor(experiment, model, namespace);
    const probeSpec = selectProbe(experiment, managed, { enabled: options.probe !== false, namespace });
    await preflight(access, runnable, experiment, namespace, lock.namespace, options.dryRun ?? false);
    if (probeSpec && !options.dryRun) await assertPermitted(access, await probePermissions(access, probeSpec));
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
      // Never stack a new fault on an old one that is still in place.
      // (A leftover kind that could not even be listed, for want of a permission, is no change of ours in the way.)
      for (const item of swept.items.filter((i) => i.outcome === "failed" && i.target === "(listing)")) progress(`could not look for ${item.faultType} leftovers: ${item.detail ?? ""}`);
      const stuck = swept.items.filter((i) => i.outcome === "failed" && i.target !== "(listing)");
      if (stuck.length > 0) {
        throw new RunRefusedError(`leftovers of an earlier run of operator ${experiment.spec.target.operator} could not be reverted `
          + `(${stuck.map((i) => `${i.faultType} ${i.target}: ${i.detail ?? "failed"}`).join("; ")}); nothing was injected. Fix that, then run \`operator-chaos clean -n ${namespace}\``);
      }
    }

    phase(Phase.SteadyStatePre);
    plan = await runnable.plan(context);
    observer = new SteadyStateObserver(access.rest, access.discovery, {
      checks: [...checks, ...(runnable.repairChecks?.(plan) ?? [])], pods: runnable.observedPods?.(context, plan),
      managed, recorder, signal,
    });
    let pre = await observer.start();
    // steadyState.timeout: how long the pre-check may wait for the steady state (a run started mid-rollout waits).
    const preWaitMs = preCheckWaitMs(experiment);
    if ((!pre.passed || observer.unreconciled().length > 0) && preWaitMs > 0) {
      progress(`waiting up to ${preWaitMs} ms (steadyState.timeout) for the steady state`);
      await observer.waitForStable(0, Date.now() + preWaitMs, signal);
      pre = observer.outcome();
    }
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

    if (probeSpec) {
      probe = new ReconcileProbe(access, probeJournal, recorder, probeSpec, signal);
      await probe.start();
      progress(`reconcile probe (${probeSpec.source}): ${probe.description}, once ${spec.persistence === "sustained" ? "while the fault is held and after the revert" : "recovered"}`);
    }
    const targetPods = plan.targets.filter((t) => t.kind === "Pod").map((t) => t.name);
    if (spec.persistence === "sustained" && targetPods.length > 0) {
      leases = new LeaseRenewals(access, namespace, targetPods, signal);
      // Best effort: without list/watch on Leases this evidence is simply not collected.
      await leases.start().catch((leaseError: Error) => {
        progress(`not watching leader Leases (${leaseError.message})`);
        leases = undefined;
      });
    }

    phase(Phase.Injecting);
    observer.countReconcileCycles();
    recorder.record({ type: "injectionStarted", faultType: spec.type, targets: plan.targets.map(refText) });
    // Before the kill: the replacement may be seen before inject returns.
    if (!plan.podsSurvive) observer.markKilled(plan.targets.filter((t) => t.kind === "Pod").map((t) => t.name));
    // The journal, not this return value, is what gets reverted: an inject that throws after its
    // journal write has records too.
    await runnable.inject(context, plan);
    crashPoint(CrashPoint.Mutated);
    recordConfirmation(recorder, plan, await runnable.confirm(context, plan));
    const injectedAt = Date.now();

    phase(Phase.Observing);
    crashPoint(CrashPoint.Observing);
    await observeRecovery({
      observer, persistence: spec.persistence, timing, recorder, signal, progress, probe, leases, injectedAt,
      // With Go timing a sustained fault stays in place through the post-check and is reverted after it.
      revert: revertAll,
    });

    // The post-check comes before an instantaneous fault's clean-up: the operator, not the tool,
    // must have repaired it. (A sustained fault was already reverted inside observe.)
    phase(Phase.SteadyStatePost);
    recorder.record({ type: "postCheck", result: observer.outcome() });
    // What the tool's own clean-up changes is not the operator's recovery: stop recording first.
    observer.stop();
    await closeProbe();
    await revertAll();
    // (A lost lock was recorded, and stopped the run, when it happened.)
    phase(Phase.Evaluating);
    phase(Phase.Complete);
  } catch (caught) {
    finalPhase = Phase.Aborted;
    error = signal.aborted ? `interrupted: ${(signal.reason as Error)?.message ?? "aborted"}` : (caught as Error).message;
    if (!(caught instanceof RunRefusedError) && !signal.aborted) {
      recorder.record({ type: "toolError", operation: "other", message: error });
    }
    if (caught instanceof RunRefusedError) recorder.record({ type: "runRefused", reason: (caught as Error).message });
    try {
      await closeProbe();
    } catch (probeError) {
      cleanupError ??= `the reconcile probe could not be reverted (${(probeError as Error).message}); revert it with: operator-chaos clean -n ${namespace}`;
    }
    try {
      await revertAll();
    } catch (revertError) {
      cleanupError ??= (revertError as Error).message;
    }
    phase(Phase.Aborted);
  } finally {
    clearTimeout(overall);
    options.signal?.removeEventListener("abort", onAbort);
    observer?.stop();
    if (lockHeld) await lock.release().catch(() => {});
  }
  return finish();

  /** Stops the probe and puts back whatever the operator did not repair (its own journal). */
  async function closeProbe(): Promise<void> {
    leases?.stop();
    const open = probe;
    probe = undefined;
    await open?.close();
  }

  /**
   * Reverts every record this run's journal holds (newest first), each retried on transient errors
   * under its own deadline, and closes it. Idempotent. A record that still cannot be reverted stays
   * open on the cluster for `clean`; the run then says FAULT STILL ACTIVE.
   */
  async function revertAll(): Promise<void> {
    // Records exist only once a runnable fault injected.
    const pending = fault ? journal.openRecords() : [];
    if (pending.length === 0 || revertGaveUp || !fault) return;
    await testStep(CrashPoint.Reverting);
    // A fresh deadline: reverting must finish even when the run was interrupted or timed out.
    const revertSignal = AbortSignal.timeout(options.revertTimeoutMs ?? DEFAULT_REVERT_TIMEOUT_MS);
    const started = Date.now();
    const failed: string[] = [];
    for (const record of [...pending].reverse()) {
      try {
        const { report: tries } = await retryTransient(async () => {
          failRevertOnceForTest(record.faultType);
          if (!revertBrokenForTest(record.faultType)) {
            await fault.revert(revertContext(access, namespace, revertSignal, () => new Date()), { type: spec.type, target: record.target, data: record.data });
          }
          crashPoint(CrashPoint.Reverted);
          await journal.close(record);
        }, {
          signal: revertSignal,
          onRetry: (retryError, attempt, delayMs) => progress(`revert of ${refText(record.target)} failed (attempt ${attempt}: ${retryError.message}); retrying in ${delayMs} ms`),
        });
        revert.attempts += tries.attempts;
        revert.retries += tries.attempts - 1;
        revert.failures.push(...tries.failures);
      } catch (revertError) {
        const tries = revertError instanceof RetryExhaustedError ? revertError.report : { attempts: 1, failures: [(revertError as Error).message] };
        revert.attempts += tries.attempts;
        revert.retries += tries.attempts - 1;
        revert.failures.push(...tries.failures);
        revert.stillActive.push(`${refText(record.target)} (journal record ${record.namespace}/${record.id})`);
        recorder.record({ type: "toolError", operation: "revert", message: (revertError as Error).message });
        failed.push(`${refText(record.target)}: ${(revertError as Error).message}`);
      }
    }
    revert.durationMs += Date.now() - started;
    if (revert.retries > 0 && failed.length === 0) progress(`revert succeeded after ${revert.retries} retr${revert.retries === 1 ? "y" : "ies"} (${revert.durationMs} ms)`);
    if (failed.length > 0) {
      revertGaveUp = true;
      revert.cleanCommand = `operator-chaos clean -n ${namespace}`;
      cleanupError = `FAULT STILL ACTIVE: ${failed.join("; ")}; revert it with: ${revert.cleanCommand}`;
      throw new Error(cleanupError);
    }
    recorder.record({ type: "faultReverted", detail: `${pending.length} journaled change(s) reverted and closed` });
    progress(spec.persistence === "sustained" ? "fault reverted" : "journal closed (anything the operator did not repair was restored)");
  }

  async function finish(): Promise<RunResult> {
    const timeline = recorder.events();
    const model = knowledgeFor(experiment, options.knowledge);
    const evaluation = evaluate({
      timeline,
      hypothesis: {
        recoveryTimeoutMs: timing.recoveryTimeoutMs, persistence: spec.persistence, stabilityWindowMs: timing.stabilityWindowMs,
        ...(timing.mode === TimingMode.GoTiming ? { goTiming: true } : {}),
      },
      dryRun: options.dryRun ?? false,
      ...(model?.recovery?.maxReconcileCycles !== undefined ? { maxReconcileCycles: model.recovery.maxReconcileCycles } : {}),
    });
    const report = buildReport({ experiment: reportExperiment(experiment, spec, timing), timeline, evaluation, generatedAt: Date.now() });
    if (cleanupError) report.cleanupError = cleanupError;
    // Extension fields (Go-tool readers ignore them): why the run stopped early, API requests sent.
    const extended = report as ExperimentReport & { apiRequests?: number; error?: string; revert?: RevertSummary };
    if (error) extended.error = error;
    if (revert.attempts > 0) extended.revert = revert;
    extended.apiRequests = access.rest.requestCount;
    if (!options.dryRun && options.resultConfigMap !== false) {
      await storeResultConfigMap(access.rest, namespace, report).catch((storeError: Error) => progress(`could not store the result ConfigMap: ${storeError.message}`));
    }
    return {
      report, evaluation, phase: finalPhase, namespace, apiRequests: access.rest.requestCount,
      ...(error ? { error } : {}), ...(cleanupError ? { cleanupError } : {}), ...(plan ? { plan } : {}),
      ...(revert.attempts > 0 ? { revert } : {}),
    };
  }
}

/** The model of the target's operator (a mismatch was refused before the run started). */
function knowledgeFor(experiment: ChaosExperiment, knowledge: readonly OperatorKnowledge[] | undefined): OperatorKnowledge | undefined {
  try {
    return knowledgeForTarget(experiment, knowledge);
  } catch {
    return undefined;
  }
}

/** steadyState.timeout in ms (0 when absent): how long the pre-check may wait for the steady state. */
function preCheckWaitMs(experiment: ChaosExperiment): number {
  const text = experiment.spec.steadyState?.timeout;
  return text ? Duration.parse(text).milliseconds : 0;
}

function managedResourcesFor(experiment: ChaosExperiment, model: OperatorKnowledge | undefined, namespace: string): ManagedResourceSpec[] | undefined {
  const component = model?.components.find((c) => c.name === experiment.spec.target.component);
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
