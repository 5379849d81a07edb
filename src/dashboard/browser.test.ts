// The UI in a real headless Chromium (Debian's, driven by puppeteer-core: no browser download), over a
// real server and SQLite file. Screenshots of each page go to $OPERATOR_CHAOS_DASHBOARD_SCREENSHOTS
// (docs/dashboard for the README's), else to a temporary folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDashboard, type RunningDashboard } from "./app.js";
import { sampleReport } from "./sample.js";

const CHROMIUM = "/usr/bin/chromium";
let dir: string;
let shots: string;
let dashboard: RunningDashboard;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "oc-dash-ui-"));
  shots = process.env.OPERATOR_CHAOS_DASHBOARD_SCREENSHOTS ?? path.join(dir, "shots");
  mkdirSync(shots, { recursive: true });
  const reports = path.join(dir, "reports");
  mkdirSync(path.join(reports, "nightly-1"), { recursive: true });
  mkdirSync(path.join(reports, "nightly-2"), { recursive: true });
  const start = Date.UTC(2026, 10, 20);
  for (let i = 0; i < 60; i++) writeFileSync(path.join(reports, `r${i}.json`), JSON.stringify(sampleReport(i, { start: start + (i % 6) * 86_400_000 })));
  const suite = (generatedAt: string, verdicts: string[], slower: number) => ({
    suite: "nightly", generatedAt, summary: `${verdicts.length} experiments`, experiments: [],
    reports: verdicts.map((verdict, i) => {
      const report = sampleReport(i, { verdict, operator: "llamastack", start: Date.parse(generatedAt) });
      const recovery = report.evaluation.recoveryTimeMs;
      return { ...report, experiment: `nightly-${report.injection.type.toLowerCase()}`, evaluation: { ...report.evaluation, recoveryTimeMs: recovery === null || recovery === undefined ? null : recovery + slower } };
    }),
  });
  writeFileSync(path.join(reports, "nightly-1", "suite-results.json"), JSON.stringify(suite("2026-11-25T02:00:00Z", ["Resilient", "Resilient", "Resilient", "Resilient"], 0)));
  writeFileSync(path.join(reports, "nightly-2", "suite-results.json"), JSON.stringify(suite("2026-11-26T02:00:00Z", ["Resilient", "Failed", "Resilient", "Resilient"], 700)));
  // The knowledge fixture's operator: its controller failed once, then recovered; its ConfigMap was drifted.
  const widget = (i: number, verdict: string, resource: string) => {
    const report = sampleReport(100 + i, { operator: "widget-operator", verdict, faultType: "ConfigDrift", start: start + i * 3_600_000 });
    return { ...report, target: { operator: "widget-operator", component: "widget-controller", resource } };
  };
  writeFileSync(path.join(reports, "w1.json"), JSON.stringify(widget(1, "Failed", "ConfigMap/widget-settings")));
  writeFileSync(path.join(reports, "w2.json"), JSON.stringify(widget(2, "Resilient", "Deployment/widget-controller")));
  const knowledgeDir = path.join(import.meta.dirname, "..", "..", "test", "fixtures", "knowledge");
  dashboard = await startDashboard({ host: "127.0.0.1", port: 0, db: path.join(dir, "h.db"), reports: [reports], knowledgeDir, warn: () => {} });
  // No fallback: without Chromium this fails (setup.mjs installs Debian's chromium).
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(hash: string, ready: string): Promise<void> {
  await page.goto(new URL(`/#${hash}`, dashboard.url).href);
  await page.waitForFunction((want, selector) => document.getElementById("page")?.dataset.rendered === want && document.querySelector(selector) !== null, { timeout: 10_000 }, `#${hash}`, ready);
}
/** The page shows what the address asks for (after a click or a select changed the hash). */
const settled = () => page.waitForFunction(() => document.getElementById("page")?.dataset.rendered === location.hash, { timeout: 5_000 });
const text = (selector: string) => page.$eval(selector, (node) => node.textContent ?? "");
const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

