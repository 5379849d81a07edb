// Verdicts that need evidence (issue 12), against the lab: the reconcile probe tells the demo
// operator as shipped (Resilient) from a zombie that is Ready but reconciles nothing (Failed) under
// NetworkPartition, RBACRevoke and PodKill; RBACRevoke is confirmed by SubjectAccessReviews and a
// second binding makes it Inconclusive, named; a status passing through an in-between value while
// converging is no flapping, a steady state lost again after it held is.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployLlamastack, LLAMASTACK, undeployLlamastack } from "../examples/llamastack/deploy.js";
import { SWITCHES } from "../examples/llamastack/switches.js";
import { clusterAccess } from "../src/engine/context.js";
import { Journal } from "../src/journal/journal.js";
import { journalSelector } from "../src/journal/labels.js";
import { KubeRest } from "../src/kube/rest.js";
import { TimelineRecorder } from "../src/observe/timeline.js";
import { probeFromExperiment } from "../src/probe/probe.js";
import { ReconcileProbe } from "../src/probe/runner.js";
import { ResourceWatcher } from "../src/kube/watcher.js";
import { projectRoot } from "../src/lab/paths.js";
import type { ExperimentReport, ReportTimelineEvent } from "../src/report/model.js";
import { runCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";

const { lab, config, core, rbac } = labClients();
const { KubeConfig } = await import("@kubernetes/client-node");
const rest = new KubeRest(config);
const KNOWLEDGE = join(projectRoot(), "profiles", "llamastack-demo", "knowledge", "llamastack.yaml");
const seedFile = (name: string) => join(projectRoot(), "experiments", "llamastack", `${name}.yaml`);

type Event = ReportTimelineEvent & Record<string, unknown>;
const events = (report: ExperimentReport, type: string) => (report.timeline ?? []).filter((event) => event.type === type) as Event[];

async function run(args: string[]): Promise<ExperimentReport> {
  const result = await runCli(["run", ...args, "-o", "json"], lab.kubeconfig);
  expect(result.stdout, result.stderr).toMatch(/^\{/);
  return JSON.parse(result.stdout) as ExperimentReport;
}

/** A seed experiment with the demo's knowledge model (so the probe goes out), short windows. */
const seed = (name: string, extra: string[] = []) =>
  run([seedFile(name), "--knowledge", KNOWLEDGE, "--hold", "8s", "--stability-window", "2s", ...extra]);

const SHORT = ["--set", "hypothesis.recoveryTimeout=20s"];

afterAll(async () => {
  await undeployLlamastack(lab.kubeconfig);
});

describe("the reconcile probe against the demo operator as shipped", () => {
  beforeAll(async () => {
    await deployLlamastack(lab.kubeconfig);
  });

  it.each(["network-partition", "rbac-revoke"])("%s: the probe stays unrepaired while the fault is held and is repaired after the revert; Resilient with both times", async (name) => {
    const report = await seed(name);
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    const [sent] = events(report, "probeSent");
    expect(sent).toMatchObject({ stage: "fault", resource: `ConfigMap/${LLAMASTACK.namespace}/${LLAMASTACK.configMap}` });
    const [unrepaired] = events(report, "probeUnrepaired");
    expect(unrepaired).toMatchObject({ stage: "fault" });
    expect(unrepaired!.waitedMs as number).toBeGreaterThanOrEqual(7_000);
    const [repaired] = events(report, "probeRepaired");
    expect(repaired).toMatchObject({ stage: "recovery" });
    const reverted = events(report, "faultReverted").at(-1)!.at;
    expect(repaired!.at).toBeGreaterThan(reverted);
    expect(repaired!.roundTripMs as number).toBeLessThan(20_000);
    expect(report.evaluation.reasons).toEqual(expect.arrayContaining([
      expect.stringMatching(/^the reconcile probe \(ConfigMap\/opendatahub\/llamastack-serving-config deleted\) was repaired .* after the revert$/),
      expect.stringMatching(/^the reconcile probe stayed unrepaired for the .* the fault was held: the fault stopped reconciliation$/),
    ]));
    // The operator recreated it: the journal put nothing back.
    expect((await core.readNamespacedConfigMap({ name: LLAMASTACK.configMap, namespace: LLAMASTACK.namespace })).data?.[LLAMASTACK.configKey]).toBeDefined();
    if (name === "rbac-revoke") {
      expect(events(report, "injectionConfirmed")[0]?.evidence).toMatch(/^SubjectAccessReview: ServiceAccount opendatahub\/llamastack-controller-manager may no longer /);
    }
  });

  it("pod-kill: the probe is repaired after recovery: Resilient", async () => {
    const report = await seed("pod-kill");
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(events(report, "probeSent")).toMatchObject([{ stage: "recovery" }]);
    expect(events(report, "probeRepaired")).toMatchObject([{ stage: "recovery" }]);
  });

  it("--go-timing: the fault held and the post-check taken recoveryTimeout after the injection (within 1 s), the revert after it", async () => {
    const report = await run([seedFile("network-partition"), "--go-timing", "--set", "hypothesis.recoveryTimeout=10s"]);
    const injected = events(report, "injectionStarted")[0]!.at;
    const postCheck = events(report, "postCheck")[0]!.at;
    const reverted = events(report, "faultReverted")[0]!.at;
    expect(Math.abs(postCheck - injected - 10_000)).toBeLessThanOrEqual(1_000);
    expect(reverted).toBeGreaterThanOrEqual(postCheck);
    expect(Math.abs(reverted - injected - 10_000)).toBeLessThanOrEqual(1_000);
    // No probe without a model; the stale leader Lease shows the partition bit.
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(events(report, "faultEffect")[0]?.evidence).toMatch(/^the leader Lease opendatahub\/llamastack-controller-manager-leader-election held by a cut-off pod was not renewed for /);
  });

  it("RBACRevoke on a binding whose subject keeps the same rights through a second binding: Inconclusive, the second binding named", async () => {
    const second = "llamastack-evidence-second-binding";
    await rbac.createClusterRoleBinding({ body: {
      metadata: { name: second },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "llamastack-controller-manager-role" },
      subjects: [{ kind: "ServiceAccount", name: LLAMASTACK.serviceAccount, namespace: LLAMASTACK.namespace }],
    } });
    try {
      const report = await run([seedFile("rbac-revoke"), "--hold", "3s", "--stability-window", "1s"]);
      expect(report.evaluation.verdict).toBe("Inconclusive");
      expect(report.evaluation.reasons?.[0]).toMatch(new RegExp(`the fault was not confirmed to take effect: .*ServiceAccount opendatahub/llamastack-controller-manager may still .*${second}`));
    } finally {
      await rbac.deleteClusterRoleBinding({ name: second });
    }
  });
});

describe("a zombie (LLAMASTACK_ZOMBIE: Ready, reconciling nothing)", () => {
  beforeAll(async () => {
    // The knowledge model names the leader Lease, which only a working operator creates.
    const lease = await rest.get(`/apis/coordination.k8s.io/v1/namespaces/${LLAMASTACK.namespace}/leases/${LLAMASTACK.lease}`).catch(() => undefined);
    if (!lease) await deployLlamastack(lab.kubeconfig);
    await deployLlamastack(lab.kubeconfig, { switches: { [SWITCHES.zombie]: "true" } });
  });

  it.each(["network-partition", "rbac-revoke", "pod-kill"])("%s: Failed — the operator stopped reconciling — although every check passes", async (name) => {
    const report = await seed(name, SHORT);
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Failed");
    expect(report.evaluation.reasons?.[0]).toMatch(/^the operator stopped reconciling: the reconcile probe \(ConfigMap\/opendatahub\/llamastack-serving-config deleted\) was not repaired within /);
    expect(report.evaluation.recoveryTimeMs).toBeNull();
    expect(report.steadyState.post?.passed).toBe(true);
    // The tool put the probed object back itself.
    expect((await core.readNamespacedConfigMap({ name: LLAMASTACK.configMap, namespace: LLAMASTACK.namespace })).metadata?.name).toBe(LLAMASTACK.configMap);
  });
});

describe("flapping is a steady state lost again after it held, not a value passing through", () => {
  let ns: string;
  const statusPath = () => `/api/v1/namespaces/${ns}/configmaps/web-status`;
  const configPath = () => `/api/v1/namespaces/${ns}/configmaps/web-config`;

  beforeAll(async () => {
    ns = await freshNamespace(core, "evidence");
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "web-config" }, data: { "config.yaml": "good" } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "web-status" }, data: { ready: "1" } } });
  });

  const experiment = (name: string) => ({
    apiVersion: "chaos.operatorchaos.io/v1alpha1",
    kind: "ChaosExperiment",
    metadata: { name, namespace: ns },
    spec: {
      target: { operator: "web", component: "web" },
      steadyState: { checks: [{ type: "fieldEquals", apiVersion: "v1", kind: "ConfigMap", name: "web-status", namespace: ns, fieldPath: "data.ready", expectedValue: "1" }] },
      injection: { type: "ConfigDrift", parameters: { name: "web-config", key: "config.yaml", value: "broken" }, ttl: "300s" },
      hypothesis: { description: "the stand-in operator repairs the drift", recoveryTimeout: "30s" },
      blastRadius: { maxPodsAffected: 1, allowedNamespaces: [ns] },
    },
  });

  /** A stand-in operator: repairs the drift, then plays `after` on the status (value, delay before it). */
  async function standIn(after: [string, number][]): Promise<AbortController> {
    const controller = new AbortController();
    let busy = false;
    const watcher = new ResourceWatcher(rest, { path: `/api/v1/namespaces/${ns}/configmaps`, fieldSelector: "metadata.name=web-config", signal: controller.signal }, {
      onEvent: (type, object) => {
        if (type === "DELETED" || busy || (object as { data?: Record<string, string> }).data?.["config.yaml"] === "good") return;
        busy = true;
        void (async () => {
          await rest.mergePatch(configPath(), { data: { "config.yaml": "good" } });
          for (const [value, delayMs] of after) {
            await new Promise((resolve) => setTimeout(resolve, delayMs));
            await rest.mergePatch(statusPath(), { data: { ready: value } });
          }
          busy = false;
        })();
      },
    });
    await watcher.start();
    return controller;
  }

  it("the pre-check waits up to steadyState.timeout for the steady state (a run started mid-rollout)", async () => {
    await rest.mergePatch(statusPath(), { data: { ready: "0" } });
    const operator = await standIn([]);
    const later = setTimeout(() => void rest.mergePatch(statusPath(), { data: { ready: "1" } }), 3_000);
    try {
      const waiting = experiment("web-pre-check-waits");
      (waiting.spec.steadyState as { timeout?: string }).timeout = "30s";
      const startedAt = Date.now();
      const report = await run([writeTemp("waits.yaml", waiting), "--stability-window", "1s"]);
      expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
      expect(events(report, "preCheck")[0]!.at - startedAt).toBeGreaterThanOrEqual(2_500);
    } finally {
      clearTimeout(later);
      operator.abort();
    }
  });

  it("a probe a killed run left behind (journal record and change) is reverted by clean", async () => {
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(lab.kubeconfig);
    // As a run SIGKILLed right after its probe: the record (of a run without a live lock) and the change stay.
    const journal = new Journal(rest, ns, { runId: "deadbeef-probe", experiment: "killed-run", operator: "web" });
    const spec = probeFromExperiment({ apiVersion: "v1", kind: "ConfigMap", name: "web-status", namespace: ns, label: "tier", value: "probe" });
    const controller = new AbortController();
    const probe = new ReconcileProbe(clusterAccess(kubeconfig), journal, new TimelineRecorder(() => Date.now()), spec, controller.signal);
    await probe.start();
    await probe.send("recovery");
    controller.abort();
    expect((await core.readNamespacedConfigMap({ name: "web-status", namespace: ns })).metadata?.labels?.tier).toBe("probe");
    const cleaned = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect((await core.readNamespacedConfigMap({ name: "web-status", namespace: ns })).metadata?.labels?.tier).toBeUndefined();
    expect((await core.listNamespacedConfigMap({ namespace: ns, labelSelector: journalSelector })).items).toEqual([]);
  });

  it("a status going 1 → 0 → 1 within tens of ms while the operator repairs: Resilient, no flapping", async () => {
    const operator = await standIn([["0", 0], ["1", 30]]);
    try {
      const report = await run([writeTemp("converging.yaml", experiment("web-converging")), "--stability-window", "3s"]);
      expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
      expect(events(report, "steadyStateLost").length).toBeGreaterThanOrEqual(1);
      expect((report.evaluation.deviations ?? []).map((d) => d.type)).toEqual([]);
    } finally {
      operator.abort();
    }
  });

  it("the status lost again 1.5 s after the repair held: Degraded (flapping)", async () => {
    const operator = await standIn([["0", 1_500], ["1", 800]]);
    try {
      const report = await run([writeTemp("flapping.yaml", experiment("web-flapping")), "--stability-window", "4s"]);
      expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Degraded");
      expect((report.evaluation.deviations ?? []).map((d) => d.type)).toEqual(["flapping"]);
    } finally {
      operator.abort();
    }
  });
});
