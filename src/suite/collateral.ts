// Collateral checks: while an experiment runs, the steady state of the target's direct dependents (from
// the dependency graph) is watched too; a dependent that loses it after the injection is a
// `collateral_degradation` deviation and turns Resilient into Degraded, as in the Go tool. A dependent
// that was not in its steady state before the fault is reported, never counted against the target.

import type { ClusterAccess } from "../engine/context.js";
import { SteadyStateObserver } from "../observe/observer.js";
import { TimelineRecorder, type SteadyStateCheckRef } from "../observe/timeline.js";
import type { ExperimentReport } from "../report/model.js";
import { DeviationType } from "../verdict/verdict.js";
import type { ComponentNode } from "./graph.js";

export interface CollateralFinding {
  readonly operator: string;
  readonly component: string;
  /** false: lost its steady state after the injection; undefined: not in it before the fault (not judged). */
  readonly passed: boolean | undefined;
  readonly detail: string;
}

interface Watched {
  readonly node: ComponentNode;
  readonly recorder: TimelineRecorder;
  readonly observer: SteadyStateObserver;
  prePassed: boolean;
  /** Why the dependent could not be watched (it is then not judged). */
  error?: string;
}

export class CollateralWatch {
  private constructor(private readonly watched: Watched[], private readonly controller: AbortController) {}

  /** Starts watching every dependent with checks; resolves once each has its first (pre-fault) outcome. */
  static async start(access: ClusterAccess, dependents: readonly ComponentNode[], signal?: AbortSignal): Promise<CollateralWatch> {
    const controller = new AbortController();
    signal?.addEventListener("abort", () => controller.abort(), { once: true });
    const watched: Watched[] = [];
    for (const node of dependents.filter((d) => d.checks.length > 0)) {
      const recorder = new TimelineRecorder(() => Date.now());
      const checks = node.checks.map((check) => ({ ...check, namespace: check.namespace || node.namespace }) as SteadyStateCheckRef);
      const observer = new SteadyStateObserver(access.rest, access.discovery, { checks, recorder, signal: controller.signal });
      watched.push({ node, recorder, observer, prePassed: false });
    }
    await Promise.all(watched.map(async (entry) => {
      try {
        entry.prePassed = (await entry.observer.start()).passed;
      } catch (error) {
        entry.error = (error as Error).message;
      }
    }));
    return new CollateralWatch(watched, controller);
  }

  /** What each dependent did from `since` (the injection) on. */
  findings(since: number | undefined): CollateralFinding[] {
    return this.watched.map(({ node, recorder, prePassed, error }) => {
      const base = { operator: node.operator, component: node.component };
      if (error !== undefined) return { ...base, passed: undefined, detail: `could not be watched: ${error}` };
      if (!prePassed) return { ...base, passed: undefined, detail: "not in its steady state before the fault" };
      const lost = recorder.events().find((event) => event.type === "steadyStateLost" && (since === undefined || event.at >= since));
      if (lost && lost.type === "steadyStateLost") return { ...base, passed: false, detail: `lost its steady state (${lost.failingChecks.join(", ")})` };
      return { ...base, passed: true, detail: "kept its steady state" };
    });
  }

  stop(): void {
    for (const entry of this.watched) entry.observer.stop();
    this.controller.abort();
  }
}

/** When the fault was injected, from the report's timeline. */
export function injectionInstant(report: ExperimentReport): number | undefined {
  return report.timeline?.find((event) => event.type === "injectionStarted")?.at;
}

/** The report with the collateral findings in it (a copy). Pure. */
export function applyCollateral(report: ExperimentReport, findings: readonly CollateralFinding[]): ExperimentReport {
  const judged = findings.filter((finding) => finding.passed !== undefined);
  if (judged.length === 0) return report;
  const failed = judged.filter((finding) => finding.passed === false);
  const deviations = [
    ...(report.evaluation.deviations ?? []),
    ...failed.map((finding) => ({ type: DeviationType.CollateralDegradation, detail: `dependent ${finding.operator}/${finding.component} degraded: ${finding.detail}` })),
  ];
  const verdict = failed.length > 0 && report.evaluation.verdict === "Resilient" ? "Degraded" : report.evaluation.verdict;
  return {
    ...report,
    evaluation: { ...report.evaluation, verdict, ...(deviations.length > 0 ? { deviations } : {}) },
    collateral: [...(report.collateral ?? []), ...judged.map((finding) => ({ operator: finding.operator, component: finding.component, passed: finding.passed! }))],
  };
}
