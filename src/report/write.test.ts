import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readReportDir, writeAggregateReport, writeExperimentReport } from "./write.js";
import type { ExperimentReport } from "./model.js";

function makeReport(experiment: string): ExperimentReport {
  return {
    experiment,
    timestamp: "2025-06-01T12:00:20.000Z",
    target: { operator: "op", component: "controller" },
    injection: { type: "PodKill" },
    evaluation: { verdict: "Resilient", confidence: "ok", recoveryTime: 1_000_000_000, recoveryTimeMs: 1000, reconcileCycles: 0, reasons: [] },
    steadyState: {},
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-chaos-report-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeExperimentReport", () => {
  it("writes the JSON, JUnit and Markdown files under one stem, creating the directory", async () => {
    const target = join(dir, "nested", "reports");
    const files = await writeExperimentReport(target, makeReport("pod-kill"));
    expect(files).toEqual({
      json: join(target, "pod-kill-20250601-120020.json"),
      junit: join(target, "pod-kill-20250601-120020.junit.xml"),
      markdown: join(target, "pod-kill-20250601-120020.md"),
      html: join(target, "pod-kill-20250601-120020.html"),
    });
    expect(JSON.parse(await readFile(files.json, "utf8"))).toEqual(makeReport("pod-kill"));
    expect(await readFile(files.junit, "utf8")).toContain('<testcase name="pod-kill"');
    expect(await readFile(files.markdown, "utf8")).toMatch(/^# pod-kill\n/);
    expect(await readFile(files.html, "utf8")).toMatch(/^<!DOCTYPE html>/);
    expect((await readdir(target)).sort()).toEqual(["pod-kill-20250601-120020.html", "pod-kill-20250601-120020.json", "pod-kill-20250601-120020.junit.xml", "pod-kill-20250601-120020.md"]);
  });

  it("never overwrites an earlier report of the same experiment in the same second", async () => {
    const first = await writeExperimentReport(dir, makeReport("pod-kill"));
    const second = await writeExperimentReport(dir, makeReport("pod-kill"));
    expect(second.json).toBe(join(dir, "pod-kill-20250601-120020-2.json"));
    expect(first.json).not.toBe(second.json);
  });
});

describe("readReportDir", () => {
  it("reads every experiment report, skipping the consolidated report.json and saying why others were skipped", async () => {
    await writeExperimentReport(dir, makeReport("b"));
    await writeExperimentReport(dir, makeReport("a"));
    await writeFile(join(dir, "report.json"), JSON.stringify({ generated: "", experiments: [], summary: {} }));
    await writeFile(join(dir, "broken.json"), "{");
    await writeFile(join(dir, "other.json"), JSON.stringify({ hello: "world" }));
    const { reports, skipped } = await readReportDir(dir);
    expect(reports.map((report) => report.experiment)).toEqual(["a", "b"]);
    expect(skipped.map((entry) => [entry.file, entry.error.split(":")[0]])).toEqual([
      [join(dir, "broken.json"), "not valid JSON"],
      [join(dir, "other.json"), "missing `experiment`"],
    ]);
  });
});

describe("writeAggregateReport", () => {
  it("writes json, junit and html to their default files and returns summary and markdown for stdout", async () => {
    const reports = [makeReport("a")];
    const options = { generatedAt: Date.UTC(2025, 5, 1) };
    const json = await writeAggregateReport(dir, reports, "json", options);
    expect(json.path).toBe(join(dir, "report.json"));
    expect(JSON.parse(await readFile(json.path!, "utf8")).summary.total).toBe(1);
    expect((await writeAggregateReport(dir, reports, "junit", options)).path).toBe(join(dir, "report.xml"));
    expect((await writeAggregateReport(dir, reports, "html", options)).path).toBe(join(dir, "report.html"));
    const summary = await writeAggregateReport(dir, reports, "summary", options);
    expect(summary.path).toBeUndefined();
    expect(summary.content).toContain("1 experiment: 1 Resilient");
    // The consolidated report must not be read back as an experiment.
    expect((await readReportDir(dir)).reports).toHaveLength(0);
  });

  it("writes to an explicit output path for any format", async () => {
    const output = join(dir, "summary.txt");
    const written = await writeAggregateReport(dir, [makeReport("a")], "markdown", { generatedAt: 0, output });
    expect(written.path).toBe(output);
    expect(await readFile(output, "utf8")).toBe(written.content);
  });
});
