// The read side of the history: what each page of the UI (and each API route) shows. Pure SQL over
// History; nothing here writes.

import type { SqlValue } from "sql.js";
import { INJECTION_TYPES } from "../experiment/enums.js";
import { VERDICTS } from "../verdict/verdict.js";
import type { History } from "./history.js";

export const SORT_FIELDS = { timestamp: "timestamp", experiment: "experiment", verdict: "verdict", recovery: "recovery_ms", fault: "fault_type", operator: "operator" } as const;
export type SortField = keyof typeof SORT_FIELDS;
export const MAX_PAGE_SIZE = 200;

export interface ExperimentFilter {
  verdict?: string;
  fault?: string;
  operator?: string;
  /** Substring of the experiment name. */
  q?: string;
  suiteRun?: string;
  sort: SortField;
  order: "asc" | "desc";
  page: number;
  pageSize: number;
}

export interface ExperimentRow {
  id: number;
  experiment: string;
  operator: string;
  component: string;
  faultType: string;
  verdict: string;
  recoveryMs: number | null;
  timestamp: string;
  source: string;
  suiteRun: string | null;
}

const ROW_COLUMNS = "id, experiment, operator, component, fault_type, verdict, recovery_ms, timestamp, source, suite_run";

function toRow(row: Record<string, SqlValue>): ExperimentRow {
  return {
    id: Number(row.id),
    experiment: String(row.experiment),
    operator: String(row.operator),
    component: String(row.component),
    faultType: String(row.fault_type),
    verdict: String(row.verdict),
    recoveryMs: row.recovery_ms === null ? null : Number(row.recovery_ms),
    timestamp: String(row.timestamp),
    source: String(row.source),
    suiteRun: row.suite_run === null ? null : String(row.suite_run),
  };
}

