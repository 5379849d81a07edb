import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, truncateSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthenticationV1Api, KubeConfig, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labDown } from "../src/lab/down.js";
import { labDir } from "../src/lab/paths.js";
import { markedPids } from "../src/lab/processes.js";
import { mintServiceAccountKubeconfig } from "../src/lab/service-account.js";
import { labUp } from "../src/lab/up.js";
import { watchUntil } from "../src/kube/watch.js";
import { runCli } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";

const { lab, config, core, apps, rbac } = labClients();
let namespace: string;

beforeAll(async () => {
  namespace = await freshNamespace(core, "lab");
});

function deploymentAvailable(name: string) {
  return watchUntil(config, { path: `/apis/apps/v1/namespaces/${namespace}/deployments`, timeoutMs: 60_000, what: `${name} Available` },
    (deployments) => {
      const d = deployments.get(`${namespace}/${name}`) as { status?: { availableReplicas?: number; conditions?: { type: string; status: string }[] } } | undefined;
      return d?.status?.conditions?.some((c) => c.type === "Available" && c.status === "True") && d.status.availableReplicas === 2 ? d : undefined;
    });
}

describe("the lab's control plane", () => {
  it("makes a Deployment with 2 replicas Available (controller-manager, scheduler, KWOK)", async () => {
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "example/web:1" }] } },
        },
      },
    });
    const deployment = await deploymentAvailable("web");
    expect(deployment.status?.availableReplicas).toBe(2);
    const pods = await core.listNamespacedPod({ namespace, labelSelector: "app=web" });
    expect(pods.items.every((p) => p.spec?.nodeName?.startsWith("kwok-node-"))).toBe(true);
  });

  it("replaces a deleted pod with a new one that is scheduled and becomes Ready", async () => {
    const before = await core.listNamespacedPod({ namespace, labelSelector: "app=web" });
    const victim = before.items[0]!.metadata!.name!;
    await core.deleteNamespacedPod({ name: victim, namespace });
    const replacement = await watchUntil(config, { path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector: "app=web" }, timeoutMs: 60_000, what: "a Ready replacement pod" },
      (pods) => [...pods.values()].find((p) => {
        const pod = p as { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status?: { conditions?: { type: string; status: string }[] } };
        return pod.metadata.name !== victim && !before.items.some((b) => b.metadata?.name === pod.metadata.name)
          && pod.spec.nodeName && pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      }));
    expect(replacement.metadata?.name).not.toBe(victim);
    const after = await core.listNamespacedPod({ namespace, labelSelector: "app=web" });
    expect(after.items.map((p) => p.metadata?.name)).not.toContain(victim);
  });

  it("enforces RBAC for a ServiceAccount token: 403, then allowed by a RoleBinding, then 403 once its subjects are emptied", async () => {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "reader" } } });
    const minted = await mintServiceAccountKubeconfig({ admin: config, namespace, serviceAccount: "reader", caFile: lab.caFile, expirationSeconds: 600 });
    const asReader = new KubeConfig();
    asReader.loadFromString(minted.kubeconfig);
    const readerCore = asReader.makeApiClient(CoreV1Api);
    const listPods = async () => {
      try {
        await readerCore.listNamespacedPod({ namespace });
        return 200;
      } catch (error) {
        return (error as { code?: number }).code;
      }
    };
    expect(await listPods()).toBe(403);

    await rbac.createNamespacedRole({ namespace, body: { metadata: { name: "pod-reader" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list", "get", "watch"] }] } });
    await rbac.createNamespacedRoleBinding({ namespace, body: {
      metadata: { name: "reader-can-read" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
      subjects: [{ kind: "ServiceAccount", name: "reader", namespace }],
    } });
    await expect.poll(listPods, { timeout: 10_000, interval: 100 }).toBe(200);

    const binding = await rbac.readNamespacedRoleBinding({ name: "reader-can-read", namespace });
    binding.subjects = [];
    await rbac.replaceNamespacedRoleBinding({ name: "reader-can-read", namespace, body: binding });
    await expect.poll(listPods, { timeout: 10_000, interval: 100 }).toBe(403);
  });
});

describe("the lab commands", () => {
  it("lab status shows every component running and healthy, lab env prints the kubeconfig export", async () => {
    const status = await runCli(["lab", "status", "--name", lab.name, "-o", "json"], lab.kubeconfig);
    expect(status.code).toBe(0);
    const components = JSON.parse(status.stdout).components as { component: string; running: boolean; healthy: boolean }[];
    expect(components.map((c) => c.component).sort()).toEqual(["apiserver", "controller-manager", "etcd", "kwok", "runner", "scheduler"]);
    expect(components.every((c) => c.running && c.healthy)).toBe(true);
    const env = await runCli(["lab", "env", "--name", lab.name], lab.kubeconfig);
    expect(env.stdout).toBe(`export KUBECONFIG=${lab.kubeconfig}\n`);
  });

  it("lab kubeconfig mints a working kubeconfig for a ServiceAccount", async () => {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "minted" } } });
    const minted = await runCli(["lab", "kubeconfig", "--name", lab.name, "--service-account", `${namespace}/minted`], lab.kubeconfig);
    expect(minted.code).toBe(0);
    const config = new KubeConfig();
    config.loadFromString(minted.stdout);
    const review = await config.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${namespace}:minted`);
    const bad = await runCli(["lab", "kubeconfig", "--name", lab.name, "--service-account", "no-slash"], lab.kubeconfig);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--service-account must be NAMESPACE\/NAME/);
  });
});

describe("lab up and lab down", () => {
  const extra = [`second-${process.pid}`, `third-${process.pid}`];
  afterAll(async () => {
    for (const name of extra) await labDown(name);
  });

  it("starts two more labs with different names side by side, and `lab down` leaves no process and no state", async () => {
    const [second, third] = await Promise.all(extra.map((name) => labUp({ name })));
    expect(second!.server).not.toBe(third!.server);
    for (const state of [second!, third!]) {
      const nodes = await kubeConfigFor(state.kubeconfig).makeApiClient(CoreV1Api).listNode();
      expect(nodes.items.map((n) => n.metadata?.name)).toContain("kwok-node-0");
    }
    const secondDir = labDir(extra[0]!);
    expect(markedPids(secondDir).length).toBeGreaterThanOrEqual(5);
    const result = await labDown(extra[0]!);
    expect(result.removed).toBe(true);
    expect(markedPids(secondDir)).toEqual([]);
    expect(existsSync(secondDir)).toBe(false);
    // The other lab is untouched.
    expect(markedPids(labDir(extra[1]!)).length).toBeGreaterThanOrEqual(5);
  });

  it("refuses a taken API server port with a clear error and leaves nothing behind", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "0.0.0.0", r));
    const port = (blocker.address() as { port: number }).port;
    const name = `taken-${process.pid}`;
    try {
      await expect(labUp({ name, apiServerPort: port })).rejects.toThrow(new RegExp(`port ${port} for the API server is already in use`));
    } finally {
      blocker.close();
    }
    expect(existsSync(labDir(name))).toBe(false);
    expect(markedPids(labDir(name))).toEqual([]);
  });

  it("reports a corrupt cache (half-written binary) that cannot be rebuilt without Go, and leaves nothing behind", async () => {
    const cache = mkdtempSync(join(tmpdir(), "oc-cache-"));
    try {
      const built = lab.binariesDir;
      const copy = join(cache, "lab", built.split("/").pop()!);
      cpSync(built, copy, { recursive: true });
      truncateSync(join(copy, "kube"), 1024 * 1024); // as if a copy or build stopped half-way
      const name = `corrupt-${process.pid}`;
      const error = await labUp({ name, buildEnvironment: { ...process.env, OPERATOR_CHAOS_CACHE: cache, GO: "/nonexistent/go" } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/corrupt \(checksums do not match\)/);
      expect((error as Error).message).toMatch(/Go is not installed/);
      expect(existsSync(copy)).toBe(false);
      expect(readdirSync(join(cache, "lab")).filter((f) => !f.startsWith("."))).toEqual([]);
      expect(existsSync(labDir(name))).toBe(false);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("says Go is missing when nothing is cached and Go is not installed", async () => {
    const cache = mkdtempSync(join(tmpdir(), "oc-cache-"));
    try {
      const name = `nogo-${process.pid}`;
      const error = await labUp({ name, buildEnvironment: { ...process.env, OPERATOR_CHAOS_CACHE: cache, GO: "/nonexistent/go" } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/Go is not installed .*no built control plane is cached/);
      expect(existsSync(labDir(name))).toBe(false);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

function kubeConfigFor(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}
