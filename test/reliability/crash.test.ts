// The crash harness (issue #8). For every runnable fault type and every step where the cluster can
// change, the CLI is SIGKILLed right at that step (engine hook OPERATOR_CHAOS_CRASH_AT, never a
// sleep); then `clean` — and, separately, a fresh `run` of the same experiment — must leave the
// cluster exactly as it was before: every object of the namespace (and every cluster-scoped one
// for a cluster-scoped fault) compared field by field, labels, annotations and data included.
// The last block proves the comparison can fail: with a deliberately broken revert it does.
import { describe, expect, it } from "vitest";
import { CrashPoint } from "../../src/engine/crash-points.js";
import { runnableFaults } from "../../src/faults/registry.js";
import { KubeRest } from "../../src/kube/rest.js";
import { runCli, writeTemp } from "../support/cli.js";
import { freshNamespace, labClients } from "../support/cluster.js";
import { SCENARIOS, type Scenario } from "./scenarios.js";
import { clusterDump, dumpDifferences, isResultKey, journalRecords, namespaceSettled } from "./support.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);
const STEPS = Object.values(CrashPoint);
/** Short windows keep the harness within minutes: the hold of a sustained fault, the stability window. */
const TIMING = ["--stability-window", "1s", "--hold", "1s"];
const isJournalKey = (key: string) => /\/(configmaps|secrets)\/operator-chaos-journal-/.test(key);

async function scenarioNamespace(scenario: Scenario, prefix: string): Promise<string> {
  const namespace = await freshNamespace(core, prefix);
  await namespaceSettled(rest, namespace);
  await scenario.setup(rest, namespace);
  return namespace;
}

