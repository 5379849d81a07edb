// The four seed experiments (experiments/llamastack/*.yaml, verbatim) against the demo llamastack
// operator (examples/llamastack): Resilient against the operator as shipped, and not Resilient —
// with the reason that explains it — against the operator with the one switch that breaks what the
// experiment tests. Plus the "really" checks: the partitioned operator really lost the API and got
// it back without a restart, the revoked one really got 403s, and the drifted config was repaired
// by the operator before the tool's revert.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESIRED_SERVING_CONFIG } from "../examples/llamastack/operator/desired.js";
import { deployLlamastack, LLAMASTACK, undeployLlamastack } from "../examples/llamastack/deploy.js";
import { SWITCH_FOR_EXPERIMENT } from "../examples/llamastack/switches.js";
import { KubeRest } from "../src/kube/rest.js";
import { waitForCollection } from "../src/kube/watcher.js";
import { projectRoot } from "../src/lab/paths.js";
import type { ExperimentReport, ReportTimelineEvent } from "../src/report/model.js";
import { runCli } from "./support/cli.js";
import { labClients } from "./support/cluster.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);

type Seed = keyof typeof SWITCH_FOR_EXPERIMENT;

/** The operator as shipped, or with the switch that breaks what `brokenFor` tests. */
async function deployOperator(brokenFor?: Seed): Promise<string> {
  const { pod } = await deployLlamastack(lab.kubeconfig, { switches: brokenFor ? { [SWITCH_FOR_EXPERIMENT[brokenFor]]: "true" } : {} });
  return pod;
}

/**
 * Runs a seed experiment file as it is, with the short windows the demo uses. A broken operator
 * never recovers, so those cases shorten the recovery timeout (--set) instead of waiting out
 * the seed's 2-3 minutes.
 */
async function runSeed(seed: Seed, extra: string[] = []): Promise<{ code: number | null; report: ExperimentReport }> {
  const file = join(projectRoot(), "experiments", "llamastack", `${seed}.yaml`);
  const result = await runCli(["run", file, "-o", "json", "--hold", "10s", "--stability-window", "3s", ...extra], lab.kubeconfig);
  expect(result.stdout, result.stderr).toMatch(/^\{/);
  return { code: result.code, report: JSON.parse(result.stdout) as ExperimentReport };
}

const SHORT_TIMEOUT = ["--set", "hypothesis.recoveryTimeout=30s"];

const deviationTypes = (report: ExperimentReport) => (report.evaluation.deviations ?? []).map((deviation) => deviation.type);
const firstAt = (report: ExperimentReport, type: string) => report.timeline?.find((event) => event.type === type)?.at;
const lastAt = (report: ExperimentReport, type: string) => report.timeline?.filter((event) => event.type === type).at(-1)?.at;

interface LogLine { at: number; text: string }

/** The operator pod's log (every container start appended), via `operator-chaos lab logs`. */
async function operatorLog(pod: string): Promise<LogLine[]> {
  const result = await runCli(["lab", "logs", pod, "-n", LLAMASTACK.namespace, "--name", lab.name], lab.kubeconfig);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.split("\n").filter(Boolean).map((text) => ({ at: Date.parse(text.slice(0, 24)), text }));
}

const linesMatching = (lines: LogLine[], pattern: RegExp, from = 0, to = Number.POSITIVE_INFINITY) =>
  lines.filter((line) => pattern.test(line.text) && line.at >= from && line.at <= to);

async function operatorPodStatus(pod: string) {
  const object = await core.readNamespacedPod({ name: pod, namespace: LLAMASTACK.namespace });
  return { uid: object.metadata?.uid, restartCount: object.status?.containerStatuses?.[0]?.restartCount };
}

/** The operator's own counters, from its /metrics endpoint on the pod's address. */
async function operatorMetrics(pod: string): Promise<Map<string, number>> {
  const object = await core.readNamespacedPod({ name: pod, namespace: LLAMASTACK.namespace });
  const text = await (await fetch(`http://${object.status?.podIP}:8080/metrics`, { signal: AbortSignal.timeout(3_000) })).text();
  return new Map(text.split("\n").filter((line) => line && !line.startsWith("#")).map((line) => {
    const space = line.lastIndexOf(" ");
    return [line.slice(0, space), Number(line.slice(space + 1))] as const;
  }));
}

beforeAll(async () => {
  await deployOperator();
});

afterAll(async () => {
  await undeployLlamastack(lab.kubeconfig);
});

describe("llamastack ConfigDrift (experiments/llamastack/config-drift.yaml)", () => {
  it("is Resilient against the operator as shipped, and the value is restored by the operator before the tool's revert", async () => {
    const pod = await deployOperator();
    const { code, report } = await runSeed("config-drift");
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);

    // The engine's repair check (data["config.yaml"] back to the original) went red at the drift and
    // green again before the tool reverted anything: the operator repaired it.
    const repair = (report.timeline ?? []).filter((event): event is ReportTimelineEvent & { checkId: string; passed: boolean } =>
      event.type === "checkTransition" && String(event.checkId).includes(`fieldEquals:ConfigMap/${LLAMASTACK.namespace}/${LLAMASTACK.configMap}`));
    const drifted = repair.find((event) => !event.passed);
    expect(drifted, "the drifted value was observed").toBeDefined();
    const repaired = repair.find((event) => event.passed && event.at >= drifted!.at);
    expect(repaired, "the value came back").toBeDefined();
    const reverted = lastAt(report, "faultReverted");
    expect(reverted).toBeDefined();
    expect(repaired!.at).toBeLessThan(reverted!);
    const log = await operatorLog(pod);
    expect(linesMatching(log, /repaired drifted serving config/, firstAt(report, "injectionStarted")!, reverted!)).toHaveLength(1);

    const configMap = await core.readNamespacedConfigMap({ name: LLAMASTACK.configMap, namespace: LLAMASTACK.namespace });
    expect(configMap.data?.[LLAMASTACK.configKey]).toBe(DESIRED_SERVING_CONFIG);
  });

  it("is Failed with LLAMASTACK_DISABLE_DRIFT_REPAIR: the drifted value is still there at the post-check", { timeout: 300_000 }, async () => {
    const pod = await deployOperator("config-drift");
    const { code, report } = await runSeed("config-drift", SHORT_TIMEOUT);
    expect(report.evaluation.verdict).toBe("Failed");
    expect(code).toBe(1);
    expect(report.evaluation.reasons?.[0]).toMatch(new RegExp(`steady state not restored: .*fieldEquals ConfigMap/${LLAMASTACK.configMap}: expected .*invalid://broken`));
    expect(linesMatching(await operatorLog(pod), /serving config drifted; not repairing it/)).toHaveLength(1);
  });
});

