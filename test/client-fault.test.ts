// ClientFault end to end against the demo llamastack operator, which uses operator-chaos/sdk:
// experiments/llamastack/client-fault.yaml is Resilient as shipped (its SDK applied the faults, they
// bit — conflicts and 429s — and it kept going without a restart), and Failed with
// LLAMASTACK_GIVE_UP_ON_CONFLICT. Activation and deactivation latency are measured from the
// SDK's Events against the tool's own timeline (one host clock in the lab).
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deployLlamastack, LLAMASTACK, undeployLlamastack } from "../examples/llamastack/deploy.js";
import { SWITCH_FOR_EXPERIMENT } from "../examples/llamastack/switches.js";
import { KubeRest } from "../src/kube/rest.js";
import { projectRoot } from "../src/lab/paths.js";
import type { ExperimentReport } from "../src/report/model.js";
import { waitForCollection } from "../src/kube/watcher.js";
import { APPLIED_AT_ANNOTATION, ChaosEventReason, configDigest, DIGEST_ANNOTATION, INJECTED_ANNOTATION } from "../src/sdk/configmap.js";
import { configTextFor, DEFAULT_CONFIG_MAP_NAME } from "../src/sdk/spec.js";
import { wrapGoRollback } from "../src/journal/go-rollback.js";
import { runCli } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);
const EXPERIMENT = join(projectRoot(), "experiments", "llamastack", "client-fault.yaml");

