import { describe, expect, it } from "vitest";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import { CheckStatus, CheckSubject, type PreflightRow } from "../preflight/knowledge.js";
import { formatVersionReport, versionReport } from "./version-check.js";

const model = (name: string): OperatorKnowledge => ({
  operator: { name, namespace: "ns", version: "2.0" },
  components: [{ name: "c", controller: "K", managedResources: [{ apiVersion: "v1", kind: "Service", name: "s" }] }],
  recovery: { reconcileTimeout: "60s", maxReconcileCycles: 5 },
});
const row = (operator: string, name: string, status: CheckStatus, subject: CheckSubject = CheckSubject.Resource): PreflightRow => ({ subject, operator, component: "c", kind: "Service", name, namespace: "ns", status });

describe("validate-version report", () => {
  it("an operator matches when nothing is missing or unreadable; degraded resources and other subjects do not fail it", () => {
    const report = versionReport([model("a"), model("b")], [
      row("a", "s1", CheckStatus.Found),
      row("a", "s2", CheckStatus.Degraded),
      row("a", "hook", CheckStatus.Missing, CheckSubject.Webhook),
      row("b", "s1", CheckStatus.Missing),
      row("b", "s2", CheckStatus.Error),
    ]);
    expect(report.operators.map((status) => [status.operator, status.matches, status.found, status.degraded, status.missing.length, status.errors.length])).toEqual([
      ["a", true, 1, 1, 0, 0],
      ["b", false, 0, 0, 1, 1],
    ]);
    expect([report.matched, report.total, report.passed]).toEqual([1, 2, false]);
    const text = formatVersionReport("dir", [model("a"), model("b")], report);
    expect(text).toContain("missing: Service/s1 in ns");
    expect(text).toContain("Summary: 1/2 operators match expected state");
  });

  it("passes when every operator matches", () => {
    expect(versionReport([model("a")], [row("a", "s", CheckStatus.Found)]).passed).toBe(true);
  });
});
