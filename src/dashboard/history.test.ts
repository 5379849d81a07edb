import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { History, HistoryError } from "./history.js";
import { FolderIngest } from "./ingest-files.js";
import { compareSuiteRuns, coverage, getExperiment, listExperiments, listSuiteRuns, overview } from "./queries.js";
import { sampleReport } from "./sample.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "oc-dash-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeReport = (folder: string, name: string, value: unknown) => {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, name), JSON.stringify(value, null, 2));
};
const baseFilter = { sort: "timestamp" as const, order: "desc" as const, page: 1, pageSize: 50 };

describe("History file", () => {
  it("persists reports to the SQLite file and reads them back after a restart, ingesting each file once", async () => {
    const reports = path.join(dir, "reports");
    for (let i = 0; i < 5; i++) writeReport(reports, `r${i}.json`, sampleReport(i));
    const db = path.join(dir, "history.db");
    const first = await History.open(db);
    const outcome = await new FolderIngest(first).scan(reports);
    expect(outcome).toEqual({ added: 5, skipped: [] });
    first.close();
    expect(readFileSync(db).subarray(0, 15).toString()).toBe("SQLite format 3");

    const second = await History.open(db);
    expect(second.count()).toBe(5);
    expect(await new FolderIngest(second).scan(reports)).toEqual({ added: 0, skipped: [] });
    // A file rewritten with new content is read again; the same content is not stored twice.
    writeReport(reports, "r0.json", sampleReport(0));
    utimesSync(path.join(reports, "r0.json"), new Date(), new Date(Date.now() + 5000));
    expect((await new FolderIngest(second).scan(reports)).added).toBe(0);
    writeReport(reports, "r5.json", sampleReport(5));
    expect((await new FolderIngest(second).scan(reports)).added).toBe(1);
    second.close();
  });

  it("skips a corrupt file with a warning, once, and ingests the rest", async () => {
    const reports = path.join(dir, "reports");
    writeReport(reports, "good.json", sampleReport(1));
    mkdirSync(reports, { recursive: true });
    writeFileSync(path.join(reports, "broken.json"), "{ not json");
    writeReport(reports, "other.json", { hello: "world" });
    const history = await History.open();
    const warnings: string[] = [];
    const ingest = new FolderIngest(history, (w) => warnings.push(`${path.basename(w.file)}: ${w.error}`));
    const outcome = await ingest.scan(reports);
    expect(outcome.added).toBe(1);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^broken\.json: not valid JSON/);
    expect(warnings[1]).toBe("other.json: not an experiment report: missing `experiment`");
    expect(history.skipped().map((s) => path.basename(s.origin))).toEqual(["broken.json", "other.json"]);
    await ingest.scan(reports);
    expect(warnings).toHaveLength(2);
  });

  it("refuses a database another dashboard holds, a missing folder and a file that is not SQLite", async () => {
    const db = path.join(dir, "h.db");
    const held = await History.open(db);
    await expect(History.open(db)).rejects.toThrow(new HistoryError(`${db}: the database is locked by another dashboard (process ${process.pid}; lock file ${db}.lock)`));
    held.close();
    // A lock left by a process that is gone is stale.
    writeFileSync(`${db}.lock`, "999999999");
    (await History.open(db)).close();
    await expect(History.open(path.join(dir, "nope", "h.db"))).rejects.toThrow(/the folder .*nope does not exist/);
    writeFileSync(path.join(dir, "text.db"), "hello");
    await expect(History.open(path.join(dir, "text.db"))).rejects.toThrow(/not an SQLite database/);
  });

  it("a folder that does not exist is an error", async () => {
    const history = await History.open();
    await expect(new FolderIngest(history).scan(path.join(dir, "missing"))).rejects.toThrow(/no such report folder/);
  });

  it("watches a folder and ingests a report written into it", async () => {
    const reports = path.join(dir, "live");
    mkdirSync(reports);
    const history = await History.open();
    const controller = new AbortController();
    new FolderIngest(history).watch(reports, controller.signal);
    const changed = new Promise<void>((resolve) => history.onChange(() => history.count() > 0 && resolve()));
    writeReport(reports, "new.json", sampleReport(3));
    await changed;
    controller.abort();
    expect(listExperiments(history, baseFilter).items[0]?.experiment).toBe(sampleReport(3).experiment);
  });
});

