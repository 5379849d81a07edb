// Sustained faults on a real control plane: NetworkPartition and RBACRevoke are held, reverted, and
// leave the cluster exactly as it was — also after the CLI is SIGKILLed mid-fault, and for what the
// Go tool left behind.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrapGoRollback } from "../src/journal/go-rollback.js";
import { KubeRest } from "../src/kube/rest.js";
import type { KubeObject } from "../src/kube/watch.js";
import { ResourceWatcher, waitForCollection, type WatchEventType } from "../src/kube/watcher.js";
import { runCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";
import { dumpObjects } from "./support/dump.js";

const { lab, config, core, apps, rbac } = labClients();
const rest = new KubeRest(config);
const RBAC = "/apis/rbac.authorization.k8s.io/v1";
let ns: string;
const crbName = `sustained-crb-${randomBytes(3).toString("hex")}`;

const bindingLabels = { "app.kubernetes.io/managed-by": "web-operator", team: "a" };
const bindingAnnotations = { owner: "team-a" };
const subjects = () => [
  { kind: "ServiceAccount", name: "web-operator", namespace: ns },
  { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
];

interface Options {
  name: string;
  injection: Record<string, unknown>;
  checks?: unknown[];
  blastRadius?: Record<string, unknown>;
}

function experiment(options: Options) {
  return {
    apiVersion: "chaos.operatorchaos.io/v1alpha1",
    kind: "ChaosExperiment",
    metadata: { name: options.name, namespace: ns },
    spec: {
      target: { operator: "web", component: "web" },
      steadyState: {
        checks: options.checks ?? [{ type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "x", namespace: ns, conditionType: "Available" }],
      },
      injection: options.injection,
      hypothesis: { description: "the operator rides out the fault", recoveryTimeout: "30s" },
      blastRadius: options.blastRadius ?? { maxPodsAffected: 1, allowedNamespaces: [ns] },
    },
  };
}

const partition = (name: string, labelSelector = "app=x") =>
  experiment({ name, injection: { type: "NetworkPartition", parameters: { labelSelector }, ttl: "300s" } });
const roleBindingRevoke = (name: string) =>
  experiment({ name, injection: { type: "RBACRevoke", parameters: { bindingName: "web-rb", bindingType: "RoleBinding" } } });
const clusterRoleBindingRevoke = (name: string) => experiment({
  name,
  injection: { type: "RBACRevoke", parameters: { bindingName: crbName, bindingType: "ClusterRoleBinding" }, dangerLevel: "high" },
  blastRadius: { maxPodsAffected: 1, allowDangerous: true },
});

const runArgs = (file: string) => ["run", file, "-o", "json", "--hold", "2s", "--stability-window", "1s"];

/** Every change to a collection while it runs, from a watch of our own (nothing is missed or merged). */
async function recordChanges(path: string, fieldSelector?: string) {
  const controller = new AbortController();
  const events: { type: WatchEventType; object: KubeObject }[] = [];
  const watcher = new ResourceWatcher(rest, { path, signal: controller.signal, ...(fieldSelector ? { fieldSelector } : {}) }, {
    onEvent: (type, object) => events.push({ type, object: structuredClone(object) }),
  });
  await watcher.start();
  return { events, stop: () => controller.abort() };
}

/** Result ConfigMaps are the run's report, written on purpose (as the Go tool does). */
function withoutResults(dump: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(dump).filter(([key]) => !key.includes("/configmaps/chaos-result-")));
}

const crbKey = () => `rbac.authorization.k8s.io/v1/clusterrolebindings/${crbName}`;
async function clusterBindingDump(): Promise<unknown> {
  const dump = await dumpObjects(config, undefined);
  expect(dump[crbKey()]).toBeDefined();
  return dump[crbKey()];
}

const readRoleBinding = (name = "web-rb") => rbac.readNamespacedRoleBinding({ name, namespace: ns });
const policies = async () => (await rest.get<{ items: KubeObject[] }>(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`)).items;

beforeAll(async () => {
  ns = await freshNamespace(core, "sustained");
  await apps.createNamespacedDeployment({ namespace: ns, body: {
    metadata: { name: "x", labels: { app: "x" } },
    spec: { replicas: 1, selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "x", image: "example/x:1" }] } } },
  } });
  await rbac.createNamespacedRoleBinding({ namespace: ns, body: {
    metadata: { name: "web-rb", labels: bindingLabels, annotations: bindingAnnotations },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    subjects: subjects(),
  } });
  await rbac.createClusterRoleBinding({ body: {
    metadata: { name: crbName, labels: bindingLabels, annotations: bindingAnnotations },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    subjects: [{ kind: "ServiceAccount", name: "web-operator", namespace: ns }],
  } });
  await waitForCollection(rest, { path: `/apis/apps/v1/namespaces/${ns}/deployments`, timeoutMs: 60_000, what: "x Available" },
    (deployments) => ((deployments.get(`${ns}/x`)?.status as { availableReplicas?: number } | undefined)?.availableReplicas === 1 ? true : undefined));
});

afterAll(async () => {
  await rbac.deleteClusterRoleBinding({ name: crbName }).catch(() => {});
});

describe("NetworkPartition", () => {
  it("isolates the selected pods with a deny-all policy for the hold, then removes it, the namespace as before; Inconclusive: nothing showed the effect", async () => {
    const before = await dumpObjects(config, ns);
    const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=x" })).items.map((pod) => `Pod/${ns}/${pod.metadata!.name!}`);
    const watch = await recordChanges(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`);
    const startedAt = Date.now();
    const result = await runCli(runArgs(writeTemp("np.yaml", partition("x-partition"))), lab.kubeconfig);
    watch.stop();
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout);
    // x is a KWOK pod (no process, no Lease) and no probe was given: the policy's presence alone proves nothing.
    expect(result.code).toBe(1);
    expect(report.evaluation.verdict).toBe("Inconclusive");
    expect(report.evaluation.reasons[0]).toMatch(/^the fault is in place but no effect of it was seen/);
    expect(report.injection.targets).toEqual(pods);
    const types = report.timeline.map((event: { type: string }) => event.type);
    expect(types.indexOf("injectionConfirmed")).toBeGreaterThan(-1);
    expect(types.indexOf("faultReverted")).toBeGreaterThan(types.indexOf("injectionConfirmed"));

    // The policy as it existed during the run, then its deletion; nothing else happened to policies.
    expect(watch.events.map((event) => [event.type, event.object.metadata?.name])).toEqual([
      ["ADDED", "operator-chaos-np-app-x"], ["DELETED", "operator-chaos-np-app-x"],
    ]);
    const created = watch.events[0]!.object as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: unknown };
    expect(created.spec).toEqual({ podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress", "Egress"] });
    expect(created.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/type": "NetworkPartition" });
    const expires = Date.parse(created.metadata.annotations["chaos.operatorchaos.io/expires"]!);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000 + 300_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 300_000);

    expect(await policies()).toEqual([]);
    expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
  });

  it("refuses a selector a NetworkPolicy cannot express exactly (rank>3) and changes nothing", async () => {
    const file = writeTemp("np-gt.yaml", partition("x-partition-gt", "app=x,rank>3"));
    // Validation accepts it with a warning at the selector's position; the run then refuses rather than widening it.
    const validated = await runCli(["validate", file], lab.kubeconfig);
    expect(validated.code).toBe(0);
    expect(validated.stdout + validated.stderr).toMatch(/np-gt\.yaml:\d+:\d+: spec\.injection\.parameters\.labelSelector: warning: .*cannot express > or < requirements; the run will refuse this selector/);
    const before = await dumpObjects(config, ns);
    const result = await runCli(["run", file], lab.kubeconfig);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Stopped: +NetworkPartition refuses this selector: a NetworkPolicy podSelector cannot express rank > 3/);
    expect(await policies()).toEqual([]);
    expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
  });

  it("refuses to share or replace a policy of the same name that is not its own", async () => {
    await rest.create(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, {
      metadata: { name: "operator-chaos-np-app-x" }, spec: { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress"] },
    });
    try {
      const before = await dumpObjects(config, ns);
      const result = await runCli(["run", writeTemp("np-taken.yaml", partition("x-partition-taken"))], lab.kubeconfig);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/NetworkPolicy .*\/operator-chaos-np-app-x already exists \(made by another tool or a person\)/);
      expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
    } finally {
      await rest.delete(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/operator-chaos-np-app-x`);
    }
  });
});

describe("RBACRevoke", () => {
  it("empties a RoleBinding's subjects for the hold and restores them exactly, labels and annotations untouched", async () => {
    const before = await dumpObjects(config, ns);
    const watch = await recordChanges(`${RBAC}/namespaces/${ns}/rolebindings`, "metadata.name=web-rb");
    const result = await runCli(runArgs(writeTemp("rb.yaml", roleBindingRevoke("rb-revoke"))), lab.kubeconfig);
    watch.stop();
    expect(result.stderr).toBe("");
    // Confirmed by effect: the ServiceAccount keeps view through the ClusterRoleBinding of this file,
    // so the revoke did not take its rights away — Inconclusive, that binding named.
    expect(result.code).toBe(1);
    const { evaluation } = JSON.parse(result.stdout);
    expect(evaluation.verdict).toBe("Inconclusive");
    expect(evaluation.reasons[0]).toMatch(new RegExp(`ServiceAccount ${ns}/web-operator may still .*${crbName}`));

    const states = watch.events.map((event) => event.object as { metadata: { labels?: unknown; annotations?: unknown }; subjects?: unknown[] });
    // The initial list, the revocation, the restoration: labels and annotations the same throughout.
    expect(states.map((state) => state.subjects ?? [])).toEqual([subjects(), [], subjects()]);
    for (const state of states) {
      expect(state.metadata.labels).toEqual(bindingLabels);
      expect(state.metadata.annotations).toEqual(bindingAnnotations);
    }
    expect(withoutResults(await dumpObjects(config, ns))).toEqual(withoutResults(before));
  });

  it("keeps a subject added while the fault holds (the operator's repair is not overwritten) and restores every original one", async () => {
    await rbac.createNamespacedRoleBinding({ namespace: ns, body: {
      metadata: { name: "heal-rb" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: subjects(),
    } });
    const added = { kind: "ServiceAccount", name: "web-operator-v2", namespace: ns };
    const file = writeTemp("heal.yaml", experiment({ name: "heal-revoke", injection: { type: "RBACRevoke", parameters: { bindingName: "heal-rb", bindingType: "RoleBinding" } } }));
    const run = runCli(["run", file, "-o", "json", "--hold", "4s", "--stability-window", "1s"], lab.kubeconfig);
    const revoked = await waitForCollection(rest, { path: `${RBAC}/namespaces/${ns}/rolebindings`, fieldSelector: "metadata.name=heal-rb", timeoutMs: 60_000, what: "heal-rb revoked" },
      (bindings) => { const binding = bindings.get(`${ns}/heal-rb`); return binding && !binding.subjects ? binding : undefined; });
    await rest.replace(`${RBAC}/namespaces/${ns}/rolebindings/heal-rb`, { ...revoked, subjects: [added] });
    const result = await run;
    // web-rb grants the same rights: not confirmed by effect, Inconclusive, web-rb named.
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).evaluation.reasons[0]).toMatch(/may still .*web-rb/);
    expect((await readRoleBinding("heal-rb")).subjects).toEqual([...subjects(), added]);
    await rbac.deleteNamespacedRoleBinding({ name: "heal-rb", namespace: ns });
  });

  it("empties a ClusterRoleBinding's subjects for the hold and restores it exactly", async () => {
    const before = await clusterBindingDump();
    const watch = await recordChanges(`${RBAC}/clusterrolebindings`, `metadata.name=${crbName}`);
    const result = await runCli(runArgs(writeTemp("crb.yaml", clusterRoleBindingRevoke("crb-revoke"))), lab.kubeconfig);
    watch.stop();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).evaluation.verdict).toBe("Resilient");
    expect(watch.events.map((event) => (event.object.subjects as unknown[] | undefined)?.length ?? 0)).toEqual([1, 0, 1]);
    expect(await clusterBindingDump()).toEqual(before);
  });
});

describe("nothing lost when the CLI is SIGKILLed while a sustained fault holds", () => {
  it("NetworkPartition: clean deletes the policy", async () => {
    const before = await dumpObjects(config, ns);
    const result = await runCli(["run", writeTemp("np-crash.yaml", partition("x-partition-crash"))], lab.kubeconfig, { OPERATOR_CHAOS_CRASH_AT: "observing" });
    expect(result.signal).toBe("SIGKILL");
    expect((await policies()).map((policy) => policy.metadata?.name)).toEqual(["operator-chaos-np-app-x"]);
    const cleaned = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toMatch(/reverted\s+NetworkPartition\s+NetworkPolicy\/.*\/operator-chaos-np-app-x/);
    expect(await dumpObjects(config, ns)).toEqual(before);
  });

  it("RBACRevoke on a RoleBinding: clean restores its subjects", async () => {
    const before = await dumpObjects(config, ns);
    const result = await runCli(["run", writeTemp("rb-crash.yaml", roleBindingRevoke("rb-revoke-crash"))], lab.kubeconfig, { OPERATOR_CHAOS_CRASH_AT: "observing" });
    expect(result.signal).toBe("SIGKILL");
    expect((await readRoleBinding()).subjects ?? []).toEqual([]);
    const cleaned = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toMatch(/reverted\s+RBACRevoke\s+RoleBinding\/.*\/web-rb/);
    expect(await dumpObjects(config, ns)).toEqual(before);
  });

  it("RBACRevoke on a ClusterRoleBinding: clean -A restores its subjects", async () => {
    const before = await clusterBindingDump();
    const beforeNamespace = await dumpObjects(config, ns);
    const result = await runCli(["run", writeTemp("crb-crash.yaml", clusterRoleBindingRevoke("crb-revoke-crash"))], lab.kubeconfig, { OPERATOR_CHAOS_CRASH_AT: "observing" });
    expect(result.signal).toBe("SIGKILL");
    expect((await rbac.readClusterRoleBinding({ name: crbName })).subjects ?? []).toEqual([]);
    const cleaned = await runCli(["clean", "-A"], lab.kubeconfig);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toMatch(new RegExp(`reverted\\s+RBACRevoke\\s+ClusterRoleBinding/${crbName}`));
    expect(await clusterBindingDump()).toEqual(before);
    expect(await dumpObjects(config, ns)).toEqual(beforeNamespace);
  });
});

describe("the Go tool's leftovers", () => {
  it("clean deletes its partition policies (labelled, or past their expiry) and nothing else", async () => {
    const create = (name: string, labels: Record<string, string>, annotations: Record<string, string> = {}) =>
      rest.create(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, {
        metadata: { name, labels, annotations }, spec: { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress", "Egress"] },
      });
    const chaos = { "app.kubernetes.io/managed-by": "operator-chaos" };
    await create("operator-chaos-np-expired", chaos, { "chaos.operatorchaos.io/expires": "2020-01-01T00:00:00Z" });
    await create("operator-chaos-np-typed", { ...chaos, "chaos.operatorchaos.io/type": "NetworkPartition" });
    await create("users-own-policy", { team: "a" });
    const result = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/reverted\s+NetworkPartition\s+NetworkPolicy\/.*\/operator-chaos-np-expired/);
    expect((await policies()).map((policy) => policy.metadata?.name)).toEqual(["users-own-policy"]);
    await rest.delete(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/users-own-policy`);
  });

  it("clean gives a revoked RoleBinding its subjects back and removes the Go tool's metadata, without deleting it", async () => {
    const original = [{ kind: "ServiceAccount", name: "legacy-operator", namespace: ns }];
    await rbac.createNamespacedRoleBinding({ namespace: ns, body: {
      metadata: {
        name: "legacy-rb",
        labels: { "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/type": "RBACRevoke", keep: "me" },
        annotations: { "chaos.operatorchaos.io/rollback-data": wrapGoRollback(original), other: "kept" },
      },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [],
    } });
    const uid = (await readRoleBinding("legacy-rb")).metadata!.uid;
    const result = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/reverted\s+RBACRevoke\s+RoleBinding\/.*\/legacy-rb/);
    const restored = await readRoleBinding("legacy-rb");
    expect(restored.metadata!.uid).toBe(uid);
    expect(restored.subjects).toEqual(original);
    expect(restored.metadata!.labels).toEqual({ keep: "me" });
    expect(restored.metadata!.annotations).toEqual({ other: "kept" });
    // Idempotent: a second clean finds nothing left to do.
    const again = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(again.stdout).not.toMatch(/legacy-rb/);
    await rbac.deleteNamespacedRoleBinding({ name: "legacy-rb", namespace: ns });
  });
});
