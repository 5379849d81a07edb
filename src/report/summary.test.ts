import { describe, expect, it } from "vitest";
import { countsLine, countVerdicts, recoveryLabel, runSummaryLine, summaryLines, summaryRow } from "./summary.js";
import type { ExperimentReport } from "./model.js";
import type { Deviation, Verdict } from "../verdict/verdict.js";

function makeReport(experiment: string, verdict: Verdict, recoveryTimeMs: number | null, deviations: Deviation[] = []): ExperimentReport {
  return {
    experiment,
    timestamp: "2025-06-01T12:00:00.000Z",
    target: { operator: "op", component: "controller" },
    injection: { type: "PodKill" },
    evaluation: {
      verdict,
      confidence: "",
      recoveryTime: (recoveryTimeMs ?? 0) * 1_000_000,
      recoveryTimeMs,
      reconcileCycles: 0,
      ...(deviations.length > 0 ? { deviations } : {}),
    },
    steadyState: {},
  };
}

const reports = [
  makeReport("pod-kill", "Resilient", 3200),
  makeReport("config-drift-long-name", "Degraded", 95_000, [
    { type: "slow_recovery", detail: "" },
    { type: "recovered_by_restart", detail: "" },
  ]),
  makeReport("rbac", "Failed", null),
  makeReport("netpol", "Inconclusive", null),
];

describe("summary rows", () => {
  it("show experiment, fault, verdict, human recovery time and deviation types", () => {
    expect(summaryRow(reports[1]!)).toEqual({
      experiment: "config-drift-long-name",
      fault: "PodKill",
      verdict: "Degraded",
      recovery: "1m35s",
      deviations: "slow_recovery, recovered_by_restart",
    });
  });

  it("say 'not recovered' for a failed run and 'n/a' when there is nothing to measure", () => {
    expect(recoveryLabel(reports[2]!)).toBe("not recovered");
    expect(recoveryLabel(reports[3]!)).toBe("n/a");
  });
});

describe("summaryLines", () => {
  it("prints an aligned verdict table and a counts line", () => {
    expect(summaryLines(reports)).toEqual([
      "EXPERIMENT              FAULT    VERDICT       RECOVERY       DEVIATIONS",
      "pod-kill                PodKill  Resilient     3.2s           -",
      "config-drift-long-name  PodKill  Degraded      1m35s          slow_recovery, recovered_by_restart",
      "rbac                    PodKill  Failed        not recovered  -",
      "netpol                  PodKill  Inconclusive  n/a            -",
      "",
      "4 experiments: 1 Resilient, 1 Degraded, 1 Failed, 1 Inconclusive (pass rate 25.0%)",
    ]);
  });
});

describe("countVerdicts", () => {
  it("counts by verdict with a pass rate of resilient over total", () => {
    expect(countVerdicts(reports)).toEqual({ total: 4, resilient: 1, degraded: 1, failed: 1, inconclusive: 1, passRate: 0.25 });
  });

  it("gives a zero pass rate for no reports", () => {
    expect(countsLine(countVerdicts([]))).toBe("0 experiments: 0 Resilient, 0 Degraded, 0 Failed, 0 Inconclusive (pass rate 0.0%)");
  });
});

describe("runSummaryLine", () => {
  it("summarises one run in a line", () => {
    expect(runSummaryLine(reports[0]!)).toBe("Resilient  pod-kill (PodKill): recovered in 3.2s, no deviations");
    expect(runSummaryLine(reports[1]!)).toBe(
      "Degraded  config-drift-long-name (PodKill): recovered in 1m35s, deviations: slow_recovery, recovered_by_restart",
    );
    expect(runSummaryLine(reports[2]!)).toBe("Failed  rbac (PodKill): recovery not observed, no deviations");
  });
});
