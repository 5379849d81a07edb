// The API over a real SQLite file, through real HTTP on loopback.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDashboard, type RunningDashboard } from "./app.js";
import { openApiDocument } from "./openapi.js";
import { ROUTES } from "./routes.js";
import { sampleReport } from "./sample.js";
import { parseAddress } from "./server.js";

let dir: string;
let dashboard: RunningDashboard;
const warnings: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "oc-dash-api-"));
  const reports = path.join(dir, "reports");
  mkdirSync(reports);
  for (let i = 0; i < 40; i++) writeFileSync(path.join(reports, `r${String(i).padStart(2, "0")}.json`), JSON.stringify(sampleReport(i)));
  writeFileSync(path.join(reports, "corrupt.json"), "{");
  dashboard = await startDashboard({ host: "127.0.0.1", port: 0, db: path.join(dir, "h.db"), reports: [reports], warn: (t) => warnings.push(t) });
});
afterAll(async () => {
  await dashboard?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (route: string, init: RequestInit = {}) => {
  const response = await fetch(new URL(route, dashboard.url), init);
  const type = response.headers.get("content-type") ?? "";
  return { status: response.status, body: type.startsWith("application/json") ? await response.json() : await response.text(), headers: response.headers };
};

describe("dashboard API", () => {
  it("ingested the folder at start and warned about the corrupt file", async () => {
    expect(warnings).toEqual([expect.stringMatching(/^skipped .*corrupt\.json: not valid JSON/)]);
    const { body } = await get("/api/v1/status");
    expect(body).toMatchObject({ reports: 40, database: path.join(dir, "h.db"), skipped: [{ origin: path.join(dir, "reports", "corrupt.json") }] });
    expect(body.sources).toEqual([{ name: `reports ${path.join(dir, "reports")}`, state: "watching", detail: "40 new report(s) at start" }]);
  });

  it("lists, filters, sorts and pages experiments, and shows one", async () => {
    const page = await get("/api/v1/experiments?verdict=Resilient&sort=recovery&order=asc&pageSize=5&page=2");
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(21);
    expect(page.body.items).toHaveLength(5);
    expect(page.body.items.every((row: { verdict: string }) => row.verdict === "Resilient")).toBe(true);
    const times = page.body.items.map((row: { recoveryMs: number }) => row.recoveryMs);
    expect(times).toEqual([...times].sort((a: number, b: number) => a - b));
    const one = await get(`/api/v1/experiments/${page.body.items[0].id}`);
    expect(one.body.report.experiment).toBe(page.body.items[0].experiment);
    expect((await get("/api/v1/experiments/99999")).status).toBe(404);
  });

  it("rejects unknown query parameters and bad values with 400, writes with 405", async () => {
    expect(await get("/api/v1/experiments?colour=red")).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^unknown query parameter "colour" \(expected one of: verdict, fault/) } });
    expect(await get("/api/v1/overview?x=1")).toMatchObject({ status: 400, body: { error: 'unknown query parameter "x" (this route takes none)' } });
    expect(await get("/api/v1/experiments?pageSize=1000")).toMatchObject({ status: 400, body: { error: 'pageSize: expected an integer from 1 to 200, got "1000"' } });
    expect(await get("/api/v1/experiments?verdict=Great")).toMatchObject({ status: 400 });
    expect(await get("/api/v1/experiments/abc")).toMatchObject({ status: 400 });
    expect(await get("/api/v1/suites/compare?a=x")).toMatchObject({ status: 400, body: { error: "both a and b (suite run ids) are required" } });
    expect((await get("/api/v1/experiments", { method: "POST" })).status).toBe(405);
  });

  it("serves overview, coverage over the 20 fault types and the live board", async () => {
    const overview = await get("/api/v1/overview");
    expect(overview.body).toMatchObject({ total: 40, verdicts: { Resilient: 21, Degraded: 7, Failed: 6, Inconclusive: 6 }, running: [] });
    const coverage = await get("/api/v1/operators");
    expect(coverage.body.faultTypes).toHaveLength(20);
    expect(coverage.body.operators).toHaveLength(3);
    expect((await get("/api/v1/live")).body).toEqual({ runs: [] });
  });

  it("streams live changes as server-sent events", async () => {
    const controller = new AbortController();
    const response = await fetch(new URL("/api/v1/live/events", dashboard.url), { signal: controller.signal });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (needle: string) => {
      while (!text.includes(needle)) text += decoder.decode((await reader.read()).value);
    };
    await until("event: live");
    dashboard.board.lease("ns", "operator-chaos-lock-op", "op", "me", "2026-12-01T00:00:00Z");
    await until('"operator":"op"');
    controller.abort();
    dashboard.board.leaseGone("ns", "operator-chaos-lock-op");
  });

  it("serves the UI shell with a strict content policy, and openapi.json", async () => {
    const shell = await get("/");
    expect(shell.status).toBe(200);
    expect(shell.body).toContain("<title>operator-chaos dashboard</title>");
    expect(shell.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect((await get("/ui/app.js")).status).toBe(200);
    expect((await get("/ui/%2e%2e%2fpackage.json")).status).toBe(404);
    expect((await get("/openapi.json")).body.paths["/api/v1/experiments"].get.operationId).toBe("experiments");
  });
});

describe("OpenAPI document", () => {
  it("documents every route, and docs/dashboard/openapi.json is current (regenerate: node dist/src/cli/main.js dashboard --print-openapi > docs/dashboard/openapi.json)", () => {
    const document = openApiDocument("0.0.0") as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).sort()).toEqual(Object.values(ROUTES).map((r) => r.path).sort());
    const stored = JSON.parse(readFileSync(new URL("../../docs/dashboard/openapi.json", import.meta.url), "utf8"));
    expect(stored).toEqual(openApiDocument(stored.info.version));
  });
});

describe("token and address", () => {
  it("requires a token for a non-loopback address, and checks it", async () => {
    await expect(startDashboard({ host: "0.0.0.0", port: 0, reports: [], warn: () => {} })).rejects.toThrow(/not a loopback address: give a bearer token/);
    const guarded = await startDashboard({ host: "127.0.0.1", port: 0, reports: [], token: "s3cret", warn: () => {} });
    try {
      expect((await fetch(new URL("/api/v1/overview", guarded.url))).status).toBe(401);
      expect((await fetch(new URL("/api/v1/overview", guarded.url), { headers: { authorization: "Bearer nope" } })).status).toBe(401);
      expect((await fetch(new URL("/api/v1/overview", guarded.url), { headers: { authorization: "Bearer s3cret" } })).status).toBe(200);
      expect((await fetch(new URL("/", guarded.url))).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it("parses addresses", () => {
    expect(parseAddress("127.0.0.1:8080")).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(parseAddress("[::1]:9")).toEqual({ host: "::1", port: 9 });
    expect(parseAddress(":8080")).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(() => parseAddress("8080")).toThrow(/expected HOST:PORT/);
  });
});
