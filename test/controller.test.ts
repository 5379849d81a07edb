import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KubeRest } from "../src/kube/rest.js";
import { waitForCollection } from "../src/kube/watcher.js";
import { runCli, spawnCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";
import { dumpObjects } from "./support/dump.js";

const { lab, config, core, apps } = labClients();
const rest = new KubeRest(config);
const CRD = parse(readFileSync(resolve(import.meta.dirname, "../config/crd/chaos.operatorchaos.io_chaosexperiments.yaml"), "utf8"));
const FINALIZER = "chaos.operatorchaos.io/cleanup";
let ns: string;
let controller: { child: ChildProcess; metrics: string; log: () => string } | undefined;

interface Status {
  phase?: string; verdict?: string; message?: string; observedGeneration?: number; cleanupError?: string;
  evaluationResult?: { verdict: string; recoveryTime?: string; deviations?: string[] };
  conditions?: { type: string; status: string; reason: string; message: string }[];
}
interface Experiment { metadata: { name: string; generation?: number; finalizers?: string[] }; status?: Status }

const podKill = (name: string) => ({
  apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment", metadata: { name, namespace: ns },
  spec: {
    target: { operator: "web", component: "web" },
    steadyState: { checks: [{ type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: ns, conditionType: "Available" }] },
    injection: { type: "PodKill", parameters: { labelSelector: "app=web" }, count: 1 },
    hypothesis: { description: "the Deployment replaces the pod", recoveryTimeout: "60s" },
    blastRadius: { maxPodsAffected: 1, allowedNamespaces: [ns] },
  },
});
const configDrift = (name: string, recoveryTimeout = "60s") => ({
  apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment", metadata: { name, namespace: ns },
  spec: {
    target: { operator: "config", component: "config" },
    steadyState: { checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace: ns }] },
    injection: { type: "ConfigDrift", parameters: { name: "web-config", key: "config.yaml", value: "broken" }, ttl: "300s" },
    hypothesis: { description: "someone puts the config back", recoveryTimeout },
    blastRadius: { maxPodsAffected: 1, allowedNamespaces: [ns] },
  },
});

const collection = () => `/apis/chaos.operatorchaos.io/v1alpha1/namespaces/${ns}/chaosexperiments`;
const apply = (object: unknown) => rest.create(collection(), object);
const configValue = async () => (await core.readNamespacedConfigMap({ name: "web-config", namespace: ns })).data?.["config.yaml"];

/** Waits (watch) until the object satisfies `done`, or is gone when `done` is "gone". */
function until(name: string, done: ((o: Experiment) => boolean) | "gone", timeoutMs = 90_000): Promise<Experiment | undefined> {
  return waitForCollection(rest, { path: collection(), fieldSelector: `metadata.name=${name}`, timeoutMs, what: `${name} ${done === "gone" ? "gone" : "ready"}` },
    (objects) => {
      const object = objects.get(`${ns}/${name}`) as Experiment | undefined;
      if (done === "gone") return object === undefined ? { found: undefined } : undefined;
      return object && done(object) ? { found: object } : undefined;
    }).then((r) => r.found);
}

function startController(extra: string[] = [], ready = "watching ChaosExperiments"): Promise<NonNullable<typeof controller>> {
  const child = spawnCli(["controller", "start", "-n", ns, "--metrics-addr", "127.0.0.1:0", "--health-addr", "127.0.0.1:0", ...extra], lab.kubeconfig);
  let log = "";
  return new Promise((resolveStarted, reject) => {
    const deadline = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the controller did not start within 30 s: ${log}`));
    }, 30_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      const metrics = /metrics on (http:\/\/[^/\s]+)\/metrics/.exec(log)?.[1];
      if (metrics && log.includes(ready)) {
        clearTimeout(deadline);
        resolveStarted({ child, metrics, log: () => log });
      }
    });
    child.once("close", (code) => {
      clearTimeout(deadline);
      reject(new Error(`the controller exited (${code}) before it started: ${log}`));
    });
  });
}

async function stopController(signal: NodeJS.Signals = "SIGTERM", running = controller): Promise<void> {
  if (running === controller) controller = undefined;
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  const closed = new Promise((r) => running.child.once("close", r));
  running.child.kill(signal);
  await closed;
}

const eventsOf = async (name: string) =>
  (await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` })).items.map((e) => ({ reason: e.reason!, type: e.type!, message: e.message! }));