interface CrashOutcome {
  /** Differences between the dump before the run and the dump after the restore (empty: equal). */
  differences: string[];
  /** Differences (journal records aside) right after the crash: what the crash left on the cluster. */
  leftAtCrash: string[];
  recordsAtCrash: string[];
  recordsAfter: string[];
  restore: { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
}

/** Dump, run with a crash at `step`, restore by `clean` or by a fresh `run`, dump again. */
async function crashThenRestore(scenario: Scenario, namespace: string, step: string, restoreBy: "clean" | "run", env: Record<string, string> = {}): Promise<CrashOutcome> {
  const ignore = (key: string) => scenario.ignore?.(key) ?? false;
  const before = await clusterDump(config, namespace, scenario.clusterScoped);
  const file = writeTemp("experiment.yaml", scenario.experiment(namespace, `crash-${step}`));
  const crashed = await runCli(["run", file, ...TIMING], lab.kubeconfig, { OPERATOR_CHAOS_CRASH_AT: step });
  expect(crashed.signal, `the run should have been SIGKILLed at ${step}:\n${crashed.stdout}\n${crashed.stderr}`).toBe("SIGKILL");
  const recordsAtCrash = await journalRecords(config, namespace);
  const leftAtCrash = dumpDifferences(before, await clusterDump(config, namespace, scenario.clusterScoped), (key) => ignore(key) || isJournalKey(key));
  const restore = restoreBy === "clean"
    ? await runCli(["clean", "-n", namespace], lab.kubeconfig, env)
    : await runCli(["run", file, ...TIMING], lab.kubeconfig, env);
  await scenario.settled?.(rest, namespace);
  const after = await clusterDump(config, namespace, scenario.clusterScoped);
  // A fresh run writes its result ConfigMap on purpose (as the Go tool does).
  const differences = dumpDifferences(before, after, (key) => ignore(key) || (restoreBy === "run" && isResultKey(key)));
  return { differences, leftAtCrash, recordsAtCrash, recordsAfter: await journalRecords(config, namespace), restore };
}

describe("crash harness coverage", () => {
  it("has a scenario for every fault type the engine can run (a new runnable fault cannot escape the harness)", () => {
    const runnable = runnableFaults().map((fault) => fault.spec.type);
    expect(runnable).toEqual(expect.arrayContaining(["PodKill", "ConfigDrift"]));
    const covered = new Set(SCENARIOS.map((scenario) => scenario.faultType));
    expect(runnable.filter((type) => !covered.has(type))).toEqual([]);
    // And no scenario for a fault that cannot run (it would test nothing).
    expect([...covered].filter((type) => !runnable.includes(type as never))).toEqual([]);
  });

  it("crashes at every step where the cluster can change", () => {
    expect(STEPS).toEqual(["journal-written", "mutated", "observing", "reverting", "reverted"]);
  });
});

/** One crash case: a namespace of its own, set up, crashed at `step`, restored by `restoreBy`, compared. */
async function crashCase(scenario: Scenario, step: string, restoreBy: "clean" | "run"): Promise<void> {
  const namespace = await scenarioNamespace(scenario, "crash");
  try {
    const outcome = await crashThenRestore(scenario, namespace, step, restoreBy);
    // The crash happened where the hook says: a record exists from the journal write on, and the
    // fault is on the cluster exactly between the mutation and the revert.
    expect(outcome.recordsAtCrash.length).toBeGreaterThan(0);
    if (step === "journal-written" || step === "reverted") expect(outcome.leftAtCrash).toEqual([]);
    else if (scenario.revertRestoresSomething) expect(outcome.leftAtCrash).not.toEqual([]);
    const output = outcome.restore.stdout + outcome.restore.stderr;
    if (restoreBy === "clean") {
      expect(outcome.restore.code, output).toBe(0);
      expect(outcome.restore.stdout).toMatch(new RegExp(`reverted\\s+${scenario.faultType}\\s`));
    } else {
      expect(outcome.restore.signal).toBeNull();
      expect([0, 1], output).toContain(outcome.restore.code);
      expect(outcome.restore.stderr).toMatch(new RegExp(`reverted a leftover of an earlier run: ${scenario.faultType} `));
      // The fresh run injected (and reverted) its own fault, too.
      expect(outcome.restore.stderr).toMatch(/phase Observing/);
    }
    expect(outcome.recordsAfter).toEqual([]);
    expect(outcome.differences).toEqual([]);
  } finally {
    await scenario.teardown?.(rest, namespace);
  }
}

const RESTORERS = [
  ["clean", "then clean: the cluster equals its state before the run"],
  ["run", "then a fresh run of the same experiment: its start-up sweep restores, and the cluster equals its state before"],
] as const;

// Each case works in a namespace of its own, so the namespaced cases run side by side.
describe.concurrent("crash harness: namespaced faults", () => {
  for (const scenario of SCENARIOS.filter((s) => !s.clusterScoped)) {
    for (const step of STEPS) {
      for (const [restoreBy, outcome] of RESTORERS) {
        it(`${scenario.title}: SIGKILL at ${step}, ${outcome}`, () => crashCase(scenario, step, restoreBy));
      }
    }
  }
});

// Every cluster-scoped object is compared: these cases run alone.
describe("crash harness: cluster-scoped faults", () => {
  for (const scenario of SCENARIOS.filter((s) => s.clusterScoped)) {
    for (const step of STEPS) {
      for (const [restoreBy, outcome] of RESTORERS) {
        it(`${scenario.title}: SIGKILL at ${step}, ${outcome}`, () => crashCase(scenario, step, restoreBy));
      }
    }
  }
});

// PodKill is not here: its revert restores nothing (the Deployment replaces the pod), so breaking it changes nothing.
describe("the harness can fail: a deliberately broken revert (OPERATOR_CHAOS_TEST_BREAK_REVERT) is caught", () => {
  for (const scenario of SCENARIOS.filter((s) => s.revertRestoresSomething)) {
    it(`${scenario.title}: clean claims success, but the dumps differ`, async () => {
      const namespace = await scenarioNamespace(scenario, "broken");
      try {
        const outcome = await crashThenRestore(scenario, namespace, "mutated", "clean", { OPERATOR_CHAOS_TEST_BREAK_REVERT: scenario.faultType });
        // Everything looks fine from the outside: exit 0, "reverted", no record left …
        expect(outcome.restore.code).toBe(0);
        expect(outcome.restore.stdout).toMatch(new RegExp(`reverted\\s+${scenario.faultType}\\s`));
        expect(outcome.recordsAfter).toEqual([]);
        // … but the comparison finds the fault still there: exactly what the crash left.
        expect(outcome.differences).not.toEqual([]);
        expect(outcome.differences).toEqual(outcome.leftAtCrash);
      } finally {
        await scenario.teardown?.(rest, namespace);
      }
    });
  }

  it("without the switch, the same crash and clean restore (the switch is what breaks it)", async () => {
    const scenario = SCENARIOS.find((s) => s.faultType === "ConfigDrift")!;
    const namespace = await scenarioNamespace(scenario, "unbroken");
    const outcome = await crashThenRestore(scenario, namespace, "mutated", "clean", { OPERATOR_CHAOS_TEST_BREAK_REVERT: "SomeOtherFault" });
    expect(outcome.leftAtCrash).not.toEqual([]);
    expect(outcome.differences).toEqual([]);
  });
});
