// A finished ChaosExperiment (controller mode, the Go tool's status fields) as an experiment report,
// so controller runs and CLI runs share one history.

import type { ExperimentReport } from "../report/model.js";
import { parseReport } from "../report/model.js";

const FINISHED = new Set(["Complete", "Aborted"]);

export function isFinishedPhase(phase: string): boolean {
  return FINISHED.has(phase);
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration string ("1m2.5s", "350ms") in ms; undefined when it is not one. */
export function goDurationMs(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return text === "0" ? 0 : undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(match[1]) * UNIT_MS[match[2]!]!;
  return total;
}

export function controllerReport(object: { metadata?: { name?: string; namespace?: string; creationTimestamp?: string }; spec?: any; status?: any }): ExperimentReport | undefined {
  const status = object.status ?? {};
  const spec = object.spec ?? {};
  const verdict = status.evaluationResult?.verdict ?? status.verdict;
  const recoveryMs = typeof status.evaluationResult?.recoveryTime === "string" ? goDurationMs(status.evaluationResult.recoveryTime) : undefined;
  const candidate = {
    experiment: object.metadata?.name,
    timestamp: status.endTime ?? status.startTime ?? object.metadata?.creationTimestamp ?? "",
    ...(typeof spec.tier === "number" ? { tier: spec.tier } : {}),
    target: { operator: spec.target?.operator ?? "", component: spec.target?.component ?? "" },
    injection: { type: spec.injection?.type ?? "", ...(status.injectionStartedAt ? { timestamp: status.injectionStartedAt } : {}) },
    evaluation: {
      verdict,
      confidence: status.evaluationResult?.confidence ?? "",
      recoveryTime: recoveryMs !== undefined ? Math.round(recoveryMs * 1e6) : 0,
      reconcileCycles: status.evaluationResult?.reconcileCycles ?? 0,
      recoveryTimeMs: recoveryMs !== undefined && recoveryMs > 0 ? recoveryMs : null,
      deviations: (status.evaluationResult?.deviations ?? []).map((text: string) => ({ type: text.split(":")[0], detail: text })),
      reasons: status.message ? [String(status.message)] : [],
    },
    steadyState: { ...(status.steadyStatePre ? { pre: status.steadyStatePre } : {}), ...(status.steadyStatePost ? { post: status.steadyStatePost } : {}) },
    ...(status.cleanupError ? { cleanupError: status.cleanupError } : {}),
    phase: status.phase,
    ...(spec.hypothesis?.description ? { hypothesis: { description: spec.hypothesis.description, persistence: spec.injection?.ttl ? "sustained" : "instantaneous", recoveryTimeoutMs: goDurationMs(String(spec.hypothesis.recoveryTimeout ?? "")) ?? 0, stabilityWindowMs: 0 } } : {}),
  };
  const parsed = parseReport(candidate);
  return parsed.ok ? parsed.report : undefined;
}