describe("queries", () => {
  it("filters, sorts and pages experiments; reads one; counts verdicts and coverage", async () => {
    const history = await History.open();
    for (let i = 0; i < 30; i++) history.addReport(sampleReport(i), "file", `r${i}`);
    const all = listExperiments(history, { ...baseFilter, pageSize: 10 });
    expect(all.total).toBe(30);
    expect(all.items).toHaveLength(10);
    expect(all.items[0]!.experiment).toBe(sampleReport(29).experiment);
    const failed = listExperiments(history, { ...baseFilter, verdict: "Failed" });
    expect(failed.total).toBe(5);
    expect(failed.items.every((row) => row.verdict === "Failed")).toBe(true);
    const byRecovery = listExperiments(history, { ...baseFilter, sort: "recovery", order: "asc", operator: "kserve" });
    const times = byRecovery.items.map((row) => row.recoveryMs).filter((ms) => ms !== null);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(byRecovery.items.at(-1)!.recoveryMs).toBeNull();
    expect(listExperiments(history, { ...baseFilter, q: "PODKILL" }).total).toBe(2);
    const page3 = listExperiments(history, { ...baseFilter, pageSize: 10, page: 3 });
    expect(page3.items.at(-1)!.experiment).toBe(sampleReport(0).experiment);

    const one = getExperiment(history, all.items[0]!.id)!;
    expect((one.report as { experiment: string }).experiment).toBe(sampleReport(29).experiment);
    expect(getExperiment(history, 9999)).toBeUndefined();

    const view = overview(history);
    expect(view.total).toBe(30);
    expect(view.verdicts).toEqual({ Resilient: 15, Degraded: 5, Failed: 5, Inconclusive: 5 });
    expect(view.recoveryByFault).toHaveLength(20);

    const matrix = coverage(history);
    expect(matrix.faultTypes).toHaveLength(20);
    expect(matrix.operators.map((o) => o.operator)).toEqual(["dashboard", "kserve", "llamastack"]);
    expect(matrix.operators[2]!.cells.PodKill).toEqual({ runs: 1, latest: "Resilient" });
  });

  it("compares two suite runs experiment by experiment", async () => {
    const reports = path.join(dir, "suites");
    const suite = (at: string, verdicts: string[]) => ({
      suite: "nightly", generatedAt: at, summary: "s", experiments: [],
      reports: verdicts.map((verdict, i) => ({ ...sampleReport(i, { verdict, start: Date.parse(at) }), experiment: `exp-${i}` })),
    });
    writeReport(path.join(reports, "a"), "suite-results.json", suite("2026-11-01T00:00:00Z", ["Resilient", "Resilient"]));
    writeReport(path.join(reports, "b"), "suite-results.json", suite("2026-11-02T00:00:00Z", ["Resilient", "Failed", "Resilient"]));
    const history = await History.open();
    expect((await new FolderIngest(history).scan(reports)).added).toBe(5);
    const runs = listSuiteRuns(history);
    expect(runs.map((r) => [r.id, r.experiments])).toEqual([["nightly@2026-11-02T00:00:00Z", 3], ["nightly@2026-11-01T00:00:00Z", 2]]);
    const delta = compareSuiteRuns(history, runs[1]!.id, runs[0]!.id);
    expect(delta.map((d) => [d.experiment, d.a?.verdict ?? null, d.b?.verdict ?? null, d.verdictChanged])).toEqual([
      ["exp-0", "Resilient", "Resilient", false],
      ["exp-1", "Resilient", "Failed", true],
      ["exp-2", null, "Resilient", true],
    ]);
    expect(delta[0]!.recoveryDeltaMs).toBe(0);
  });
});