export function listExperiments(history: History, filter: ExperimentFilter): { total: number; page: number; pageSize: number; items: ExperimentRow[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const equal = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    params.push(value);
  };
  equal("verdict", filter.verdict);
  equal("fault_type", filter.fault);
  equal("operator", filter.operator);
  equal("suite_run", filter.suiteRun);
  if (filter.q !== undefined) {
    where.push("instr(lower(experiment), lower(?)) > 0");
    params.push(filter.q);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const total = Number(history.one(`SELECT COUNT(*) AS n FROM reports ${clause}`, params)?.n ?? 0);
  // The sort column comes from a fixed map, never from the request text.
  const column = SORT_FIELDS[filter.sort];
  const order = filter.order === "asc" ? "ASC" : "DESC";
  const rows = history.all(
    // Only recovery_ms may be NULL (not recovered): last either way. Other sorts stay index-ordered.
    `SELECT ${ROW_COLUMNS} FROM reports ${clause} ORDER BY ${column === "recovery_ms" ? "recovery_ms IS NULL, " : ""}${column} ${order}, id ${order} LIMIT ? OFFSET ?`,
    [...params, filter.pageSize, (filter.page - 1) * filter.pageSize],
  );
  return { total, page: filter.page, pageSize: filter.pageSize, items: rows.map(toRow) };
}

export function getExperiment(history: History, id: number): (ExperimentRow & { report: unknown }) | undefined {
  const row = history.one(`SELECT ${ROW_COLUMNS}, (SELECT json FROM report_bodies b WHERE b.id = reports.id) AS json FROM reports WHERE id = ?`, [id]);
  if (row === undefined) return undefined;
  return { ...toRow(row), report: JSON.parse(String(row.json)) };
}

export interface Overview {
  total: number;
  verdicts: Record<string, number>;
  /** Per fault type: runs, and recovery time (ms) mean, p50 and max over the recovered ones. */
  recoveryByFault: { faultType: string; runs: number; recovered: number; meanMs: number | null; maxMs: number | null }[];
  /** Verdict counts per day (UTC), oldest first. */
  trend: { day: string; verdicts: Record<string, number> }[];
}

export function overview(history: History): Overview {
  const verdicts: Record<string, number> = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
  for (const row of history.all("SELECT verdict, COUNT(*) AS n FROM reports GROUP BY verdict")) verdicts[String(row.verdict)] = Number(row.n);
  const recoveryByFault = history
    .all("SELECT fault_type, COUNT(*) AS runs, COUNT(recovery_ms) AS recovered, AVG(recovery_ms) AS mean, MAX(recovery_ms) AS max FROM reports GROUP BY fault_type ORDER BY fault_type")
    .map((row) => ({
      faultType: String(row.fault_type),
      runs: Number(row.runs),
      recovered: Number(row.recovered),
      meanMs: row.mean === null ? null : Math.round(Number(row.mean)),
      maxMs: row.max === null ? null : Number(row.max),
    }));
  const days = new Map<string, Record<string, number>>();
  for (const row of history.all("SELECT substr(timestamp, 1, 10) AS day, verdict, COUNT(*) AS n FROM reports GROUP BY day, verdict ORDER BY day")) {
    const day = String(row.day);
    const counts = days.get(day) ?? Object.fromEntries(VERDICTS.map((v) => [v, 0]));
    counts[String(row.verdict)] = Number(row.n);
    days.set(day, counts);
  }
  const total = Object.values(verdicts).reduce((a, b) => a + b, 0);
  return { total, verdicts, recoveryByFault, trend: [...days].slice(-30).map(([day, counts]) => ({ day, verdicts: counts })) };
}

export interface CoverageCell {
  runs: number;
  /** The verdict of the latest run of that operator × fault type. */
  latest: string;
}

/** Operator × every fault type of the registry; a missing cell is a fault never run against that operator. */
export function coverage(history: History): { faultTypes: readonly string[]; operators: { operator: string; cells: Record<string, CoverageCell> }[] } {
  const operators = new Map<string, Record<string, CoverageCell>>();
  const rows = history.all(
    `SELECT operator, fault_type, COUNT(*) AS runs,
       (SELECT verdict FROM reports r2 WHERE r2.operator = r.operator AND r2.fault_type = r.fault_type ORDER BY timestamp DESC, id DESC LIMIT 1) AS latest
     FROM reports r WHERE operator <> '' AND fault_type <> '' GROUP BY operator, fault_type ORDER BY operator`,
  );
  for (const row of rows) {
    const cells = operators.get(String(row.operator)) ?? {};
    cells[String(row.fault_type)] = { runs: Number(row.runs), latest: String(row.latest) };
    operators.set(String(row.operator), cells);
  }
  return { faultTypes: INJECTION_TYPES, operators: [...operators].map(([operator, cells]) => ({ operator, cells })) };
}

export interface SuiteRunRow {
  id: string;
  suite: string;
  generated: string;
  summary: string;
  experiments: number;
}

export function listSuiteRuns(history: History): SuiteRunRow[] {
  return history
    .all("SELECT s.id, s.suite, s.generated, s.summary, (SELECT COUNT(*) FROM reports r WHERE r.suite_run = s.id) AS n FROM suite_runs s ORDER BY s.generated DESC")
    .map((row) => ({ id: String(row.id), suite: String(row.suite), generated: String(row.generated), summary: String(row.summary), experiments: Number(row.n) }));
}

export interface SuiteDelta {
  experiment: string;
  a: { verdict: string; recoveryMs: number | null; id: number } | null;
  b: { verdict: string; recoveryMs: number | null; id: number } | null;
  /** b − a in ms when both recovered. */
  recoveryDeltaMs: number | null;
  verdictChanged: boolean;
}

/** Two suite runs side by side, one line per experiment name found in either. */
export function compareSuiteRuns(history: History, a: string, b: string): SuiteDelta[] {
  const side = (run: string) => {
    const map = new Map<string, { verdict: string; recoveryMs: number | null; id: number }>();
    for (const row of history.all("SELECT id, experiment, verdict, recovery_ms FROM reports WHERE suite_run = ? ORDER BY timestamp", [run])) {
      map.set(String(row.experiment), { verdict: String(row.verdict), recoveryMs: row.recovery_ms === null ? null : Number(row.recovery_ms), id: Number(row.id) });
    }
    return map;
  };
  const left = side(a);
  const right = side(b);
  const names = [...new Set([...left.keys(), ...right.keys()])].sort();
  return names.map((experiment) => {
    const x = left.get(experiment) ?? null;
    const y = right.get(experiment) ?? null;
    const recoveryDeltaMs = x?.recoveryMs != null && y?.recoveryMs != null ? y.recoveryMs - x.recoveryMs : null;
    return { experiment, a: x, b: y, recoveryDeltaMs, verdictChanged: x?.verdict !== y?.verdict };
  });
}

export function suiteRunExists(history: History, id: string): boolean {
  return history.one("SELECT 1 AS x FROM suite_runs WHERE id = ?", [id]) !== undefined;
}
