// Five object faults on a real control plane: DeploymentScaleZero, CrashLoopInject, ImageCorrupt,
// LeaderElectionDisrupt, NamespaceDeletion. Against a workload no operator looks after, each
// revert leaves the cluster as it was (full dump before and after); when someone repairs (or
// changes) the object during the fault, the revert leaves their value alone; the Go tool's
// leftovers are restored by `clean`; bad input is refused before anything changes.
// (The demo operator's verdicts, Resilient and not, are in test/faults-object-b-demo.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeRest } from "../src/kube/rest.js";
import { waitForCollection } from "../src/kube/watcher.js";
import type { ExperimentReport } from "../src/report/model.js";
import { runCli, spawnCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";
import { dumpObjects } from "./support/dump.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);
let ns: string;
/** A namespace NamespaceDeletion may delete (each case makes its own). */
const doomed: string[] = [];

const WEB_COMMAND = ["/web", "--serve"];
const WEB_IMAGE = "example/web:1";
const deploymentPath = (name = "web") => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const leasePath = (name: string) => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`;

function experiment(name: string, injection: Record<string, unknown>, options: { allowed?: string[]; recoveryTimeout?: string; checks?: unknown[] } = {}) {
  return {
    apiVersion: "chaos.operatorchaos.io/v1alpha1",
    kind: "ChaosExperiment",
    metadata: { name, namespace: ns },
    spec: {
      target: { operator: "web", component: "web" },
      steadyState: { checks: options.checks ?? [{ type: "resourceExists", apiVersion: "v1", kind: "ServiceAccount", name: "default", namespace: ns }] },
      injection: { dangerLevel: "high", ttl: "300s", ...injection },
      hypothesis: { description: "the operator puts it back", recoveryTimeout: options.recoveryTimeout ?? "2s" },
      blastRadius: { maxPodsAffected: 1, allowedNamespaces: options.allowed ?? [ns], allowDangerous: true },
    },
  };
}

async function run(document: object, extra: string[] = []): Promise<{ code: number | null; report: ExperimentReport & { error?: string } }> {
  const result = await runCli(["run", writeTemp("experiment.yaml", document), "-o", "json", "--stability-window", "1s", ...extra], lab.kubeconfig);
  expect(result.stdout, result.stderr).toMatch(/^\{/);
  return { code: result.code, report: JSON.parse(result.stdout) };
}

/** The namespace's objects; pods and ReplicaSets are the Deployment controller's (a changed template rolls a new one). */
async function dump(): Promise<Record<string, unknown>> {
  const objects = await dumpObjects(config, ns);
  for (const key of Object.keys(objects)) {
    if (key.startsWith("v1/pods/") || key.startsWith("apps/v1/replicasets/") || key.includes("/configmaps/chaos-result-")) delete objects[key];
    const metadata = (objects[key] as { metadata?: { annotations?: Record<string, string> } } | undefined)?.metadata;
    // The Deployment controller counts rollouts here; the template itself is compared.
    if (metadata?.annotations) delete metadata.annotations["deployment.kubernetes.io/revision"];
  }
  return objects;
}

async function createWeb(name = "web", replicas = 2, annotations: Record<string, string> = {}) {
  await rest.create(`/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name, labels: { app: name, "app.kubernetes.io/managed-by": "web-operator" }, annotations: { owner: "team-a", ...annotations } },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image: WEB_IMAGE, command: WEB_COMMAND }, { name: "side", image: "example/side:1" }] } },
    },
  });
}

interface Deployment { metadata: { annotations?: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: { name: string; image: string; command?: string[] }[] } } } }
const readWeb = (name = "web") => rest.get<Deployment>(deploymentPath(name));

/** Waits (watch) until the Deployment matches. */
function deploymentMatches(name: string, what: string, predicate: (deployment: Deployment) => boolean) {
  return waitForCollection(rest, { path: `/apis/apps/v1/namespaces/${ns}/deployments`, fieldSelector: `metadata.name=${name}`, timeoutMs: 60_000, what },
    (items) => {
      const item = items.get(`${ns}/${name}`) as unknown as Deployment | undefined;
      return item && predicate(item) ? true : undefined;
    });
}

