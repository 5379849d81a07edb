// The OpenAPI 3.1 document of the dashboard's API, generated from ROUTES (docs/dashboard/openapi.json
// holds a copy a test keeps current).

import { ROUTES, type ParamSpec, type RouteSpec } from "./routes.js";

const str = { type: "string" } as const;
const int = { type: "integer" } as const;
const nullableNum = { type: ["number", "null"] } as const;
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: "object", properties, required });
const arr = (items: unknown) => ({ type: "array", items });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const counts = { type: "object", additionalProperties: int, description: "Verdict → count." };

const SCHEMAS: Record<string, unknown> = {
  Error: obj({ error: str }),
  ExperimentRow: obj({ id: int, experiment: str, operator: str, component: str, faultType: str, verdict: str, recoveryMs: nullableNum, timestamp: str, source: str, suiteRun: { type: ["string", "null"] } }),
  ExperimentPage: obj({ total: int, page: int, pageSize: int, items: arr(ref("ExperimentRow")) }),
  ExperimentDetail: { allOf: [ref("ExperimentRow"), obj({ report: { type: "object", description: "The report as written by `run` (see src/report/model.ts)." } })] },
  LiveRun: obj({
    id: str, kind: { enum: ["cli", "controller"] }, operator: str, experiment: str, namespace: str, phase: str, startedAt: str, updatedAt: str,
    faults: arr(obj({ faultType: str, target: str, since: str })),
  }),
  LiveRuns: obj({ runs: arr(ref("LiveRun")) }),
  Overview: obj({
    total: int, verdicts: counts,
    recoveryByFault: arr(obj({ faultType: str, runs: int, recovered: int, meanMs: nullableNum, maxMs: nullableNum })),
    trend: arr(obj({ day: str, verdicts: counts })),
    running: arr(ref("LiveRun")),
  }),
  Coverage: obj({
    faultTypes: arr(str),
    operators: arr(obj({ operator: str, cells: { type: "object", additionalProperties: obj({ runs: int, latest: str }) } })),
  }),
  Knowledge: obj({
    models: arr(obj({
      operator: str, namespace: str,
      components: arr(obj({
        name: str, dependencies: arr(str), latest: { type: ["string", "null"] }, runs: int,
        resources: arr(obj({ kind: str, name: str, namespace: str, latest: { type: ["string", "null"] } })),
      })),
    })),
  }),
  SuiteRuns: obj({ runs: arr(obj({ id: str, suite: str, generated: str, summary: str, experiments: int })) }),
  SuiteComparison: obj({
    a: str, b: str,
    rows: arr(obj({
      experiment: str,
      a: { oneOf: [{ type: "null" }, obj({ verdict: str, recoveryMs: nullableNum, id: int })] },
      b: { oneOf: [{ type: "null" }, obj({ verdict: str, recoveryMs: nullableNum, id: int })] },
      recoveryDeltaMs: nullableNum, verdictChanged: { type: "boolean" },
    })),
  }),
  Status: obj({
    reports: int, database: { type: ["string", "null"] },
    sources: arr(obj({ name: str, state: str, detail: str })),
    skipped: arr(obj({ origin: str, error: str })),
  }),
};

function parameter(spec: ParamSpec, where: "query" | "path") {
  const schema =
    spec.kind === "enum" ? { type: "string", enum: [...spec.values] }
    : spec.kind === "integer" ? { type: "integer", minimum: spec.min, maximum: spec.max }
    : { type: "string", minLength: 1, maxLength: spec.maxLength ?? 1024 };
  return { name: spec.name, in: where, required: where === "path", description: spec.description, schema };
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [name, route] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    const content = route.stream
      ? { "text/event-stream": { schema: { type: "string", description: "`event: live` with LiveRuns JSON; `event: history` with {reports}." } } }
      : { "application/json": { schema: ref(route.response) } };
    paths[route.path] = {
      get: {
        operationId: name,
        summary: route.summary,
        parameters: [...(route.pathParams ?? []).map((p) => parameter(p, "path")), ...route.query.map((p) => parameter(p, "query"))],
        responses: {
          "200": { description: "OK", content },
          "400": { description: "Unknown query parameter or bad value.", content: { "application/json": { schema: ref("Error") } } },
          "401": { description: "A bearer token is required and was missing or wrong.", content: { "application/json": { schema: ref("Error") } } },
          ...(route.pathParams ? { "404": { description: "Not found.", content: { "application/json": { schema: ref("Error") } } } } : {}),
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "operator-chaos dashboard API", version, description: "Read-only. Every route is GET; an unknown query parameter is a 400." },
    components: { schemas: SCHEMAS, securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "Required when the dashboard was started with --token (always for non-loopback addresses)." } } },
    security: [{}, { bearer: [] }],
    paths,
  };
}
