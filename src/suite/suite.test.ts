import { describe, expect, it } from "vitest";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import type { ChaosExperiment } from "../experiment/types.js";
import type { ExperimentReport } from "../report/model.js";
import { applyCollateral } from "./collateral.js";
import { conflictBetween, conflictKeys } from "./conflict.js";
import { dependencyGraph } from "./graph.js";
import { goSeconds, summaryLine, verdictLine } from "./lines.js";
import { runScheduled } from "./schedule.js";
import { crossReferenceProblems, formatTable, preflightFailed, summarize } from "../preflight/knowledge.js";

function model(operator: string, components: { name: string; dependencies?: string[] }[]): OperatorKnowledge {
  return {
    operator: { name: operator, namespace: `${operator}-ns` },
    components: components.map((c) => ({
      name: c.name, controller: "Deployment",
      managedResources: [{ apiVersion: "apps/v1", kind: "Deployment", name: c.name, namespace: `${operator}-ns` }],
      ...(c.dependencies ? { dependencies: c.dependencies } : {}),
      steadyState: { checks: [{ type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: c.name, conditionType: "Available" }] },
    })),
    recovery: { reconcileTimeout: "60s", maxReconcileCycles: 5 },
  } as OperatorKnowledge;
}

function experiment(name: string, operator: string, component: string, resource = `Deployment/${component}`): ChaosExperiment {
  return {
    apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment", metadata: { name },
    spec: {
      target: { operator, component, resource },
      injection: { type: "PodKill", parameters: { labelSelector: `app=${component}` } },
      hypothesis: { description: "", recoveryTimeout: "60s" },
      blastRadius: { maxPodsAffected: 1 },
    },
  } as unknown as ChaosExperiment;
}

describe("dependency graph", () => {
  const graph = dependencyGraph([
    model("serving", [{ name: "controller" }, { name: "router", dependencies: ["controller"] }]),
    model("llm", [{ name: "manager", dependencies: ["serving", "nowhere"] }]),
  ]);

  it("links a component to a component of its own model, and to every component of an operator it names", () => {
    expect(graph.dependentsOf("serving", "controller").map((n) => `${n.operator}/${n.component}`)).toEqual(["serving/router", "llm/manager"]);
    expect(graph.dependentsOf("serving", "router").map((n) => `${n.operator}/${n.component}`)).toEqual(["llm/manager"]);
    expect(graph.dependenciesOf("llm", "manager").map((n) => n.component)).toEqual(["controller", "router"]);
    expect(graph.dependentsOf("serving", "controller")[1]!.namespace).toBe("llm-ns");
  });

  it("warns about a dependency it cannot resolve", () => {
    expect(graph.warnings).toEqual(['llm/manager: dependency "nowhere" is neither a component of llm nor a loaded operator']);
  });
});

describe("conflict check", () => {
  const graph = dependencyGraph([model("a", [{ name: "x" }]), model("b", [{ name: "y", dependencies: ["a"] }]), model("c", [{ name: "z" }])]);

  it("two faults on one operator conflict; on unrelated operators they do not", () => {
    expect(conflictBetween(conflictKeys(experiment("1", "a", "x"), graph), conflictKeys(experiment("2", "a", "x", "ConfigMap/cfg"), graph))).toContain("operator:a");
    expect(conflictBetween(conflictKeys(experiment("1", "a", "x"), graph), conflictKeys(experiment("3", "c", "z"), graph))).toEqual([]);
  });

  it("a fault on a dependency conflicts with one on its dependent (its steady state is watched as collateral)", () => {
    expect(conflictBetween(conflictKeys(experiment("1", "a", "x"), graph), conflictKeys(experiment("2", "b", "y"), graph))).toEqual(["operator:a", "operator:b"]);
  });

  it("two faults on the same object conflict even across operators", () => {
    expect(conflictBetween(conflictKeys(experiment("1", "a", "x", "ConfigMap/shared")), conflictKeys(experiment("2", "c", "z", "ConfigMap/shared")))).toEqual(["object:ConfigMap/shared"]);
  });
});