const staticLease = (name: string) => ({
  apiVersion: "coordination.k8s.io/v1", kind: "Lease",
  metadata: { name, labels: { app: "web" }, annotations: { owner: "team-a" } },
  spec: { holderIdentity: "web-0_1a2b3c4d", leaseDurationSeconds: 15, acquireTime: "2026-01-01T00:00:00.000000Z", renewTime: "2026-01-01T00:00:10.000000Z", leaseTransitions: 3 },
});
const leaseView = (lease: { metadata: { labels?: unknown; annotations?: unknown }; spec: unknown }) => ({ labels: lease.metadata.labels, annotations: lease.metadata.annotations, spec: lease.spec });

async function doomedNamespace(): Promise<string> {
  const name = await freshNamespace(core, "doomed");
  doomed.push(name);
  await rest.mergePatch(`/api/v1/namespaces/${name}`, { metadata: { labels: { tier: "models" }, annotations: { owner: "team-a" } } });
  await rest.create(`/api/v1/namespaces/${name}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "catalog" }, data: { models: "a" } });
  return name;
}
const readNamespace = (name: string) => rest.get<{ metadata: { uid: string; labels?: Record<string, string>; annotations?: Record<string, string> }; status: { phase: string } }>(`/api/v1/namespaces/${name}`);

beforeAll(async () => {
  ns = await freshNamespace(core, "objb");
});

afterAll(async () => {
  for (const name of [ns, ...doomed]) await core.deleteNamespace({ name }).catch(() => {});
});

describe("with nobody to repair it, the revert restores the cluster exactly (full dump before and after)", () => {
  it("DeploymentScaleZero: replicas back to 2; only spec.replicas was ever written", async () => {
    await createWeb("web", 2);
    await deploymentMatches("web", "web rolled out", (d) => (d as unknown as { status?: { availableReplicas?: number } }).status?.availableReplicas === 2);
    const before = await dump();
    const { code, report } = await run(experiment("scale-exact", { type: "DeploymentScaleZero", parameters: { name: "web" } }));
    expect(report.evaluation.verdict).toBe("Failed");
    expect(code).toBe(1);
    expect(report.evaluation.reasons?.[0]).toMatch(/fieldEquals Deployment\/web: expected "2", got "0"/);
    expect(await dump()).toEqual(before);
  });

  it("CrashLoopInject: the one container's command is back; the other container was never touched", async () => {
    const before = await dump();
    const { report } = await run(experiment("crash-exact", { type: "CrashLoopInject", parameters: { name: "web", containerName: "main" } }));
    expect(report.evaluation.verdict).toBe("Failed");
    expect(report.evaluation.reasons?.[0]).toContain('fieldEquals Deployment/web: expected "[\\"/web\\",\\"--serve\\"]", got "[\\"/chaos-nonexistent-binary\\"]"');
    expect(await dump()).toEqual(before);
  });

  it("ImageCorrupt: the first container's image is back (containerName absent)", async () => {
    const before = await dump();
    const { report } = await run(experiment("image-exact", { type: "ImageCorrupt", parameters: { name: "web" } }));
    expect(report.evaluation.verdict).toBe("Failed");
    expect(report.evaluation.reasons?.[0]).toContain(`expected "${WEB_IMAGE}", got "registry.invalid/nonexistent:chaos"`);
    expect(await dump()).toEqual(before);
  });

  it("LeaderElectionDisrupt: the Lease is recreated as it was (labels, annotations, holder, times)", async () => {
    await rest.create(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, staticLease("web-leader"));
    const before = leaseView(await rest.get(leasePath("web-leader")));
    const dumpBefore = await dump();
    const { report } = await run(experiment("lease-exact", { type: "LeaderElectionDisrupt", parameters: { name: "web-leader" } }));
    expect(report.evaluation.verdict).toBe("Failed");
    expect(report.evaluation.reasons?.[0]).toMatch(/resourceExists Lease\/web-leader: resource not found/);
    expect((report.timeline?.find((event) => event.type === "injectionConfirmed") as { evidence?: string } | undefined)?.evidence).toMatch(/nobody held it again within 22.5 s/);
    expect(leaseView(await rest.get(leasePath("web-leader")))).toEqual(before);
    expect(await dump()).toEqual(dumpBefore);
  });

  it("NamespaceDeletion: the namespace comes back with its labels and annotations, and the run says plainly its contents do not", async () => {
    const target = await doomedNamespace();
    const before = await readNamespace(target);
    const { report } = await run(experiment("ns-exact", { type: "NamespaceDeletion", parameters: { namespace: target } }, { allowed: [ns, target], recoveryTimeout: "1s" }));
    expect(report.evaluation.verdict).toBe("Failed");
    const confirmed = report.timeline?.find((event) => event.type === "injectionConfirmed") as { detail?: string } | undefined;
    expect(confirmed?.detail).toMatch(new RegExp(`delete namespace ${target} \\(\\d ConfigMaps\\); operator-chaos cannot restore a deleted namespace's contents: revert recreates only the empty namespace with its labels and annotations`));
    const after = await readNamespace(target);
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect({ labels: after.metadata.labels, annotations: after.metadata.annotations, phase: after.status.phase })
      .toEqual({ labels: before.metadata.labels, annotations: before.metadata.annotations, phase: "Active" });
    const configMaps = await rest.get<{ items: { metadata: { name: string } }[] }>(`/api/v1/namespaces/${target}/configmaps`);
    expect(configMaps.items.map((item) => item.metadata.name)).not.toContain("catalog");
  });
});

