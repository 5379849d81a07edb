// Admission and capacity faults on a real control plane: WebhookDisrupt against the demo operator's
// own validating webhook (Resilient as shipped, Failed with its switch), PDBBlock and
// QuotaExhaustion (the fault proven by a refused eviction / dry-run create) on a workload and on
// the demo operator (Resilient as shipped, not with LLAMASTACK_IGNORE_DISRUPTION_BUDGET /
// LLAMASTACK_GIVE_UP_ON_QUOTA), bad input refused with nothing changed, and the Go tool's leftovers cleaned.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployLlamastack, LLAMASTACK, undeployLlamastack } from "../examples/llamastack/deploy.js";
import { SWITCHES } from "../examples/llamastack/switches.js";
import { wrapGoRollback } from "../src/journal/go-rollback.js";
import { KubeRest } from "../src/kube/rest.js";
import { projectRoot } from "../src/lab/paths.js";
import type { ExperimentReport } from "../src/report/model.js";
import { runCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";
import { dumpObjects } from "./support/dump.js";
import { kwokDeployment } from "./reliability/support.js";
import { ResourceWatcher, waitForCollection } from "../src/kube/watcher.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);
const VWC = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
let ns: string;

const seed = (name: string) => join(projectRoot(), "experiments", "llamastack", `${name}.yaml`);
const SHORT = ["--hold", "4s", "--stability-window", "2s"];

async function run(file: string, extra: string[] = []): Promise<{ code: number | null; report: ExperimentReport; stderr: string }> {
  const result = await runCli(["run", file, "-o", "json", ...SHORT, ...extra], lab.kubeconfig);
  expect(result.stdout, result.stderr).toMatch(/^\{/);
  return { code: result.code, report: JSON.parse(result.stdout) as ExperimentReport, stderr: result.stderr };
}

const confirmation = (report: ExperimentReport) =>
  report.timeline?.find((event) => event.type === "injectionConfirmed") as { evidence?: string; detail?: string } | undefined;
const withoutResults = (dump: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(dump).filter(([key]) => !key.includes("/configmaps/chaos-result-")));

function experiment(name: string, injection: Record<string, unknown>, extra: { clusterScoped?: boolean } = {}) {
  return {
    apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment", metadata: { name, namespace: ns },
    spec: {
      target: { operator: "web", component: "web" },
      steadyState: { checks: [{ type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: ns, conditionType: "Available" }] },
      injection,
      hypothesis: { description: "the workload rides out the fault", recoveryTimeout: "30s" },
      blastRadius: { maxPodsAffected: 1, allowDangerous: true, ...(extra.clusterScoped ? {} : { allowedNamespaces: [ns] }) },
    },
  };
}

async function operatorLog(pod: string): Promise<string> {
  const result = await runCli(["lab", "logs", pod, "-n", LLAMASTACK.namespace, "--name", lab.name], lab.kubeconfig);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

const DISTRIBUTIONS = `/apis/llamastack.io/v1alpha1/namespaces/${LLAMASTACK.namespace}/llamastackdistributions`;
const PROBE = "quota-probe";
/** The Service the operator makes for the probe distribution (operator/desired.ts serviceName). */
const PROBE_SERVICE = `${PROBE}-service`;

/**
 * Runs the quota seed while a user creates a distribution once the quota is in force (its usage
 * computed, so the API server really refuses): the operator must create its Service, which the
 * quota (services 0) refuses until it is lifted. Returns the report and whether the operator
 * created the distribution's Service within serviceWaitMs of the run's end.
 */
async function quotaRunWithNewDistribution(serviceWaitMs: number, extra: string[] = []) {
  const controller = new AbortController();
  let created: Promise<unknown> | undefined;
  await new ResourceWatcher(rest, { path: `/api/v1/namespaces/${LLAMASTACK.namespace}/resourcequotas`, fieldSelector: "metadata.name=llamastack-chaos-quota", signal: controller.signal }, {
    onEvent: (_type, object) => {
      if (created || !(object as { status?: { used?: object } }).status?.used) return;
      created = rest.create(DISTRIBUTIONS, {
        apiVersion: "llamastack.io/v1alpha1", kind: "LlamaStackDistribution", metadata: { name: PROBE },
        spec: { replicas: 1, server: { distribution: { name: "starter" } } },
      });
    },
  }).start();
  try {
    const result = await run(seed("quota-exhaustion"), extra);
    expect(created, "the distribution was created while the quota held").toBeDefined();
    await created;
    const service = await waitForCollection(rest, {
      path: `/api/v1/namespaces/${LLAMASTACK.namespace}/services`, fieldSelector: `metadata.name=${PROBE_SERVICE}`, timeoutMs: serviceWaitMs, what: `Service ${PROBE_SERVICE}`,
    }, (services) => (services.size > 0 ? PROBE_SERVICE : undefined)).catch(() => undefined);
    return { ...result, service };
  } finally {
    controller.abort();
    await rest.delete(`${DISTRIBUTIONS}/${PROBE}`).catch(() => {});
  }
}

async function failurePolicy(name = LLAMASTACK.webhookConfiguration): Promise<string | undefined> {
  return (await rest.get<{ webhooks?: { failurePolicy?: string }[] }>(`${VWC}/${name}`)).webhooks?.[0]?.failurePolicy;
}

beforeAll(async () => {
  ns = await freshNamespace(core, "admission");
  await kwokDeployment(rest, ns, "web", 1);
});

afterAll(async () => {
  await undeployLlamastack(lab.kubeconfig).catch(() => {});
  await core.deleteNamespace({ name: ns }).catch(() => {});
});

describe("the demo operator's validating webhook", () => {
  it("refuses an invalid LlamaStackDistribution through the API server and admits a valid one", async () => {
    await deployLlamastack(lab.kubeconfig);
    const path = `/apis/llamastack.io/v1alpha1/namespaces/${LLAMASTACK.namespace}/llamastackdistributions`;
    const distribution = (replicas: number) => ({
      apiVersion: "llamastack.io/v1alpha1", kind: "LlamaStackDistribution", metadata: { name: "webhook-probe" },
      spec: { replicas, server: { distribution: { name: "starter" } } },
    });
    await expect(rest.create(path, distribution(50), { query: { dryRun: "All" } })).rejects.toThrow(
      /admission webhook "vllamastackdistribution\.llamastack\.io" denied the request: spec\.replicas must be an integer from 0 to 10, got 50/);
    await expect(rest.create(path, distribution(1), { query: { dryRun: "All" } })).resolves.toBeDefined();
  });
});

describe("WebhookDisrupt (experiments/llamastack/webhook-disrupt.yaml)", () => {
  it("is Resilient against the operator as shipped: it puts failurePolicy Fail back before the tool's revert", async () => {
    await deployLlamastack(lab.kubeconfig);
    const { code, report } = await run(seed("webhook-disrupt"));
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);
    expect(confirmation(report)?.evidence).toMatch(/stored failurePolicy Ignore on 1 webhook\(s\) of ValidatingWebhookConfiguration llamastack-validating-webhook-configuration/);
    const repair = (report.timeline ?? []).filter((event) => event.type === "checkTransition" && String((event as { checkId?: string }).checkId).includes("failurePolicy"));
    expect(repair.map((event) => (event as { passed?: boolean }).passed)).toEqual([false, true]);
    const reverted = report.timeline?.filter((event) => event.type === "faultReverted").at(-1)?.at;
    expect((repair[1] as { at: number }).at).toBeLessThan(reverted!);
    expect(await failurePolicy()).toBe("Fail");
  });

  it("is Failed with LLAMASTACK_NO_WEBHOOK_REPAIR: failurePolicy is still Ignore at the post-check; the tool's revert puts Fail back", { timeout: 240_000 }, async () => {
    await deployLlamastack(lab.kubeconfig, { switches: { [SWITCHES.noWebhookRepair]: "true" } });
    const { code, report } = await run(seed("webhook-disrupt"), ["--set", "hypothesis.recoveryTimeout=10s"]);
    expect(report.evaluation.verdict).toBe("Failed");
    expect(code).toBe(1);
    expect(report.evaluation.reasons?.join("; ")).toMatch(/fieldEquals ValidatingWebhookConfiguration\/llamastack-validating-webhook-configuration: expected "Fail", got "Ignore"/);
    expect(await failurePolicy()).toBe("Fail");
    await deployLlamastack(lab.kubeconfig);
  });

  it("refuses a webhook configuration that does not exist, and changes nothing", async () => {
    const before = await dumpObjects(config, undefined);
    const file = writeTemp("wd-missing.yaml", experiment("wd-missing", {
      type: "WebhookDisrupt", dangerLevel: "high", parameters: { webhookName: "no-such-webhook", action: "setFailurePolicy", value: "Ignore" },
    }, { clusterScoped: true }));
    const result = await runCli(["run", file], lab.kubeconfig);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/the ValidatingWebhookConfiguration no-such-webhook does not exist \(webhookType validating\); nothing was changed/);
    const after = await dumpObjects(config, undefined);
    expect(Object.keys(after).filter((key) => key.includes("webhookconfigurations"))).toEqual(Object.keys(before).filter((key) => key.includes("webhookconfigurations")));
  });

  it("clean restores what the Go tool left: its rollback annotation's failurePolicy, then removes its annotation and labels", async () => {
    const name = `go-leftover-${ns}`;
    await rest.create(VWC, {
      metadata: {
        name, labels: { "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/type": "WebhookDisrupt", keep: "me" },
        annotations: { "chaos.operatorchaos.io/rollback-data": wrapGoRollback({ "a.example.io": "Fail" }) },
      },
      webhooks: [{
        name: "a.example.io", failurePolicy: "Ignore", sideEffects: "None", admissionReviewVersions: ["v1"],
        clientConfig: { url: "https://127.0.0.1:9/never" }, rules: [{ operations: ["CREATE"], apiGroups: ["example.io"], apiVersions: ["v1"], resources: ["nothings"] }],
      }],
    });
    try {
      const cleaned = await runCli(["clean", "-A"], lab.kubeconfig);
      expect(cleaned.code, cleaned.stdout + cleaned.stderr).toBe(0);
      const after = await rest.get<{ metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; webhooks: { failurePolicy: string }[] }>(`${VWC}/${name}`);
      expect(after.webhooks[0]!.failurePolicy).toBe("Fail");
      expect(after.metadata.labels).toEqual({ keep: "me" });
      expect(after.metadata.annotations ?? {}).toEqual({});
    } finally {
      await rest.delete(`${VWC}/${name}`).catch(() => {});
    }
  });
});

describe("PDBBlock", () => {
  it("holds a maxUnavailable 0 budget over the selected pods, an eviction is blocked, then it is gone: Resilient, namespace as before", async () => {
    const before = await dumpObjects(config, ns);
    const { code, report } = await run(writeTemp("pdb.yaml", experiment("pdb", { type: "PDBBlock", dangerLevel: "high", parameters: { labelSelector: "app=web", evict: "true" }, ttl: "300s" })));
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);
    expect(confirmation(report)?.evidence).toMatch(/PodDisruptionBudget chaos-pdb-web allows 0 disruptions \(expectedPods 1, currentHealthy 1\); eviction of pod web-\S+ blocked \(HTTP 429: .*disruption budget/);
    expect((await rest.get<{ items: unknown[] }>(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`)).items).toEqual([]);
    expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
  });

  it("refuses a selector that selects no pod, and changes nothing", async () => {
    const before = await dumpObjects(config, ns);
    const result = await runCli(["run", writeTemp("pdb-none.yaml", experiment("pdb-none", { type: "PDBBlock", dangerLevel: "high", parameters: { labelSelector: "app=nothing" } }))], lab.kubeconfig);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/labelSelector app=nothing selects no pods in admission-\w+: the budget would block nothing; nothing was changed/);
    expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
  });

  it("clean removes a budget the Go tool left behind", async () => {
    await rest.create(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, {
      metadata: { name: "chaos-pdb-left", labels: { "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/type": "PDBBlock" } },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: "web" } } },
    });
    const cleaned = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(cleaned.code, cleaned.stdout + cleaned.stderr).toBe(0);
    expect((await rest.get<{ items: unknown[] }>(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`)).items).toEqual([]);
  });
});

describe("QuotaExhaustion", () => {
  it("holds a quota that refuses new objects (a dry-run create is refused), then lifts it: Resilient, namespace as before", async () => {
    const before = await dumpObjects(config, ns);
    const { code, report } = await run(writeTemp("quota.yaml", experiment("quota", { type: "QuotaExhaustion", parameters: { quotaName: "tight", pods: "0", configmaps: "0" }, ttl: "300s" })));
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);
    expect(confirmation(report)?.evidence).toMatch(/ResourceQuota tight in force \(used pods 1\/0, configmaps \d+\/0\); a dry-run create of pods was refused: .*exceeded quota: tight/);
    expect((await rest.get<{ items: unknown[] }>(`/api/v1/namespaces/${ns}/resourcequotas`)).items).toEqual([]);
    expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
  });

  it("refuses a quantity that does not parse (validate: an error at its position), and changes nothing", async () => {
    const file = writeTemp("quota-bad.yaml", experiment("quota-bad", { type: "QuotaExhaustion", parameters: { quotaName: "bad", pods: "ten" } }));
    const validated = await runCli(["validate", file], lab.kubeconfig);
    expect(validated.code).toBe(1);
    expect(validated.stdout + validated.stderr).toMatch(/quota-bad\.yaml:\d+:\d+: spec\.injection\.parameters\.pods: "ten" is not a resource quantity \(expected a quantity such as 0, 100m, 1\.5, 64Mi/);
    const before = await dumpObjects(config, ns);
    const result = await runCli(["run", file], lab.kubeconfig);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/parameters\.pods: "ten" is not a resource quantity/);
    expect(result.stderr).toContain("invalid experiment; nothing was run");
    expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
  });

  it("clean removes a quota the Go tool left behind (its own clean never does)", async () => {
    await rest.create(`/api/v1/namespaces/${ns}/resourcequotas`, {
      metadata: { name: "chaos-left", labels: { "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/type": "QuotaExhaustion" } },
      spec: { hard: { pods: "0" } },
    });
    const cleaned = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(cleaned.code, cleaned.stdout + cleaned.stderr).toBe(0);
    expect((await rest.get<{ items: unknown[] }>(`/api/v1/namespaces/${ns}/resourcequotas`)).items).toEqual([]);
  });
});

