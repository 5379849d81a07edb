// `validate-version`: does the cluster hold what a version's knowledge models say it should? This is
// the verdict over the resource rows that preflight's cluster check produces: an operator matches when
// none of its managed resources is missing or unreadable (degraded ones are reported, not failed). Pure.

import type { OperatorKnowledge } from "../experiment/knowledge.js";
import { CheckStatus, CheckSubject, type PreflightRow } from "../preflight/knowledge.js";

export interface OperatorVersionStatus {
  readonly operator: string;
  readonly version: string;
  readonly resources: number;
  readonly found: number;
  readonly degraded: number;
  readonly missing: readonly string[];
  readonly errors: readonly string[];
  readonly matches: boolean;
}

export interface VersionReport {
  readonly operators: OperatorVersionStatus[];
  readonly matched: number;
  readonly total: number;
  readonly passed: boolean;
}

export function versionReport(models: readonly OperatorKnowledge[], rows: readonly PreflightRow[]): VersionReport {
  const names = [...new Set(models.map((model) => model.operator.name))];
  const operators = names.map((operator): OperatorVersionStatus => {
    const mine = rows.filter((row) => row.operator === operator && row.subject === CheckSubject.Resource);
    const label = (row: PreflightRow) => `${row.kind}/${row.name}${row.namespace ? ` in ${row.namespace}` : ""}${row.reason ? ` (${row.reason})` : ""}`;
    const missing = mine.filter((row) => row.status === CheckStatus.Missing).map(label);
    const errors = mine.filter((row) => row.status === CheckStatus.Error).map(label);
    return {
      operator,
      version: models.find((model) => model.operator.name === operator && model.operator.version)?.operator.version ?? "",
      resources: mine.length,
      found: mine.filter((row) => row.status === CheckStatus.Found).length,
      degraded: mine.filter((row) => row.status === CheckStatus.Degraded).length,
      missing,
      errors,
      matches: missing.length === 0 && errors.length === 0,
    };
  });
  const matched = operators.filter((status) => status.matches).length;
  return { operators, matched, total: operators.length, passed: matched === operators.length };
}

export function formatVersionReport(dir: string, models: readonly OperatorKnowledge[], report: VersionReport): string {
  const platform = models.find((model) => model.operator.platform)?.operator.platform ?? "";
  const version = models.find((model) => model.operator.version)?.operator.version ?? "";
  const lines = [`Knowledge dir: ${dir}`, `Version:       ${version || "(not set)"}`, `Platform:      ${platform || "(not set)"}`, `Operators:     ${report.total}`, ""];
  lines.push("OPERATOR".padEnd(32) + "RESOURCES  FOUND  DEGRADED  MISSING  ERRORS  STATUS");
  for (const status of report.operators) {
    lines.push(
      status.operator.padEnd(32) +
        String(status.resources).padEnd(11) +
        String(status.found).padEnd(7) +
        String(status.degraded).padEnd(10) +
        String(status.missing.length).padEnd(9) +
        String(status.errors.length).padEnd(8) +
        (status.matches ? "OK" : "FAIL"),
    );
    for (const item of status.missing) lines.push(`  missing: ${item}`);
    for (const item of status.errors) lines.push(`  error:   ${item}`);
  }
  lines.push("", `Summary: ${report.matched}/${report.total} operators match expected state`);
  return lines.join("\n");
}