/** Runs an experiment in the background, does `repair` once the fault is in, and returns the report. */
async function runWhileRepairing(document: object, injected: () => Promise<unknown>, repair: () => Promise<unknown>) {
  const child = spawnCli(["run", writeTemp("experiment.yaml", document), "-o", "json", "--stability-window", "1s"], lab.kubeconfig);
  let stdout = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise((resolve) => child.once("close", resolve));
  await injected();
  await repair();
  await exited;
  return JSON.parse(stdout) as ExperimentReport;
}

describe("when someone else changes the field during the fault, the revert leaves their value alone", () => {
  it("DeploymentScaleZero keeps the replicas the operator set (3, not the original 2)", async () => {
    await createWeb("heal", 2);
    const report = await runWhileRepairing(
      experiment("scale-heal", { type: "DeploymentScaleZero", parameters: { name: "heal" } }, { recoveryTimeout: "30s" }),
      () => deploymentMatches("heal", "replicas 0", (d) => d.spec.replicas === 0),
      () => rest.mergePatch(deploymentPath("heal"), { spec: { replicas: 3 } }),
    );
    expect(report.evaluation.verdict).toBe("Failed"); // 3 is not what it was
    expect((await readWeb("heal")).spec.replicas).toBe(3);
  });

  it("ImageCorrupt keeps the image the operator set", async () => {
    const report = await runWhileRepairing(
      experiment("image-heal", { type: "ImageCorrupt", parameters: { name: "heal", containerName: "side" } }, { recoveryTimeout: "30s" }),
      () => deploymentMatches("heal", "side corrupted", (d) => d.spec.template.spec.containers[1]!.image.startsWith("registry.invalid")),
      () => rest.jsonPatch(deploymentPath("heal"), [{ op: "replace", path: "/spec/template/spec/containers/1/image", value: "example/side:2" }]),
    );
    expect(report.evaluation.verdict).toBe("Failed");
    expect((await readWeb("heal")).spec.template.spec.containers.map((c) => c.image)).toEqual([WEB_IMAGE, "example/side:2"]);
  });

  it("CrashLoopInject keeps the command the operator set, and restores the original when the operator restored it", async () => {
    const report = await runWhileRepairing(
      experiment("crash-heal", { type: "CrashLoopInject", parameters: { name: "heal" } }, { recoveryTimeout: "30s" }),
      () => deploymentMatches("heal", "command replaced", (d) => d.spec.template.spec.containers[0]!.command?.[0] === "/chaos-nonexistent-binary"),
      () => rest.jsonPatch(deploymentPath("heal"), [{ op: "replace", path: "/spec/template/spec/containers/0/command", value: WEB_COMMAND }]),
    );
    // Restored to the original by "the operator": the repair check passes.
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect((await readWeb("heal")).spec.template.spec.containers[0]!.command).toEqual(WEB_COMMAND);
  });

  it("LeaderElectionDisrupt keeps the Lease a new leader created", async () => {
    await rest.create(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, staticLease("heal-leader"));
    const report = await runWhileRepairing(
      experiment("lease-heal", { type: "LeaderElectionDisrupt", parameters: { name: "heal-leader" } }, { recoveryTimeout: "30s" }),
      () => waitForCollection(rest, { path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, fieldSelector: "metadata.name=heal-leader", timeoutMs: 60_000, what: "lease deleted" },
        (items) => (items.size === 0 ? true : undefined)),
      () => rest.create(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {
        apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "heal-leader" },
        spec: { holderIdentity: "web-1_ffff0000", leaseDurationSeconds: 15 },
      }),
    );
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    const lease = await rest.get<{ metadata: { labels?: unknown }; spec: { holderIdentity: string } }>(leasePath("heal-leader"));
    expect(lease.spec.holderIdentity).toBe("web-1_ffff0000");
    const confirmed = report.timeline?.find((event) => event.type === "injectionConfirmed") as { evidence?: string } | undefined;
    expect(confirmed?.evidence).toMatch(/taken by a new holder "web-1_ffff0000" \(was "web-0_1a2b3c4d"\) \d+ ms after the deletion/);
    expect(lease.metadata.labels).toBeUndefined();
  });

  it("NamespaceDeletion keeps the namespace the operator recreated (its labels, not the journaled ones)", async () => {
    const target = await doomedNamespace();
    const report = await runWhileRepairing(
      experiment("ns-heal", { type: "NamespaceDeletion", parameters: { namespace: target } }, { allowed: [ns, target], recoveryTimeout: "60s" }),
      () => waitForCollection(rest, { path: "/api/v1/namespaces", fieldSelector: `metadata.name=${target}`, timeoutMs: 90_000, what: `${target} gone` },
        (items) => (items.size === 0 ? true : undefined)),
      () => rest.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: target, labels: { recreated: "by-operator" } } }),
    );
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    const after = await readNamespace(target);
    expect(after.metadata.labels).toEqual({ recreated: "by-operator", "kubernetes.io/metadata.name": target });
  });
});