const withoutExperiments = (dump: Record<string, unknown>) => Object.fromEntries(Object.entries(dump).filter(([key]) => !key.includes("/chaosexperiments/")));

beforeAll(async () => {
  await rest.request("PATCH", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD.metadata.name}`, {
    body: CRD, contentType: "application/apply-patch+yaml", query: { fieldManager: "controller-test", force: true },
  });
  await waitForCollection(rest, { path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", fieldSelector: `metadata.name=${CRD.metadata.name}`, timeoutMs: 30_000, what: "CRD established" },
    (crds) => ((crds.get(`/${CRD.metadata.name}`)?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined));
  ns = await freshNamespace(core, "controller");
  await apps.createNamespacedDeployment({ namespace: ns, body: {
    metadata: { name: "web", labels: { app: "web" } },
    spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "example/web:1" }] } } },
  } });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "web-config" }, data: { "config.yaml": "good" } } });
  await waitForCollection(rest, { path: `/apis/apps/v1/namespaces/${ns}/deployments`, timeoutMs: 60_000, what: "web Available" },
    (deployments) => ((deployments.get(`${ns}/web`)?.status as { availableReplicas?: number } | undefined)?.availableReplicas === 1 ? true : undefined));
  controller = await startController();
});

afterAll(async () => {
  await stopController();
  rest.close();
});

describe("controller mode", () => {
  it("runs an applied PodKill object to Complete with the CLI's verdict; status, Events and /metrics agree; the finalizer is gone", async () => {
    const cli = await runCli(["run", writeTemp("pod-kill.yaml", podKill("pod-kill-cli")), "-o", "json"], lab.kubeconfig);
    const cliVerdict = JSON.parse(cli.stdout).evaluation.verdict;
    expect(cliVerdict).toBe("Resilient");

    await apply(podKill("pod-kill"));
    const done = (await until("pod-kill", (o) => o.status?.phase === "Complete" && !(o.metadata.finalizers ?? []).includes(FINALIZER)))!;
    expect(done.status!.verdict).toBe(cliVerdict);
    expect(done.status!.evaluationResult!.verdict).toBe(cliVerdict);
    expect(done.status!.evaluationResult!.recoveryTime).toMatch(/^[\d.]+(ms|s)$/);
    expect(done.status!.observedGeneration).toBe(done.metadata.generation);
    expect(done.status!.message).toBe(`Experiment complete, verdict: ${cliVerdict}`);
    const conditions = Object.fromEntries(done.status!.conditions!.map((c) => [c.type, c.status]));
    expect(conditions).toMatchObject({ Valid: "True", SteadyStateEstablished: "True", FaultInjected: "True", RecoveryObserved: "True", Complete: "True" });

    const reasons = (await eventsOf("pod-kill")).map((e) => e.reason);
    for (const reason of ["ExperimentStarted", "PhaseTransition", "FaultInjected", "VerdictReached", "ExperimentComplete", "FaultReverted"]) expect(reasons).toContain(reason);

    const listed = await runCli(["get", "experiments", "-n", ns, "-o", "json"], lab.kubeconfig);
    expect(JSON.parse(listed.stdout).items.find((i: Experiment) => i.metadata.name === "pod-kill").status.verdict).toBe(cliVerdict);
    const table = await runCli(["get", "experiments", "-n", ns], lab.kubeconfig);
    expect(table.stdout).toMatch(new RegExp(`pod-kill\\s+Complete\\s+${cliVerdict}\\s+PodKill\\s+1\\s+web\\s+\\d+s`));
    const described = await runCli(["describe", "experiment", "pod-kill", "-n", ns], lab.kubeconfig);
    expect(described.stdout).toContain(`Verdict:     ${cliVerdict}`);
    expect(described.stdout).toMatch(/Complete=True \(ExperimentComplete\)/);

    const metrics = await (await fetch(`${controller!.metrics}/metrics`)).text();
    expect(metrics).toContain(`chaosexperiment_verdicts{operator="web",component="web",injection_type="PodKill",verdict="${cliVerdict}"} 1`);
    expect(metrics).toContain(`chaosexperiment_injections{operator="web",component="web",injection_type="PodKill"} 1`);
    expect(metrics).toMatch(/chaosexperiment_recovery_seconds_count\{operator="web",component="web",injection_type="PodKill"\} 1/);
    expect(metrics).toMatch(/chaosexperiment_run_duration_seconds_count\{operator="web",injection_type="PodKill",phase="Complete"\} 1/);
    expect((await fetch(`${controller!.metrics.replace(/:\d+$/, "")}:${/health on http:\/\/[^:]+:(\d+)/.exec(controller!.log())![1]}/readyz`)).status).toBe(200);
  });

  it("gives an invalid object a condition with every positioned error and injects nothing", async () => {
    const before = withoutExperiments(await dumpObjects(config, ns));
    const bad = configDrift("bad-drift", "2h");
    delete (bad.spec.injection.parameters as Record<string, string>).key;
    await apply(bad);
    const done = (await until("bad-drift", (o) => o.status?.phase === "Aborted"))!;
    const valid = done.status!.conditions!.find((c) => c.type === "Valid")!;
    expect(valid.status).toBe("False");
    expect(valid.message).toMatch(/spec\.hypothesis\.recoveryTimeout: /);
    expect(valid.message).toMatch(/spec\.injection\.parameters(\.key)?: /);
    expect(done.metadata.finalizers ?? []).not.toContain(FINALIZER);
    expect((await eventsOf("bad-drift")).map((e) => e.reason)).toContain("ValidationFailed");
    expect(await configValue()).toBe("good");
    expect(withoutExperiments(await dumpObjects(config, ns))).toEqual(before);
  });

  it("deleting an object mid-run reverts the fault, then the object goes away", async () => {
    await apply(configDrift("drift-deleted"));
    await until("drift-deleted", (o) => o.status?.phase === "Observing");
    expect(await configValue()).toBe("broken");
    await rest.delete(`${collection()}/drift-deleted`);
    await until("drift-deleted", "gone", 60_000);
    expect(await configValue()).toBe("good");
  });

  it("after a SIGKILL during Observing, a restarted controller reverts the fault and marks the object Aborted with why", async () => {
    const before = withoutExperiments(await dumpObjects(config, ns));
    await apply(configDrift("drift-killed"));
    await until("drift-killed", (o) => o.status?.phase === "Observing");
    await stopController("SIGKILL");
    expect(await configValue()).toBe("broken");
    controller = await startController();
    const done = (await until("drift-killed", (o) => o.status?.phase === "Aborted" && !(o.metadata.finalizers ?? []).includes(FINALIZER), 60_000))!;
    expect(done.status!.message).toMatch(/recovered after crash.*stopped in phase Observing; 1 journaled change\(s\) were reverted/);
    expect(done.status!.conditions!.find((c) => c.type === "Complete")).toMatchObject({ status: "False", reason: "ExperimentAborted" });
    expect((await eventsOf("drift-killed")).map((e) => e.reason)).toContain("RecoveredAfterCrash");
    expect(await configValue()).toBe("good");
    expect(withoutExperiments(await dumpObjects(config, ns))).toEqual(before);
  });

  it("with --leader-elect two replicas run one at a time; killing the leader hands over", async () => {
    await stopController();
    const first = await startController(["--leader-elect"], "leading");
    const second = await startController(["--leader-elect"], "standing by");
    try {
      await new Promise((r) => setTimeout(r, 3_000));
      expect(second.log()).not.toContain("watching ChaosExperiments");
      expect((await fetch(`${second.metrics.replace(/:\d+$/, "")}:${/health on http:\/\/[^:]+:(\d+)/.exec(second.log())![1]}/readyz`)).status).toBe(503);
      await stopController("SIGKILL", first);
      await logSays(second, "watching ChaosExperiments", 15_000);
      // The new leader does the work: an invalid object gets its condition from it.
      const bad = configDrift("bad-after-handover", "2h");
      await apply(bad);
      const done = (await until("bad-after-handover", (o) => o.status?.phase === "Aborted", 20_000))!;
      expect(done.status!.conditions!.find((c) => c.type === "Valid")!.status).toBe("False");
    } finally {
      await stopController("SIGTERM", first);
      await stopController("SIGTERM", second);
    }
  });
});

describe("install manifests", () => {
  it("the kustomize base's objects are accepted by the API server (server-side dry run)", async () => {
    const paths: Record<string, (namespace: string) => string> = {
      ServiceAccount: (n) => `/api/v1/namespaces/${n}/serviceaccounts`,
      Service: (n) => `/api/v1/namespaces/${n}/services`,
      Deployment: (n) => `/apis/apps/v1/namespaces/${n}/deployments`,
      ClusterRole: () => "/apis/rbac.authorization.k8s.io/v1/clusterroles",
      ClusterRoleBinding: () => "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    };
    const files = ["rbac/service_account.yaml", "rbac/role.yaml", "rbac/role_binding.yaml", "controller/deployment.yaml", "controller/service.yaml"];
    const kinds: string[] = [];
    for (const file of files) {
      const object = parse(readFileSync(resolve(import.meta.dirname, "../config", file), "utf8"));
      const path = paths[object.kind]!(ns);
      const accepted = await rest.create<{ metadata: { name: string } }>(path, object, { query: { dryRun: "All" } });
      expect(accepted.metadata.name).toBe(object.metadata.name);
      kinds.push(object.kind);
    }
    expect(kinds).toEqual(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment", "Service"]);
  });
});

describe("generated RBAC", () => {
  it("a controller running as a ServiceAccount with the chart's rules for PodKill only refuses a NetworkPartition, naming the missing permission", async () => {
    const rules = ["_base", "PodKill"].flatMap((name) => parse(readFileSync(resolve(import.meta.dirname, `../charts/operator-chaos/files/rules/${name}.yaml`), "utf8")));
    const account = "chaos-controller";
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: account } } });
    await rest.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, { metadata: { name: account }, rules });
    await rest.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      metadata: { name: account }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: account },
      subjects: [{ kind: "ServiceAccount", name: account, namespace: ns }],
    });
    const token = (await rest.create<{ status: { token: string } }>(`/api/v1/namespaces/${ns}/serviceaccounts/${account}/token`, { spec: { expirationSeconds: 3600 } })).status.token;
    const admin = parse(readFileSync(lab.kubeconfig, "utf8"));
    const kubeconfig = writeTemp("sa-kubeconfig", {
      ...admin, users: [{ name: account, user: { token } }],
      contexts: [{ name: "sa", context: { cluster: admin.clusters[0].name, user: account, namespace: ns } }], "current-context": "sa",
    });
    await stopController();
    const child = spawnCli(["controller", "start", "-n", ns, "--metrics-addr", "127.0.0.1:0", "--health-addr", "127.0.0.1:0", "--kubeconfig", kubeconfig], lab.kubeconfig);
    let log = "";
    child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    const running = { child, metrics: "", log: () => log };
    try {
      await logSays(running, "watching ChaosExperiments", 30_000);
      await apply({ ...configDrift("partition-refused"), spec: { ...configDrift("x").spec,
        target: { operator: "web", component: "web" }, injection: { type: "NetworkPartition", parameters: { labelSelector: "app=web" } } } });
      const done = (await until("partition-refused", (o) => o.status?.phase === "Aborted", 30_000))!;
      expect(done.status!.message).toMatch(new RegExp(`may not create networkpolicies\\.networking\\.k8s\\.io in ${ns}.*nothing was changed`));
      expect((await rest.get<{ items: unknown[] }>(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`)).items).toEqual([]);
    } finally {
      await stopController("SIGTERM", running);
    }
  });
});

/** Resolves when the controller's log says `text` (checked at each chunk it writes). */
function logSays(running: NonNullable<typeof controller>, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const check = () => {
      if (!running.log().includes(text)) return;
      clearTimeout(deadline);
      running.child.stderr!.off("data", check);
      resolveWait();
    };
    const deadline = setTimeout(() => reject(new Error(`the log did not say "${text}" within ${timeoutMs} ms: ${running.log()}`)), timeoutMs);
    running.child.stderr!.on("data", check);
    setImmediate(check);
  });
}