describe("llamastack PodKill (experiments/llamastack/pod-kill.yaml)", () => {
  it("is Resilient against the operator as shipped: the replacement pod takes over the dead leader's Lease", async () => {
    const killed = await deployOperator();
    const { code, report } = await runSeed("pod-kill");
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);
    // The Deployment was unavailable until the new process could lead: a real recovery, timed.
    expect(report.evaluation.recoveryTimeMs).toBeGreaterThan(0);
    const replacement = await waitForCollection(rest, {
      path: `/api/v1/namespaces/${LLAMASTACK.namespace}/pods`, labelSelector: LLAMASTACK.podSelector, timeoutMs: 10_000, what: "the replacement pod",
    }, (pods) => [...pods.values()].map((p) => String(p.metadata?.name)).find((name) => name !== killed));
    expect(linesMatching(await operatorLog(replacement), new RegExp(`became leader .*took over the lease from ${killed}_`))).toHaveLength(1);
  });

  it("is Failed with LLAMASTACK_NO_LEADER_RECOVERY: the replacement never takes the expired Lease and never becomes ready", { timeout: 240_000 }, async () => {
    const killed = await deployOperator("pod-kill");
    const { code, report } = await runSeed("pod-kill", SHORT_TIMEOUT);
    expect(report.evaluation.verdict).toBe("Failed");
    expect(code).toBe(1);
    expect(report.evaluation.reasons?.[0]).toMatch(/steady state not restored: .*conditionTrue Deployment\/llamastack-controller-manager: Available=False/);
    const replacement = (await core.listNamespacedPod({ namespace: LLAMASTACK.namespace, labelSelector: LLAMASTACK.podSelector }))
      .items.map((p) => p.metadata!.name!).find((name) => name !== killed)!;
    expect(linesMatching(await operatorLog(replacement), new RegExp(`not taking over the expired lease .*holder=${killed}_`))).toHaveLength(1);
  });
});

