// The dashboard's JSON API: every route with its query parameters, as data. The server validates
// requests against it (an unknown parameter or a bad value is a 400), and the OpenAPI document is
// generated from it, so the two cannot disagree.

import { INJECTION_TYPES } from "../experiment/enums.js";
import { VERDICTS } from "../verdict/verdict.js";
import { MAX_PAGE_SIZE, SORT_FIELDS } from "./queries.js";

export type ParamSpec =
  | { name: string; kind: "string"; description: string; maxLength?: number }
  | { name: string; kind: "enum"; description: string; values: readonly string[] }
  | { name: string; kind: "integer"; description: string; min: number; max: number };

export interface RouteSpec {
  /** Path with `{name}` placeholders. */
  path: string;
  summary: string;
  query: readonly ParamSpec[];
  pathParams?: readonly ParamSpec[];
  /** Name of the response schema in openapi.ts. */
  response: string;
  /** text/event-stream rather than JSON. */
  stream?: boolean;
}

export const ROUTES = {
  overview: { path: "/api/v1/overview", summary: "Verdict counts and trend, recovery time by fault type, what runs now.", query: [], response: "Overview" },
  experiments: {
    path: "/api/v1/experiments",
    summary: "Experiment reports in the history, filtered, sorted and paged.",
    query: [
      { name: "verdict", kind: "enum", values: VERDICTS, description: "Only reports with this verdict." },
      { name: "fault", kind: "enum", values: INJECTION_TYPES, description: "Only reports of this fault type." },
      { name: "operator", kind: "string", maxLength: 253, description: "Only reports of this operator." },
      { name: "q", kind: "string", maxLength: 253, description: "Experiment name contains this (any case)." },
      { name: "suiteRun", kind: "string", maxLength: 512, description: "Only reports of this suite run." },
      { name: "sort", kind: "enum", values: Object.keys(SORT_FIELDS), description: "Sort field (default timestamp)." },
      { name: "order", kind: "enum", values: ["asc", "desc"], description: "Sort order (default desc)." },
      { name: "page", kind: "integer", min: 1, max: 1_000_000, description: "Page, from 1." },
      { name: "pageSize", kind: "integer", min: 1, max: MAX_PAGE_SIZE, description: `Rows per page (default 25, at most ${MAX_PAGE_SIZE}).` },
    ],
    response: "ExperimentPage",
  },
  experiment: {
    path: "/api/v1/experiments/{id}",
    summary: "One report: its row and the raw report.",
    query: [],
    pathParams: [{ name: "id", kind: "integer", min: 1, max: Number.MAX_SAFE_INTEGER, description: "Row id from the experiments list." }],
    response: "ExperimentDetail",
  },
  operators: { path: "/api/v1/operators", summary: "Coverage: operator × every fault type, with runs and the latest verdict.", query: [], response: "Coverage" },
  suites: { path: "/api/v1/suites", summary: "Suite runs, newest first.", query: [], response: "SuiteRuns" },
  compare: {
    path: "/api/v1/suites/compare",
    summary: "Two suite runs side by side, one line per experiment.",
    query: [
      { name: "a", kind: "string", maxLength: 512, description: "The first suite run id (required)." },
      { name: "b", kind: "string", maxLength: 512, description: "The second suite run id (required)." },
    ],
    response: "SuiteComparison",
  },
  knowledge: { path: "/api/v1/knowledge", summary: "Knowledge models (--knowledge-dir): components, dependencies and managed resources with their latest verdicts.", query: [], response: "Knowledge" },
  live: { path: "/api/v1/live", summary: "Runs in progress on the cluster.", query: [], response: "LiveRuns" },
  events: { path: "/api/v1/live/events", summary: "Server-sent events: `live` (the runs in progress) on every change, `history` when reports were added.", query: [], response: "LiveRuns", stream: true },
  status: { path: "/api/v1/status", summary: "Sources (watches, folders), skipped inputs with why, history size.", query: [], response: "Status" },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;

export class BadRequest extends Error {
  override readonly name = "BadRequest";
}

/** Checks a query against a route's parameters; returns the values (integers as numbers). */
export function validateQuery(route: RouteSpec, query: URLSearchParams): Record<string, string | number> {
  const allowed = new Map(route.query.map((param) => [param.name, param]));
  const values: Record<string, string | number> = {};
  for (const [name, value] of query) {
    const spec = allowed.get(name);
    if (spec === undefined) {
      const known = route.query.map((param) => param.name);
      throw new BadRequest(`unknown query parameter "${name}"${known.length > 0 ? ` (expected one of: ${known.join(", ")})` : " (this route takes none)"}`);
    }
    if (name in values) throw new BadRequest(`query parameter "${name}" given twice`);
    values[name] = checkValue(spec, value);
  }
  return values;
}

export function checkValue(spec: ParamSpec, value: string): string | number {
  switch (spec.kind) {
    case "enum":
      if (!spec.values.includes(value)) throw new BadRequest(`${spec.name}: "${value}" is not one of ${spec.values.join(", ")}`);
      return value;
    case "integer": {
      const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(number) || number < spec.min || number > spec.max) throw new BadRequest(`${spec.name}: expected an integer from ${spec.min} to ${spec.max}, got "${value}"`);
      return number;
    }
    case "string":
      if (value === "" || value.length > (spec.maxLength ?? 1024)) throw new BadRequest(`${spec.name}: expected 1 to ${spec.maxLength ?? 1024} characters`);
      return value;
  }
}