describe("bad input is refused before anything changes", () => {
  const refused = async (document: object, message: string | RegExp) => {
    const before = await dump();
    const { code, report } = await run(document);
    expect(code).toBe(1);
    expect(report.evaluation.verdict).toBe("Inconclusive");
    expect(report.error).toMatch(message);
    expect(report.timeline?.some((event) => event.type === "injectionStarted")).toBe(false);
    expect(await dump()).toEqual(before);
  };

  it("a Deployment, container, Lease or namespace that does not exist", async () => {
    await refused(experiment("bad-1", { type: "DeploymentScaleZero", parameters: { name: "nope" } }), `Deployment ${ns}/nope does not exist`);
    await refused(experiment("bad-2", { type: "CrashLoopInject", parameters: { name: "web", containerName: "nope" } }), `Deployment ${ns}/web has no container "nope" (its containers: main, side)`);
    await refused(experiment("bad-3", { type: "LeaderElectionDisrupt", parameters: { name: "nope" } }), `Lease ${ns}/nope does not exist`);
    await refused(experiment("bad-4", { type: "NamespaceDeletion", parameters: { namespace: "nope-nope" } }, { allowed: [ns, "nope-nope"] }), "namespace nope-nope does not exist");
  });

  it("a namespace outside allowedNamespaces, or the experiment's own", async () => {
    const target = await doomedNamespace();
    await refused(experiment("bad-5", { type: "NamespaceDeletion", parameters: { namespace: target } }), `namespace ${target} is not in blastRadius.allowedNamespaces (${ns})`);
    await refused(experiment("bad-6", { type: "NamespaceDeletion", parameters: { namespace: ns } }), `namespace ${ns} is the experiment's own namespace`);
    expect((await readNamespace(target)).status.phase).toBe("Active");
  });

  it("a Deployment that is already broken the same way", async () => {
    await createWeb("zero", 0);
    await refused(experiment("bad-7", { type: "DeploymentScaleZero", parameters: { name: "zero" } }), `Deployment ${ns}/zero already has 0 replicas`);
  });
});