describe("llamastack NetworkPartition (experiments/llamastack/network-partition.yaml)", () => {
  it("is Resilient against the operator as shipped, which loses the API during the partition and regains it after without a restart", async () => {
    const pod = await deployOperator();
    const before = await operatorPodStatus(pod);
    const { code, report } = await runSeed("network-partition");
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);

    const injected = firstAt(report, "injectionConfirmed")!;
    const reverted = lastAt(report, "faultReverted")!;
    const log = await operatorLog(pod);
    // Cut off for real: requests time out during the partition, and access comes back after it.
    expect(linesMatching(log, /lost api access kind=(timeout|connection)/, injected, reverted).length).toBeGreaterThanOrEqual(1);
    expect(linesMatching(log, /api request failed kind=(timeout|connection)/, injected, reverted).length).toBeGreaterThan(1);
    expect(linesMatching(log, /api access restored/, reverted).length).toBeGreaterThanOrEqual(1);
    const metrics = await operatorMetrics(pod);
    expect(metrics.get("llamastack_operator_api_access_lost_total")).toBeGreaterThanOrEqual(1);
    expect(metrics.get("llamastack_operator_api_errors_total{kind=\"timeout\"}")).toBeGreaterThan(0);
    expect(metrics.get("llamastack_operator_api_reachable")).toBe(1);
    // The same process throughout.
    expect(await operatorPodStatus(pod)).toEqual({ uid: before.uid, restartCount: 0 });
    await expectReconciling(pod);
  });

  it("is Failed with LLAMASTACK_GIVE_UP_ON_LOST_WATCH: after the lost watch the operator stops and stays unready", { timeout: 300_000 }, async () => {
    const pod = await deployOperator("network-partition");
    const { code, report } = await runSeed("network-partition", SHORT_TIMEOUT);
    expect(report.evaluation.verdict).toBe("Failed");
    expect(code).toBe(1);
    expect(report.evaluation.reasons?.[0]).toMatch(/steady state not restored: .*conditionTrue Deployment\/llamastack-controller-manager: Available=False/);
    const log = await operatorLog(pod);
    expect(linesMatching(log, /a watch was lost; giving up/, firstAt(report, "injectionConfirmed")!, lastAt(report, "faultReverted")!)).toHaveLength(1);
    // Not a crash: the same process, alive and unready.
    expect((await operatorPodStatus(pod)).restartCount).toBe(0);
  });
});

describe("llamastack RBACRevoke (experiments/llamastack/rbac-revoke.yaml)", () => {
  it("is Resilient against the operator as shipped, which gets 403s while revoked and resumes after without a restart", async () => {
    const pod = await deployOperator();
    const before = await operatorPodStatus(pod);
    const { code, report } = await runSeed("rbac-revoke");
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);

    const injected = firstAt(report, "injectionConfirmed")!;
    const reverted = lastAt(report, "faultReverted")!;
    const log = await operatorLog(pod);
    expect(linesMatching(log, /api request failed kind=forbidden status=403/, injected, reverted).length).toBeGreaterThan(1);
    expect(linesMatching(log, /api access restored .*lastError=forbidden/, reverted).length).toBeGreaterThanOrEqual(1);
    expect((await operatorMetrics(pod)).get("llamastack_operator_api_errors_total{kind=\"forbidden\"}")).toBeGreaterThan(0);
    expect(await operatorPodStatus(pod)).toEqual({ uid: before.uid, restartCount: 0 });
    await expectReconciling(pod);
  });

  it("is Degraded (recovered_by_restart) with LLAMASTACK_EXIT_ON_FORBIDDEN: it crash-loops on 403 and only a restart brings it back", { timeout: 240_000 }, async () => {
    const pod = await deployOperator("rbac-revoke");
    const { code, report } = await runSeed("rbac-revoke");
    // The crash loop makes the Deployment unavailable during the fault; once the binding is back
    // the next restart (back-off 1 s … 30 s) succeeds, so it recovers — by restarting.
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Degraded");
    expect(code).toBe(1);
    expect(deviationTypes(report)).toContain("recovered_by_restart");
    expect(firstAt(report, "steadyStateLost")).toBeDefined();
    const log = await operatorLog(pod);
    expect(linesMatching(log, /exiting on 403 Forbidden/, firstAt(report, "injectionConfirmed")!, lastAt(report, "faultReverted")!).length).toBeGreaterThanOrEqual(1);
    expect((await operatorPodStatus(pod)).restartCount).toBeGreaterThanOrEqual(1);
  });
});

/**
 * Reconciliation really resumed in the same process: a change to the sample distribution
 * (replicas 1 → 2 → 1) reaches its Deployment, and the status names this pod.
 */
async function expectReconciling(pod: string): Promise<void> {
  const path = `/apis/llamastack.io/v1alpha1/namespaces/${LLAMASTACK.namespace}/llamastackdistributions/${LLAMASTACK.sampleDistribution}`;
  const replicasReach = (replicas: number) => waitForCollection(rest, {
    path: `/apis/apps/v1/namespaces/${LLAMASTACK.namespace}/deployments`, fieldSelector: `metadata.name=${LLAMASTACK.sampleDistribution}`,
    timeoutMs: 20_000, what: `Deployment ${LLAMASTACK.sampleDistribution} with ${replicas} replicas`,
  }, (deployments) => ((deployments.get(`${LLAMASTACK.namespace}/${LLAMASTACK.sampleDistribution}`)?.spec as { replicas?: number } | undefined)?.replicas === replicas ? true : undefined));
  await rest.mergePatch(path, { spec: { replicas: 2 } });
  await replicasReach(2);
  await rest.mergePatch(path, { spec: { replicas: 1 } });
  await replicasReach(1);
  const distribution = await rest.get<{ status?: { operatorInstance?: string } }>(path);
  expect(distribution.status?.operatorInstance).toBe(pod);
}
