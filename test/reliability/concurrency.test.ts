// Concurrency (issue #8): two runs against the same operator — exactly one injects, the other is
// refused by the lock; two cleans at the same moment — the record is reverted once, by one of
// them, and neither fails.
import { hostname } from "node:os";
import { beforeAll, describe, expect, it } from "vitest";
import { OWNER_HOST_ANNOTATION, OWNER_PID_ANNOTATION } from "../../src/engine/owner.js";
import { KubeRest } from "../../src/kube/rest.js";
import { ResourceWatcher } from "../../src/kube/watcher.js";
import { runCli, spawnCli, writeTemp } from "../support/cli.js";
import { freshNamespace, labClients } from "../support/cluster.js";
import { SCENARIOS } from "./scenarios.js";
import { clusterDump, dumpDifferences, follow, isResultKey, journalRecords, namespaceSettled, type Followed } from "./support.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);
const configDrift = SCENARIOS.find((scenario) => scenario.title === "ConfigDrift")!;
const TIMING = ["--stability-window", "1s"];
const LOCK = "operator-chaos-lock-web";

/** Every value the ConfigMap's key takes, in order, as a watch of our own sees it. */
function watchValues(namespace: string): { values: string[]; stop: () => void; ready: Promise<void> } {
  const controller = new AbortController();
  const values: string[] = [];
  const watcher = new ResourceWatcher(rest, { path: `/api/v1/namespaces/${namespace}/configmaps`, fieldSelector: "metadata.name=web-config", signal: controller.signal }, {
    onEvent: (_type, object) => {
      const value = (object as { data?: Record<string, string> }).data?.["config.yaml"] ?? "(none)";
      if (values.at(-1) !== value) values.push(value);
    },
  });
  return { values, stop: () => controller.abort(), ready: watcher.start() };
}

async function twoRuns(namespace: string, name: string): Promise<[Followed, Followed]> {
  // Observing for 5 s: the second run reaches the lock while the first one surely holds it.
  const experiment = configDrift.experiment(namespace, name) as { spec: { hypothesis: { recoveryTimeout: string } } };
  experiment.spec.hypothesis.recoveryTimeout = "5s";
  const file = writeTemp("experiment.yaml", experiment);
  // The same moment: both spawned before either is awaited.
  const runs = [follow(spawnCli(["run", file, ...TIMING], lab.kubeconfig)), follow(spawnCli(["run", file, ...TIMING], lab.kubeconfig))] as [Followed, Followed];
  await Promise.all(runs.map((run) => run.exit));
  return runs;
}

function expectExactlyOneInjected(runs: [Followed, Followed]): void {
  const injected = runs.filter((run) => /phase Injecting/.test(run.stderr()));
  const refused = runs.filter((run) => !/phase Injecting/.test(run.stderr()));
  expect(injected.length, runs.map((run) => run.stdout() + run.stderr()).join("\n----\n")).toBe(1);
  expect(refused.length).toBe(1);
  expect(refused[0]!.stdout()).toMatch(/operator web is locked by|locked by another run at the same moment/);
}

describe("two runs against the same operator, started at the same moment", () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await freshNamespace(core, "concurrent");
    await namespaceSettled(rest, namespace);
    await configDrift.setup(rest, namespace);
  });

  it("exactly one injects; the other is refused by the lock (exit 1, \"locked by\"); the value drifts once and is restored", async () => {
    const before = await clusterDump(config, namespace, false);
    const watch = watchValues(namespace);
    await watch.ready;
    const runs = await twoRuns(namespace, "concurrent-runs");
    watch.stop();
    expectExactlyOneInjected(runs);
    expect((await Promise.all(runs.map((run) => run.exit))).map((exit) => exit.code)).toEqual([1, 1]);
    // One drift and one revert, seen by an independent watch.
    expect(watch.values).toEqual(["good", "broken", "good"]);
    expect(await journalRecords(config, namespace)).toEqual([]);
    expect(dumpDifferences(before, await clusterDump(config, namespace, false), isResultKey)).toEqual([]);
  });

  it("also when both find the lock of a dead run and race to take it over", async () => {
    const before = await clusterDump(config, namespace, false);
    // A lock left by a run that died on this machine (its process is gone) and is still within its duration.
    const dead = spawnCli(["version"], lab.kubeconfig);
    await new Promise((resolveExit) => dead.once("close", resolveExit));
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
    await rest.create(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, {
      metadata: { name: LOCK, annotations: { [OWNER_HOST_ANNOTATION]: hostname(), [OWNER_PID_ANNOTATION]: String(dead.pid) } },
      spec: { holderIdentity: "dead-experiment/0000", leaseDurationSeconds: 30, acquireTime: now, renewTime: now },
    });
    const runs = await twoRuns(namespace, "takeover-race");
    expectExactlyOneInjected(runs);
    expect(await journalRecords(config, namespace)).toEqual([]);
    expect(dumpDifferences(before, await clusterDump(config, namespace, false), isResultKey)).toEqual([]);
  });
});

describe("two cleans at the same moment", () => {
  it("both succeed with no error; the record of the killed run is reverted exactly once; nothing is left", async () => {
    const namespace = await freshNamespace(core, "cleans");
    await namespaceSettled(rest, namespace);
    await configDrift.setup(rest, namespace);
    const before = await clusterDump(config, namespace, false);
    const crashed = await runCli(["run", writeTemp("experiment.yaml", configDrift.experiment(namespace, "two-cleans")), ...TIMING], lab.kubeconfig, { OPERATOR_CHAOS_CRASH_AT: "mutated" });
    expect(crashed.signal).toBe("SIGKILL");
    expect(await journalRecords(config, namespace)).toHaveLength(1);
    // Both cleans stop right before reverting the record (engine hook), so that both have found it;
    // then both go on at the same instant.
    const cleans = [0, 1].map(() => follow(spawnCli(["clean", "-n", namespace], lab.kubeconfig, { OPERATOR_CHAOS_PAUSE_AT: "clean-reverting" })));
    await Promise.all(cleans.map((clean) => clean.waitFor(/paused at clean-reverting/)));
    for (const clean of cleans) clean.child.kill("SIGUSR2");
    const exits = await Promise.all(cleans.map((clean) => clean.exit));
    const outputs = cleans.map((clean) => clean.stdout());
    expect(exits.map((exit) => exit.code), cleans.map((clean, i) => `${JSON.stringify(exits[i])}\n${clean.stdout()}\n${clean.stderr()}`).join("\n----\n")).toEqual([0, 0]);
    expect(outputs.join("\n")).not.toMatch(/failed\s+ConfigDrift/);
    // One clean reverted it; the other saw the first one's claim, or found the record already closed.
    expect(outputs.join("\n").match(/^reverted\s+ConfigDrift/gm) ?? [], outputs.join("\n----\n")).toHaveLength(1);
    expect(await journalRecords(config, namespace)).toEqual([]);
    expect(dumpDifferences(before, await clusterDump(config, namespace, false))).toEqual([]);
  });
});
