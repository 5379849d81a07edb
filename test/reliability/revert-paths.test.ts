// The crash harness, part two (issue #11): ways out of a run that are not a SIGKILL. For every
// runnable fault, an inject that throws after its journal write (the change applied, its answer
// lost), and a revert that fails once (HTTP 503) and then succeeds: the SAME run must revert what it
// journaled, and leave the cluster exactly as it was — without `clean`.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AFTER_MUTATION, CrashPoint } from "../../src/engine/crash-points.js";
import { KubeRest } from "../../src/kube/rest.js";
import { runCli, writeTemp } from "../support/cli.js";
import { freshNamespace, labClients } from "../support/cluster.js";
import { SCENARIOS, type Scenario } from "./scenarios.js";
import { clusterDump, dumpDifferences, isResultKey, journalRecords, namespaceSettled } from "./support.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);
const TIMING = ["--stability-window", "1s", "--hold", "1s"];

interface Report {
  phase: string;
  error?: string;
  cleanupError?: string;
  evaluation: { verdict: string };
  revert?: { attempts: number; retries: number; failures: string[]; stillActive: string[] };
  timeline: { type: string; operation?: string; message?: string }[];
}

function readReport(dir: string, output: string): Report {
  const file = readdirSync(dir).find((name) => name.endsWith(".json"));
  if (!file) throw new Error(`no JSON report in ${dir}; the CLI said:\n${output}`);
  return JSON.parse(readFileSync(join(dir, file), "utf8")) as Report;
}

/** Runs the experiment with a test hook, then compares the cluster with its state before. */
async function runWithHook(scenario: Scenario, prefix: string, hook: Record<string, string>) {
  const namespace = await freshNamespace(core, prefix);
  await namespaceSettled(rest, namespace);
  await scenario.setup(rest, namespace);
  try {
    const before = await clusterDump(config, namespace, scenario.clusterScoped);
    const reportDir = mkdtempSync(join(tmpdir(), "oc-revert-paths-"));
    const file = writeTemp("experiment.yaml", scenario.experiment(namespace, `${prefix}-${scenario.faultType.toLowerCase()}`));
    const result = await runCli(["run", file, ...TIMING, "--report-dir", reportDir], lab.kubeconfig, hook);
    await scenario.settled?.(rest, namespace);
    const after = await clusterDump(config, namespace, scenario.clusterScoped);
    return {
      result,
      output: `${result.stdout}\n${result.stderr}`,
      report: readReport(reportDir, `exit ${result.code ?? result.signal}\n${result.stdout}\n${result.stderr}`),
      records: await journalRecords(config, namespace),
      differences: dumpDifferences(before, after, (key) => isResultKey(key) || (scenario.ignore?.(key) ?? false)),
    };
  } finally {
    await scenario.teardown?.(rest, namespace);
  }
}

// Both hooks in one run per fault (the inject's answer is lost, then the first revert attempt fails):
// half the runs, and the two paths together are the harder case.
async function lostAnswerThenFailedRevert(scenario: Scenario): Promise<void> {
  const outcome = await runWithHook(scenario, "lost-answer", { OPERATOR_CHAOS_THROW_AT: AFTER_MUTATION, OPERATOR_CHAOS_TEST_FAIL_REVERT_ONCE: scenario.faultType });
  // The hook threw only after the server had applied a change of the fault's own.
  expect(outcome.output).toContain("the server applied the change, its answer was lost (simulated)");
  expect(outcome.report.error).toContain("the server applied the change, its answer was lost (simulated)");
  expect(outcome.result.signal).toBeNull();
  expect(outcome.result.code, outcome.output).toBe(1);
  expect(outcome.report.phase).toBe("Aborted");
  expect(outcome.report.evaluation.verdict).not.toBe("Resilient");
  // The revert: failed once (503), retried, succeeded; the report says so.
  expect(outcome.result.stderr).toMatch(/revert of \S+ failed \(attempt 1: test hook: revert of \w+: the server is restarting \(HTTP 503, simulated\)\); retrying in \d+ ms/);
  expect(outcome.result.stderr).toMatch(/revert succeeded after 1 retry/);
  expect(outcome.report.revert).toMatchObject({ retries: 1, stillActive: [] });
  expect(outcome.report.revert!.failures).toEqual([expect.stringContaining("HTTP 503, simulated")]);
  expect(outcome.output).not.toContain("FAULT STILL ACTIVE");
  expect(outcome.records).toEqual([]);
  expect(outcome.differences).toEqual([]);
}

// Namespaced cases work in namespaces of their own and run side by side; a cluster-scoped fault's case
// compares every cluster-scoped object, so those run alone (as in crash.test.ts).
describe.concurrent("an inject that throws after its journal write is reverted by the same run, retrying a revert that fails once", () => {
  for (const scenario of SCENARIOS.filter((s) => !s.clusterScoped)) {
    it(`${scenario.title}: the change applied, its answer lost; the first revert answered 503; the same run reverts, nothing is left`, () => lostAnswerThenFailedRevert(scenario));
  }

  it("ConfigDrift: a throw right after the journal write (before the change) is closed by the same run too", async () => {
    const scenario = SCENARIOS.find((s) => s.title === "ConfigDrift")!;
    const outcome = await runWithHook(scenario, "journal-throw", { OPERATOR_CHAOS_THROW_AT: CrashPoint.JournalWritten });
    expect(outcome.output).toContain("test hook: journal-written");
    expect(outcome.result.code, outcome.output).toBe(1);
    expect(outcome.report.revert).toMatchObject({ retries: 0, stillActive: [] });
    expect(outcome.records).toEqual([]);
    expect(outcome.differences).toEqual([]);
  });
});

describe("the same for cluster-scoped faults, one at a time", () => {
  for (const scenario of SCENARIOS.filter((s) => s.clusterScoped)) {
    it(`${scenario.title}: the change applied, its answer lost; the first revert answered 503; the same run reverts, nothing is left`, () => lostAnswerThenFailedRevert(scenario));
  }
});