describe("the Go tool's leftovers are restored by clean", () => {
  it("restores replicas, command and image from its annotations, and removes them", async () => {
    await createWeb("go-scale", 0, { "chaos.operatorchaos.io/original-replicas": "2" });
    await createWeb("go-crash", 1, { "chaos.operatorchaos.io/crash-container-name": "main", "chaos.operatorchaos.io/original-command-main": JSON.stringify(WEB_COMMAND) });
    await rest.jsonPatch(deploymentPath("go-crash"), [{ op: "replace", path: "/spec/template/spec/containers/0/command", value: ["/chaos-nonexistent-binary"] }]);
    await createWeb("go-image", 1, { "chaos.operatorchaos.io/corrupt-container-name": "side", "chaos.operatorchaos.io/original-image-side": "example/side:1" });
    await rest.jsonPatch(deploymentPath("go-image"), [{ op: "replace", path: "/spec/template/spec/containers/1/image", value: "registry.invalid/nonexistent:chaos" }]);
    const result = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const type of ["DeploymentScaleZero", "CrashLoopInject", "ImageCorrupt"]) expect(result.stdout).toMatch(new RegExp(`reverted\\s+${type}\\s`));
    const goKeys = (d: Deployment) => Object.keys(d.metadata.annotations ?? {}).filter((key) => key.startsWith("chaos.operatorchaos.io/"));
    const scale = await readWeb("go-scale");
    expect([scale.spec.replicas, goKeys(scale)]).toEqual([2, []]);
    const crash = await readWeb("go-crash");
    expect([crash.spec.template.spec.containers[0]!.command, goKeys(crash)]).toEqual([WEB_COMMAND, []]);
    const image = await readWeb("go-image");
    expect([image.spec.template.spec.containers[1]!.image, goKeys(image)]).toEqual(["example/side:1", []]);
    expect(image.metadata.annotations?.owner).toBe("team-a");
  });

  it("recreates a Lease and a namespace from its backup ConfigMaps, and deletes them", async () => {
    const goLabels = { "app.kubernetes.io/managed-by": "operator-chaos" };
    const lease = staticLease("go-leader");
    await rest.create(`/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: "v1", kind: "ConfigMap", metadata: { name: "chaos-backup-lease-go-leader", labels: { ...goLabels, "chaos.operatorchaos.io/type": "LeaderElectionDisrupt" } },
      data: { "lease-backup": JSON.stringify({ ...lease, metadata: { ...lease.metadata, namespace: ns, uid: "old", resourceVersion: "1" } }) },
    });
    const target = `${ns}-gone`;
    doomed.push(target);
    await rest.create(`/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: "v1", kind: "ConfigMap", metadata: { name: `chaos-rollback-ns-${target}`, labels: { ...goLabels, "chaos.operatorchaos.io/type": "NamespaceDeletion" } },
      data: { labels: JSON.stringify({ tier: "models" }), annotations: JSON.stringify({ owner: "team-a" }) },
    });
    const result = await runCli(["clean", "-n", ns], lab.kubeconfig);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/reverted\s+LeaderElectionDisrupt\s/);
    expect(result.stdout).toMatch(/reverted\s+NamespaceDeletion\s/);
    expect(leaseView(await rest.get(leasePath("go-leader")))).toEqual(leaseView(lease as never));
    const namespace = await readNamespace(target);
    expect(namespace.metadata.labels).toMatchObject({ tier: "models" });
    expect(namespace.metadata.annotations).toEqual({ owner: "team-a" });
    const left = await rest.get<{ items: { metadata: { name: string } }[] }>(`/api/v1/namespaces/${ns}/configmaps`);
    expect(left.items.map((item) => item.metadata.name).filter((name) => /^chaos-(backup|rollback)-/.test(name))).toEqual([]);
  });
});