describe("PDBBlock and QuotaExhaustion against the demo operator: Resilient as shipped, not with its switch", () => {
  it("experiments/llamastack/pdb-block.yaml is Resilient: the eviction of the controller manager is blocked and it keeps running", async () => {
    await deployLlamastack(lab.kubeconfig);
    const { code, report } = await run(seed("pdb-block"));
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);
    expect(confirmation(report)?.evidence).toMatch(/eviction of pod llamastack-controller-manager-\S+ blocked \(HTTP 429/);
  });

  it("pdb-block.yaml is not Resilient with LLAMASTACK_IGNORE_DISRUPTION_BUDGET: the operator deletes its own pod past the budget (Degraded, recovered_by_restart)", { timeout: 240_000 }, async () => {
    const { pod } = await deployLlamastack(lab.kubeconfig, { switches: { [SWITCHES.ignoreDisruptionBudget]: "true" } });
    const { code, report } = await run(seed("pdb-block"), ["--set", "hypothesis.recoveryTimeout=20s"]);
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Degraded");
    expect(code).not.toBe(0);
    expect(report.evaluation.reasons?.join("; ")).toMatch(/recovered_by_restart: \d+ target pod restarts? before recovery: llamastack-controller-manager-\S+ replaced a pod/);
    expect(await operatorLog(pod)).toMatch(/a disruption budget blocks evicting my pod; deleting it instead \(LLAMASTACK_IGNORE_DISRUPTION_BUDGET=true\) budget=opendatahub\/llamastack-chaos-pdb/);
  });

  it("experiments/llamastack/quota-exhaustion.yaml is Resilient: a distribution created under the quota gets its Service once the quota is lifted", { timeout: 240_000 }, async () => {
    const { pod } = await deployLlamastack(lab.kubeconfig);
    const { code, report, service } = await quotaRunWithNewDistribution(15_000);
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);
    expect(confirmation(report)?.evidence).toMatch(/ResourceQuota llamastack-chaos-quota in force .*refused/);
    expect(service).toBe(PROBE_SERVICE);
    // The quota did refuse the operator's create, and it retried rather than giving up.
    expect(await operatorLog(pod)).toMatch(/api request failed kind=forbidden .*services.*exceeded quota: llamastack-chaos-quota/);
  });

  it("quota-exhaustion.yaml is Failed with LLAMASTACK_GIVE_UP_ON_QUOTA: the refused Service create makes it give up; it stays unready and never creates it", { timeout: 240_000 }, async () => {
    const { pod } = await deployLlamastack(lab.kubeconfig, { switches: { [SWITCHES.giveUpOnQuota]: "true" } });
    const { code, report, service } = await quotaRunWithNewDistribution(3_000, ["--set", "hypothesis.recoveryTimeout=10s"]);
    expect(report.evaluation.verdict).toBe("Failed");
    expect(code).toBe(1);
    expect(report.evaluation.reasons?.[0]).toMatch(/steady state not restored: .*conditionTrue Deployment\/llamastack-controller-manager: Available=False/);
    expect(service).toBeUndefined();
    expect(await operatorLog(pod)).toMatch(/a create was refused by a ResourceQuota; giving up instead of retrying.*exceeded quota: llamastack-chaos-quota/);
  });
});