describe("scheduler", () => {
  const keys = (...k: string[]) => ({ keys: new Set(k) });

  it("runs at most N at once, never two conflicting tasks together, conflicting ones in file order, and says who waited for whom", async () => {
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    const live = new Set<number>();
    const tasks = [keys("operator:a"), keys("operator:a"), keys("operator:b"), keys("operator:c"), keys("operator:a")];
    const { results, waits } = await runScheduled(tasks, 2, async (index) => {
      for (const other of live) expect(conflictBetween(tasks[index]!, tasks[other]!)).toEqual([]);
      live.add(index);
      running++;
      peak = Math.max(peak, running);
      log.push(`start ${index}`);
      await new Promise((r) => setTimeout(r, 5 + index));
      log.push(`end ${index}`);
      running--;
      live.delete(index);
      return index * 10;
    });
    expect(results).toEqual([0, 10, 20, 30, 40]);
    expect(peak).toBe(2);
    expect(log.indexOf("start 1")).toBeGreaterThan(log.indexOf("end 0"));
    expect(log.indexOf("start 4")).toBeGreaterThan(log.indexOf("end 1"));
    expect(log.indexOf("start 2")).toBeLessThan(log.indexOf("end 0")); // b did not wait for a
    expect(waits).toEqual(expect.arrayContaining([{ task: 1, for: 0, shared: ["operator:a"] }]));
  });

  it("with parallel 1 runs in order; tasks without keys never conflict", async () => {
    const order: number[] = [];
    await runScheduled([undefined, undefined, undefined], 1, async (index) => { order.push(index); });
    expect(order).toEqual([0, 1, 2]);
  });

  it("stops starting tasks once aborted", async () => {
    const controller = new AbortController();
    const started: number[] = [];
    await runScheduled([keys("a"), keys("b"), keys("c")], 1, async (index) => {
      started.push(index);
      controller.abort();
    }, controller.signal);
    expect(started).toEqual([0]);
  });
});

describe("the Go tool's suite lines", () => {
  it("formats verdict lines and the tier summary", () => {
    expect(verdictLine("pk", "Resilient", 12_400, 0)).toEqual({ line: "PASS  pk (Resilient, 12s recovery, 0 deviations)", status: "pass" });
    expect(verdictLine("pk", "Degraded", 65_000, 2).line).toBe("FAIL  pk (Degraded, 1m5s recovery, 2 deviations)");
    expect(verdictLine("pk", "Inconclusive", null, 0).line).toBe("SKIP  pk (Inconclusive, 0s recovery, 0 deviations)");
    expect(summaryLine(["pass", "fail", "skip", "pass"], [1, 2, undefined, 2], 5)).toBe("Suite summary: 2 passed, 1 failed, 1 skipped (total: 5) | tiers: T1=1 T2=2");
    expect(summaryLine(["pass"], [undefined], 1)).toBe("Suite summary: 1 passed, 0 failed, 0 skipped (total: 1)");
    expect([goSeconds(0), goSeconds(499), goSeconds(500), goSeconds(3_723_000)]).toEqual(["0s", "0s", "1s", "1h2m3s"]);
  });
});

describe("collateral findings", () => {
  const report = { experiment: "e", timestamp: "", target: { operator: "a", component: "x" }, injection: { type: "PodKill" }, steadyState: {}, evaluation: { verdict: "Resilient", confidence: "", recoveryTime: 0, reconcileCycles: 0 } } as unknown as ExperimentReport;

  it("a dependent that lost its steady state is collateral_degradation and turns Resilient into Degraded", () => {
    const applied = applyCollateral(report, [
      { operator: "b", component: "y", passed: false, detail: "lost its steady state (conditionTrue Deployment/y)" },
      { operator: "c", component: "z", passed: true, detail: "kept its steady state" },
    ]);
    expect(applied.evaluation.verdict).toBe("Degraded");
    expect(applied.evaluation.deviations).toEqual([{ type: "collateral_degradation", detail: "dependent b/y degraded: lost its steady state (conditionTrue Deployment/y)" }]);
    expect(applied.collateral).toEqual([{ operator: "b", component: "y", passed: false }, { operator: "c", component: "z", passed: true }]);
  });

  it("a dependent that was not in its steady state before the fault is not held against the target", () => {
    expect(applyCollateral(report, [{ operator: "b", component: "y", passed: undefined, detail: "not in its steady state before the fault" }])).toBe(report);
  });
});

