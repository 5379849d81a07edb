// Generated experiment reports of the shape `run` writes: for the dashboard's tests, its benchmark and
// its screenshots. Deterministic in `index`, so a test can state what it expects.

import { INJECTION_TYPES } from "../experiment/enums.js";
import type { ExperimentReport } from "../report/model.js";

const OPERATORS = ["llamastack", "kserve", "dashboard"] as const;
const VERDICT_CYCLE = ["Resilient", "Resilient", "Resilient", "Degraded", "Failed", "Inconclusive"] as const;

export function sampleReport(index: number, options: { start?: number; operator?: string; faultType?: string; verdict?: string } = {}): ExperimentReport {
  const faultType = options.faultType ?? INJECTION_TYPES[index % INJECTION_TYPES.length]!;
  const operator = options.operator ?? OPERATORS[index % OPERATORS.length]!;
  const verdict = options.verdict ?? VERDICT_CYCLE[index % VERDICT_CYCLE.length]!;
  const start = (options.start ?? Date.UTC(2026, 10, 1)) + index * 60_000;
  const recovered = verdict === "Resilient" || verdict === "Degraded";
  const recoveryMs = recovered ? 800 + ((index * 137) % 4000) : null;
  const at = (offset: number) => ({ at: start + offset, time: new Date(start + offset).toISOString() });
  const timeline = [
    { type: "phase", phase: "SteadyStatePre", ...at(0) },
    { type: "steadyStateHolds", ...at(200) },
    { type: "injectionStarted", faultType, targets: [`Deployment/demo/${operator}-server`], ...at(400) },
    { type: "injectionConfirmed", detail: "fault in place", ...at(500) },
    { type: "probeSent", ...at(600) },
    { type: "steadyStateLost", ...at(900) },
    { type: "faultReverted", ...at(2400) },
    ...(recoveryMs !== null ? [{ type: "probeRepaired", ...at(900 + recoveryMs / 2) }, { type: "recoveryDetected", ...at(900 + recoveryMs) }] : []),
    { type: "phase", phase: "Complete", ...at(6000) },
  ].sort((a, b) => a.at - b.at);
  return {
    experiment: `${operator}-${faultType.toLowerCase()}-${index}`,
    timestamp: new Date(start + 6000).toISOString(),
    tier: 1 + (index % 3),
    target: { operator, component: `${operator}-server`, resource: `Deployment/${operator}-server` },
    injection: { type: faultType, targets: [`Deployment/demo/${operator}-server`], timestamp: new Date(start + 400).toISOString() },
    evaluation: {
      verdict: verdict as ExperimentReport["evaluation"]["verdict"],
      confidence: "high",
      recoveryTime: recoveryMs === null ? 0 : recoveryMs * 1_000_000,
      reconcileCycles: 1 + (index % 4),
      recoveryTimeMs: recoveryMs,
      deviations: verdict === "Degraded" ? [{ type: "slow_recovery" as const, detail: "recovered after the stability window" }] : [],
      reasons: [`sample report ${index}`],
    },
    steadyState: {},
    phase: "Complete" as ExperimentReport["phase"],
    hypothesis: { description: `${operator} restores its ${faultType} target`, persistence: "instantaneous", recoveryTimeoutMs: 60_000, stabilityWindowMs: 2_000 },
    timeline,
  };
}