describe("dashboard in Chromium", () => {
  it("overview: verdict counts, trend and recovery charts, nothing running", async () => {
    await open("/", "#verdicts");
    expect(await text('[data-verdict="total"]')).toBe("70");
    expect(await text('[data-verdict="Failed"]')).toBe("12");
    expect(await page.$$eval("#trend-chart rect", (nodes) => nodes.length)).toBeGreaterThan(0);
    expect(await page.$$eval("#recovery-chart rect", (nodes) => nodes.length)).toBe(20);
    expect(await text("#running-none")).toBe("Nothing is running.");
    await shot("overview");
  });

  it("live: shows the connection, and a phase change within 2 s", async () => {
    await open("/live", "#live-runs");
    await page.waitForFunction(() => document.getElementById("connection")?.dataset.state === "connected", { timeout: 5_000 });
    dashboard.board.lease("demo", "operator-chaos-lock-llamastack", "llamastack", "host-1", new Date(Date.now() - 3000).toISOString());
    await page.waitForSelector('[data-run="cli/demo/operator-chaos-lock-llamastack"]', { timeout: 2_000 });
    dashboard.board.record("ConfigMap/demo/j-1", "llamastack", "llamastack-configdrift", { faultType: "ConfigDrift", target: "ConfigMap/demo/llamastack-config", since: new Date().toISOString() });
    const changedAt = Date.now();
    await page.waitForFunction(() => document.querySelector('[data-run] .phase')?.textContent === "FaultHeld", { timeout: 2_000 });
    expect(Date.now() - changedAt).toBeLessThan(2_000);
    expect(await text("#live-connection")).toBe("connected");
    await shot("live");
    dashboard.board.recordGone("ConfigMap/demo/j-1");
    await page.waitForFunction(() => document.querySelector('[data-run] .phase')?.textContent === "Reverted", { timeout: 2_000 });
    dashboard.board.leaseGone("demo", "operator-chaos-lock-llamastack");
    await page.waitForSelector("#running-none", { timeout: 2_000 });
  });

  it("experiments: filters, sorts and pages", async () => {
    await open("/experiments", "#experiments");
    expect(await text("#total")).toBe("70 report(s)");
    expect(await text("#page-of")).toBe("page 1 of 3");
    await page.select('select[name="verdict"]', "Failed");
    await page.waitForFunction(() => document.getElementById("total")?.textContent === "12 report(s)", { timeout: 5_000 });
    const verdicts = await page.$$eval("#experiments .verdict", (nodes) => nodes.map((n) => n.textContent));
    expect(new Set(verdicts)).toEqual(new Set(["Failed"]));
    await page.select('select[name="verdict"]', "");
    await page.waitForFunction(() => document.getElementById("total")?.textContent === "70 report(s)");
    await page.click('[data-sort="recovery"]');
    await page.waitForFunction(() => location.hash.includes("sort=recovery"));
    await settled();
    const times = await page.$$eval("#experiments .recovery", (nodes) => nodes.map((n) => n.textContent ?? ""));
    const numbers = times.filter((t) => t !== "—").map((t) => (t.endsWith(" ms") ? Number.parseFloat(t) : Number.parseFloat(t) * 1000));
    expect(numbers.length).toBeGreaterThan(5);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    await page.type('input[name="q"]', "podkill");
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => location.hash.includes("q=podkill"));
    await settled();
    const names = await page.$$eval("#experiments tbody tr td:first-child", (nodes) => nodes.map((n) => n.textContent ?? ""));
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((name) => name.includes("podkill"))).toBe(true);
    await open("/experiments", "#experiments");
    await page.click("#next");
    await page.waitForFunction(() => document.getElementById("page-of")?.textContent === "page 2 of 3");
    await open("/experiments?sort=timestamp&order=desc", "#experiments");
    await shot("experiments");
  });

  it("one experiment: summary, hypothesis, timeline chart, deviations and the raw report", async () => {
    await open("/experiments?verdict=Degraded", "#experiments");
    await page.click("#experiments tbody tr a");
    await page.waitForSelector("#timeline");
    expect(await text("#summary")).toContain("Degraded");
    expect(await text("#hypothesis")).toMatch(/restores its .* target — instantaneous, recovery within 60\.0 s/);
    expect(await page.$$eval("#timeline rect.lane", (nodes) => nodes.length)).toBe(2);
    expect(await page.$$eval("#timeline circle.point", (nodes) => nodes.length)).toBeGreaterThanOrEqual(4);
    expect(await text("#deviations")).toContain("slow_recovery");
    expect(JSON.parse(await text("#raw")).evaluation.verdict).toBe("Degraded");
    await shot("experiment");
  });

  it("operators: the coverage matrix over the 20 fault types", async () => {
    await open("/operators", "#coverage");
    expect(await page.$$eval("#coverage thead th", (nodes) => nodes.length)).toBe(21);
    expect(await page.$$eval("#coverage tbody tr", (nodes) => nodes.map((n) => n.getAttribute("data-operator")))).toEqual(["dashboard", "kserve", "llamastack", "widget-operator"]);
    expect(await page.$$eval("#coverage td.cell:not(.none)", (nodes) => nodes.length)).toBeGreaterThan(20);
    await shot("operators");
  });

  it("knowledge: each model's dependency graph, coloured by the latest verdicts", async () => {
    await open("/knowledge", ".knowledge-graph");
    expect(await page.$$eval(".knowledge-graph", (nodes) => nodes.map((n) => n.getAttribute("data-operator")))).toEqual(["gadget-operator", "widget-operator"]);
    const widget = '.knowledge-graph[data-operator="widget-operator"]';
    expect(await page.$$eval(`${widget} .component`, (nodes) => nodes.map((n) => [n.getAttribute("data-component"), n.getAttribute("data-latest")])))
      .toEqual([["widget-controller", "Resilient"], ["widget-webhook", "none"]]);
    expect(await page.$$eval(`${widget} line.edge`, (nodes) => nodes.length)).toBe(1);
    const fills = await page.$$eval(`${widget} [data-component="widget-controller"] rect.resource`, (nodes) => nodes.map((n) => n.getAttribute("fill")));
    expect(fills).toEqual(["#2e7d32", "#c62828"]);
    await shot("knowledge");
  });

  it("suites: two runs side by side with the delta per experiment", async () => {
    await open("/suites", "#comparison");
    const rows = await page.$$eval("#comparison tbody tr", (nodes) => nodes.map((n) => [n.getAttribute("data-experiment"), n.classList.contains("changed")]));
    expect(rows).toEqual([["nightly-configdrift", false], ["nightly-crdmutation", false], ["nightly-networkpartition", true], ["nightly-podkill", false]]);
    expect(await text('[data-experiment="nightly-podkill"] td:nth-child(4)')).toBe("+700 ms");
    // Swapping the sides flips the delta.
    const ids = await page.$$eval("#suite-a option", (nodes) => nodes.map((n) => (n as HTMLOptionElement).value));
    await page.select("#suite-a", ids[0]!);
    await page.waitForFunction(() => location.hash.includes("a="));
    await settled();
    await page.select("#suite-b", ids[1]!);
    await page.waitForFunction(() => document.querySelector('[data-experiment="nightly-podkill"] td:nth-child(4)')?.textContent === "−700 ms", { timeout: 5_000 });
    await open("/suites", "#comparison");
    await shot("suites");
  });
});