async function run(extra: string[] = []): Promise<{ code: number | null; report: ExperimentReport }> {
  const result = await runCli(["run", EXPERIMENT, "-o", "json", "--hold", "8s", "--stability-window", "3s", ...extra], lab.kubeconfig);
  expect(result.stdout, result.stderr).toMatch(/^\{/);
  return { code: result.code, report: JSON.parse(result.stdout) as ExperimentReport };
}

async function operatorLog(pod: string): Promise<string> {
  const result = await runCli(["lab", "logs", pod, "-n", LLAMASTACK.namespace, "--name", lab.name], lab.kubeconfig);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

interface EventObject { reason: string; metadata: { annotations?: Record<string, string> }; reportingInstance?: string }
const chaosEvents = async () => (await rest.get<{ items: EventObject[] }>(`/api/v1/namespaces/${LLAMASTACK.namespace}/events`, {
  query: { fieldSelector: `involvedObject.kind=ConfigMap,involvedObject.name=${DEFAULT_CONFIG_MAP_NAME}` },
})).items;
const appliedAt = (event: EventObject) => Date.parse(event.metadata.annotations?.[APPLIED_AT_ANNOTATION] ?? "");
const eventAt = (report: ExperimentReport, type: string) => report.timeline?.filter((event) => event.type === type).at(-1) as { at: number; evidence?: string } | undefined;

afterAll(async () => {
  await undeployLlamastack(lab.kubeconfig);
});

describe("ClientFault (experiments/llamastack/client-fault.yaml)", () => {
  it("is Resilient against the operator as shipped: its SDK applies the faults within a second, they bite, it retries, and it lets go once reverted", async () => {
    const { pod } = await deployLlamastack(lab.kubeconfig);
    const before = await core.readNamespacedPod({ name: pod, namespace: LLAMASTACK.namespace });
    const { code, report } = await run();
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);

    // Confirmed by the operator itself, with the activation latency.
    const confirmed = eventAt(report, "injectionConfirmed")!;
    const activation = /applied the faults (\d+) ms after the write/.exec(confirmed.evidence ?? "");
    expect(activation, confirmed.evidence).not.toBeNull();
    const activationMs = Number(activation![1]);
    expect(activationMs).toBeLessThan(1_000);

    // Deactivation: the SDK's Deactivated event after the tool's revert; it also says what the faults did.
    // Deactivation: the SDK's Deactivated event, between the tool's revert and its record of it; it says what the faults did.
    const injectedAt = eventAt(report, "injectionConfirmed")!.at;
    const reverted = eventAt(report, "faultReverted")!.at;
    const deactivated = (await chaosEvents()).filter((event) => event.reason === ChaosEventReason.Deactivated && appliedAt(event) >= injectedAt && appliedAt(event) <= reverted + 1_000);
    expect(deactivated).toHaveLength(1);
    const injected = JSON.parse(deactivated[0]!.metadata.annotations?.[INJECTED_ANNOTATION] ?? "{}") as Record<string, number>;
    expect(injected.update, "Lease renewals got conflicts").toBeGreaterThan(0);
    process.stdout.write(`client-fault: activation ${activationMs} ms after the write, faulted while active ${JSON.stringify(injected)}\n`);

    // The ConfigMap the fault created is gone; the operator is the same process and faults nothing any more.
    await expect(core.readNamespacedConfigMap({ name: DEFAULT_CONFIG_MAP_NAME, namespace: LLAMASTACK.namespace })).rejects.toMatchObject({ code: 404 });
    const after = await core.readNamespacedPod({ name: pod, namespace: LLAMASTACK.namespace });
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect(after.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    const log = await operatorLog(pod);
    expect(log).toMatch(/chaos faults active .*operations="?get,update/);
    expect(log).toMatch(/chaos faults inactive/);
    expect(log).not.toMatch(/giving up instead of retrying/);
  });

  it("applies and drops a configuration within a second of the ConfigMap's write and deletion (latency measured, 5 rounds)", async () => {
    const path = `/api/v1/namespaces/${LLAMASTACK.namespace}/configmaps`;
    const activation: number[] = [];
    const deactivation: number[] = [];
    const announced = (reason: ChaosEventReason, since: number, digest?: string) => waitForCollection(rest, {
      path: `/api/v1/namespaces/${LLAMASTACK.namespace}/events`, fieldSelector: `involvedObject.kind=ConfigMap,involvedObject.name=${DEFAULT_CONFIG_MAP_NAME}`,
      timeoutMs: 10_000, what: `a ${reason} event`,
    }, (events) => [...events.values()].map((event) => event as unknown as EventObject)
      .find((event) => event.reason === reason && appliedAt(event) >= since && (digest === undefined || event.metadata.annotations?.[DIGEST_ANNOTATION] === digest)));
    for (let round = 0; round < 5; round += 1) {
      // A fault on an operation this operator never uses: measured without disturbing it.
      const text = configTextFor(`{"deleteAllOf":{"errorRate":${(round + 1) / 10}}}`);
      const written = Date.now();
      await rest.create(path, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: DEFAULT_CONFIG_MAP_NAME }, data: { config: text } });
      activation.push(appliedAt(await announced(ChaosEventReason.Activated, written, configDigest(text))) - written);
      const deleted = Date.now();
      await rest.delete(`${path}/${DEFAULT_CONFIG_MAP_NAME}`);
      deactivation.push(appliedAt(await announced(ChaosEventReason.Deactivated, deleted)) - deleted);
    }
    process.stdout.write(`client-fault latency: activation ${JSON.stringify(activation)} ms, deactivation ${JSON.stringify(deactivation)} ms\n`);
    for (const latency of [...activation, ...deactivation]) {
      expect(latency).toBeGreaterThanOrEqual(0);
      expect(latency).toBeLessThan(1_000);
    }
  });

  it("is Failed with LLAMASTACK_GIVE_UP_ON_CONFLICT: the first conflict or 429 stops it for good and it stays unready", { timeout: 300_000 }, async () => {
    const { pod } = await deployLlamastack(lab.kubeconfig, { switches: { [SWITCH_FOR_EXPERIMENT["client-fault"]]: "true" } });
    const { code, report } = await run(["--set", "hypothesis.recoveryTimeout=20s"]);
    expect(report.evaluation.verdict).toBe("Failed");
    expect(code).toBe(1);
    expect(report.evaluation.reasons?.[0]).toMatch(/steady state not restored: .*conditionTrue Deployment\/llamastack-controller-manager: Available=False/);
    expect(eventAt(report, "injectionConfirmed")?.evidence).toMatch(/applied the faults/);
    expect(await operatorLog(pod)).toMatch(/a request got a conflict or a 429; giving up instead of retrying/);
  });
});

describe("ClientFault leftovers of the Go tool", () => {
  it("clean deletes a ConfigMap the Go tool created and restores one it modified (data back, its annotation and labels gone)", async () => {
    const ns = await freshNamespace(core, "client-fault-go");
    const goLabels = { "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/type": "ClientFault" };
    const config = configTextFor('{"get":{"errorRate":1}}');
    await core.createNamespacedConfigMap({ namespace: ns, body: {
      metadata: { name: "operator-chaos-config", labels: goLabels, annotations: { "chaos.operatorchaos.io/rollback-data": wrapGoRollback({ "chaos.operatorchaos.io/created": "true" }) } },
      data: { config },
    } });
    await core.createNamespacedConfigMap({ namespace: ns, body: {
      metadata: { name: "operator-chaos-other", labels: { ...goLabels, team: "a" }, annotations: { "chaos.operatorchaos.io/rollback-data": wrapGoRollback({ keep: "x", old: "y" }), other: "kept" } },
      data: { config, keep: "x" },
    } });
    const result = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/reverted\s+ClientFault\s+ConfigMap\/.*operator-chaos-config/);
    await expect(core.readNamespacedConfigMap({ name: "operator-chaos-config", namespace: ns })).rejects.toMatchObject({ code: 404 });
    const restored = await core.readNamespacedConfigMap({ name: "operator-chaos-other", namespace: ns });
    expect(restored.data).toEqual({ keep: "x", old: "y" });
    expect(restored.metadata?.labels).toEqual({ team: "a" });
    expect(restored.metadata?.annotations).toEqual({ other: "kept" });
    const again = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(again.stdout).not.toMatch(/operator-chaos-other/);
    await core.deleteNamespace({ name: ns });
  });
});