describe("preflight, local part", () => {
  it("a steady-state check must name a managed resource of its component; counts are summed", () => {
    const broken = model("a", [{ name: "x" }]);
    (broken.components[0]!.steadyState!.checks[0] as { name: string }).name = "elsewhere";
    expect(crossReferenceProblems(broken)).toEqual(['a: components[0].steadyState.checks[0]: references resource "elsewhere" not declared in managedResources']);
    expect(crossReferenceProblems(model("a", [{ name: "x" }]))).toEqual([]);
    expect(summarize(model("a", [{ name: "x" }, { name: "y" }]))).toMatchObject({ operator: "a", components: 2, resources: 2, webhooks: 0, finalizers: 0 });
  });

  it("Missing, Error and Denied fail the preflight; Degraded is a warning", () => {
    const row = (status: "Found" | "Missing" | "Degraded" | "Denied") => ({ subject: "resource" as const, operator: "a", component: "x", kind: "Deployment", name: "x", status });
    expect(preflightFailed([row("Found"), row("Degraded")])).toBe(false);
    expect(preflightFailed([row("Found"), row("Missing")])).toBe(true);
    expect(preflightFailed([row("Denied")])).toBe(true);
    expect(formatTable([{ ...row("Missing"), namespace: "ns", reason: "not found" }]).split("\n")).toEqual([
      "CHECK     COMPONENT  KIND        NAME  STATUS   REASON",
      "resource  x          Deployment  ns/x  Missing  not found",
    ]);
  });
});

describe("which files and models a suite uses", () => {
  it("a folder's *.yaml/*.yml in path order, sub-folders only with --recursive; an empty folder is an error", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { collectSuiteFiles, SuiteFilesError } = await import("./files.js");
    const dir = mkdtempSync(path.join(tmpdir(), "oc-suite-files-"));
    for (const name of ["b.yaml", "a.yml", "notes.txt"]) writeFileSync(path.join(dir, name), "");
    mkdirSync(path.join(dir, "sub"));
    writeFileSync(path.join(dir, "sub", "c.yaml"), "");
    expect((await collectSuiteFiles([dir], false)).files.map((f) => path.relative(dir, f))).toEqual(["a.yml", "b.yaml"]);
    expect((await collectSuiteFiles([dir], true)).files.map((f) => path.relative(dir, f))).toEqual(["a.yml", "b.yaml", path.join("sub", "c.yaml")]);
    expect((await collectSuiteFiles([dir], false)).suiteName).toBe(path.basename(dir));
    const empty = mkdtempSync(path.join(tmpdir(), "oc-suite-empty-"));
    await expect(collectSuiteFiles([empty], false)).rejects.toThrow(SuiteFilesError);
    await expect(collectSuiteFiles([empty], false)).rejects.toThrow(`no experiment files found in ${empty}`);
  });

  it("--profile gives the profile's knowledge only when no --knowledge is given; an unknown profile is an error", async () => {
    const { knowledgeFiles, KnowledgeSourceError } = await import("./knowledge-sources.js");
    const { packageRoot } = await import("../experiment/package-root.js");
    const path = await import("node:path");
    const root = packageRoot();
    expect(knowledgeFiles({ profile: "llamastack-demo", cwd: root })).toEqual([path.join(root, "profiles", "llamastack-demo", "knowledge", "llamastack.yaml")]);
    expect(knowledgeFiles({ profile: "llamastack-demo", knowledge: ["mine.yaml"], cwd: root })).toEqual(["mine.yaml"]);
    expect(() => knowledgeFiles({ profile: "no-such-profile", cwd: root })).toThrow(KnowledgeSourceError);
  });
});
