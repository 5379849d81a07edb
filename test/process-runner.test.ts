import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig, NetworkingV1Api, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPodLogFile } from "../src/cli/lab-logs.js";
import { watchUntil, type KubeObject } from "../src/kube/watch.js";
import { labDown } from "../src/lab/down.js";
import { projectRoot } from "../src/lab/paths.js";
import { isAlive, markedPids, recordedPids } from "../src/lab/processes.js";
import { BACKOFF_ANNOTATION, PROCESS_NODE_NAME, PROCESS_NODE_SELECTOR, PROCESS_NODE_TOLERATION, runnerNetwork, startProcessRunner, WORKDIR_ANNOTATION } from "../src/lab/runner/index.js";
import { podProcesses } from "../src/lab/runner/pod-records.js";
import type { LabState } from "../src/lab/state.js";
import { labUp } from "../src/lab/up.js";
import { waitFor } from "../src/lab/wait.js";
import { freshNamespace, labClients } from "./support/cluster.js";

const { lab, config, core, apps, rbac } = labClients();
const networking = config.makeApiClient(NetworkingV1Api);
let namespace: string;

const PROGRAM = ["node", "test/fixtures/pod-program.mjs"];

interface Attempt { start: number; end: number; ok: boolean; status: number; error?: string }
interface ProgramState {
  pid: number;
  startedAt: number;
  podName?: string;
  podNamespace?: string;
  configValue?: string;
  identity?: string;
  cwd: string;
  okCount: number;
  failCount: number;
  attempts: Attempt[];
}

type PodObject = KubeObject & V1Pod;

beforeAll(async () => {
  namespace = await freshNamespace(core, "runner");
  await defaultServiceAccount(config, namespace);
  // The lab's process runner must be up: `lab up` starts it.
  await watchUntil(config, {
    path: "/api/v1/nodes", query: { fieldSelector: `metadata.name=${PROCESS_NODE_NAME}` }, timeoutMs: 30_000,
    what: `node ${PROCESS_NODE_NAME} Ready (the lab's process runner)`,
  }, (nodes) => ((nodes.get(`/${PROCESS_NODE_NAME}`) as PodObject | undefined)?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? true : undefined));
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace }).catch(() => {});
});

/** Pods need their namespace's `default` ServiceAccount, which the controller-manager creates. */
function defaultServiceAccount(kubeconfig: KubeConfig, ns: string) {
  return watchUntil(kubeconfig, { path: `/api/v1/namespaces/${ns}/serviceaccounts`, timeoutMs: 30_000, what: `ServiceAccount ${ns}/default` },
    (accounts) => (accounts.has(`${ns}/default`) ? true : undefined));
}

function programContainer(env: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return {
    name: "main",
    image: "lab.operator-chaos.io/process",
    command: PROGRAM,
    env: [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      ...Object.entries(env).map(([name, value]) => ({ name, value })),
    ],
    readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
    ...extra,
  };
}

function programPod(name: string, options: {
  serviceAccount?: string; labels?: Record<string, string>; env?: Record<string, string>; grace?: number;
  annotations?: Record<string, string>; container?: Record<string, unknown>;
} = {}) {
  return {
    metadata: { name, labels: options.labels ?? { app: name }, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      nodeSelector: { ...PROCESS_NODE_SELECTOR }, tolerations: [{ ...PROCESS_NODE_TOLERATION }],
      serviceAccountName: options.serviceAccount ?? "default",
      terminationGracePeriodSeconds: options.grace ?? 5,
      containers: [programContainer(options.env, options.container)],
    },
  };
}

async function createServiceAccount(name: string, canListPods: boolean): Promise<void> {
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  if (canListPods) await grantListPods(name);
}

async function grantListPods(serviceAccount: string): Promise<void> {
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: `${serviceAccount}-lists-pods` }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }] } });
  await rbac.createNamespacedRoleBinding({ namespace, body: {
    metadata: { name: `${serviceAccount}-lists-pods` },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${serviceAccount}-lists-pods` },
    subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace }],
  } });
}

const isReady = (pod: PodObject | undefined) => pod?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

function pidOf(pod: PodObject): number {
  const id = pod.status?.containerStatuses?.[0]?.containerID ?? "";
  expect(id).toMatch(/^process:\/\/\d+$/);
  return Number(id.slice("process://".length));
}

/** Waits (watch) for a pod matching `done` in the test namespace. */
function waitForPod<T>(what: string, done: (pods: PodObject[]) => T | undefined, timeoutMs = 60_000): Promise<T> {
  return watchUntil(config, { path: `/api/v1/namespaces/${namespace}/pods`, timeoutMs, what }, (pods) => done([...pods.values()] as PodObject[]));
}

const readyPod = (name: string) => waitForPod(`pod ${name} Ready`, (pods) => pods.find((p) => p.metadata?.name === name && isReady(p)));

function podGone(uid: string, timeoutMs = 30_000) {
  return waitForPod(`pod ${uid} removed`, (pods) => (pods.some((p) => p.metadata?.uid === uid) ? undefined : true), timeoutMs);
}

async function program(pod: PodObject, since = 0): Promise<ProgramState> {
  const response = await fetch(`http://${pod.status?.podIP}:8080/last?since=${since}`, { signal: AbortSignal.timeout(3_000) });
  return (await response.json()) as ProgramState;
}

/** Waits until the program has finished an attempt that started at or after `time`, then returns its record since `since`. */
async function attemptsThrough(pod: PodObject, since: number, time: number, timeoutMs = 20_000): Promise<Attempt[]> {
  return waitFor(async () => {
    const state = await program(pod, since);
    return state.attempts.some((a) => a.start >= time) ? state.attempts : undefined;
  }, { timeoutMs, intervalMs: 100, what: `the program's API calls after ${new Date(time).toISOString()}` });
}

function deploymentCondition(name: string, status: "True" | "False", timeoutMs = 60_000) {
  return watchUntil(config, { path: `/apis/apps/v1/namespaces/${namespace}/deployments`, timeoutMs, what: `deployment ${name} Available=${status}` },
    (deployments) => {
      const d = deployments.get(`${namespace}/${name}`) as { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined;
      return d?.status?.conditions?.some((c) => c.type === "Available" && c.status === status) ? d : undefined;
    });
}

async function setReadiness(pod: PodObject, value: boolean): Promise<void> {
  const response = await fetch(`http://${pod.status?.podIP}:8080/ready?value=${value}`, { method: "POST", signal: AbortSignal.timeout(3_000) });
  expect(response.status).toBe(200);
}

function processesOf(uid: string, labDirectory = lab.dir): number[] {
  return podProcesses(labDirectory).get(uid) ?? [];
}

async function waitForExit(pid: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(() => !isAlive(pid), { timeoutMs, intervalMs: 20, what: `process ${pid} to exit` });
  return Date.now() - started;
}

describe("the lab's process runner", () => {
  it("runs a Deployment's pod as a local process that is Available only while ready; deleting the pod kills it in its grace period and the replacement gets a new process", async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "settings" }, data: { greeting: "hello from a ConfigMap" } } });
    await createServiceAccount("prog", true);
    const container = programContainer({}, {});
    container.env.push({ name: "CONFIG_VALUE", valueFrom: { configMapKeyRef: { name: "settings", key: "greeting" } } } as never);
    await apps.createNamespacedDeployment({ namespace, body: {
      metadata: { name: "prog" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "prog" } },
        template: {
          metadata: { labels: { app: "prog" } },
          spec: { nodeSelector: { ...PROCESS_NODE_SELECTOR }, tolerations: [{ ...PROCESS_NODE_TOLERATION }], serviceAccountName: "prog", terminationGracePeriodSeconds: 5, containers: [container] },
        },
      },
    } });
    await deploymentCondition("prog", "True");
    const pod = await waitForPod("the Deployment's Ready pod", (pods) => pods.find((p) => p.metadata?.labels?.app === "prog" && isReady(p)));
    const uid = pod.metadata!.uid!;
    expect(pod.spec?.nodeName).toBe(PROCESS_NODE_NAME);
    expect(pod.status?.phase).toBe("Running");
    const network = await runnerNetwork(lab.dir);
    expect(pod.status?.hostIP).toBe(network?.apiServerAddress);

    // A real process, exactly one for the pod, with the pod's environment and identity.
    const pid = pidOf(pod);
    expect(isAlive(pid)).toBe(true);
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toEqual(expect.arrayContaining(PROGRAM));
    expect(processesOf(uid)).toEqual([pid]);
    const state = await waitFor(async () => {
      const s = await program(pod);
      return s.okCount > 0 && s.identity ? s : undefined;
    }, { timeoutMs: 15_000, intervalMs: 200, what: "the program's first successful API call" });
    expect(state.pid).toBe(pid);
    expect(state.podName).toBe(pod.metadata?.name);
    expect(state.podNamespace).toBe(namespace);
    expect(state.configValue).toBe("hello from a ConfigMap");
    expect(state.identity).toBe(`system:serviceaccount:${namespace}:prog`);
    expect(state.cwd).toBe(projectRoot());

    // Its output is in the pod's log file (what `lab logs` prints).
    const logFile = findPodLogFile(lab.dir, namespace, pod.metadata!.name!, undefined, uid);
    expect(logFile.container).toBe("main");
    expect(readFileSync(logFile.file, "utf8")).toContain(`pod-program pid ${pid} starting`);

    // Available only while the process is ready.
    await setReadiness(pod, false);
    await deploymentCondition("prog", "False", 20_000);
    expect(isAlive(pid)).toBe(true);
    await setReadiness(pod, true);
    await deploymentCondition("prog", "True", 20_000);

    // Deleting the pod: SIGTERM (the program exits on it) well within the 5 s grace period.
    const deleted = Date.now();
    await core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace });
    await waitForExit(pid, 5_000);
    expect(Date.now() - deleted).toBeLessThan(5_000);
    await podGone(uid);

    const replacement = await waitForPod("a Ready replacement pod", (pods) =>
      pods.find((p) => p.metadata?.labels?.app === "prog" && p.metadata?.uid !== uid && isReady(p)));
    const newPid = pidOf(replacement);
    expect(newPid).not.toBe(pid);
    expect(isAlive(newPid)).toBe(true);
    expect(processesOf(replacement.metadata!.uid!)).toEqual([newPid]);
    expect(processesOf(uid)).toEqual([]);
    await deploymentCondition("prog", "True");
  });

  it("SIGKILLs a process that ignores SIGTERM when the grace period ends, and at once with grace period 0; the pod object is then removed", async () => {
    await core.createNamespacedPod({ namespace, body: programPod("stubborn", { env: { IGNORE_SIGTERM: "1" }, grace: 2 }) as never });
    await core.createNamespacedPod({ namespace, body: programPod("forced", { grace: 30 }) as never });
    const stubborn = await readyPod("stubborn");
    const forced = await readyPod("forced");

    const stubbornPid = pidOf(stubborn);
    await core.deleteNamespacedPod({ name: "stubborn", namespace });
    const stubbornDied = await waitForExit(stubbornPid, 6_000);
    expect(stubbornDied).toBeGreaterThanOrEqual(1_500); // it outlived SIGTERM …
    expect(stubbornDied).toBeLessThan(4_000); // … until the grace period (2 s) ended
    await podGone(stubborn.metadata!.uid!);
    expect(readFileSync(findPodLogFile(lab.dir, namespace, "stubborn", "main", stubborn.metadata!.uid!).file, "utf8")).toContain("SIGTERM received, ignoring it");

    const forcedPid = pidOf(forced);
    await core.deleteNamespacedPod({ name: "forced", namespace, gracePeriodSeconds: 0 });
    expect(await waitForExit(forcedPid, 2_000)).toBeLessThan(2_000);
    await podGone(forced.metadata!.uid!);
    expect(processesOf(forced.metadata!.uid!)).toEqual([]);
  });

  it("makes Ready follow an httpGet probe on 127.0.0.1 (run inside the pod's network namespace) and an exec probe; a failing liveness probe restarts the process", async () => {
    const flag = (name: string) => join(lab.dir, `not-ready-${namespace}-${name}`);
    const notReady = (name: string) => waitForPod(`pod ${name} not Ready`, (pods) => pods.find((p) => p.metadata?.name === name && !isReady(p)), 20_000);
    await core.createNamespacedPod({ namespace, body: programPod("loopback", {
      env: { LISTEN_HOST: "127.0.0.1", NOT_READY_FILE: flag("loopback") },
      container: { readinessProbe: { httpGet: { host: "127.0.0.1", path: "/healthz", port: 8080 }, periodSeconds: 1, failureThreshold: 1 } },
    }) as never });
    await core.createNamespacedPod({ namespace, body: programPod("exec", {
      env: { NOT_READY_FILE: flag("exec") },
      container: { readinessProbe: { exec: { command: ["sh", "-c", "test ! -e $(NOT_READY_FILE)"] }, periodSeconds: 1, failureThreshold: 1 } },
    }) as never });
    await core.createNamespacedPod({ namespace, body: programPod("liveness", {
      env: { NOT_READY_FILE: flag("liveness") }, grace: 1,
      container: { livenessProbe: { exec: { command: ["test", "!", "-e", flag("liveness")] }, periodSeconds: 1, failureThreshold: 1 } },
    }) as never });
    const loopback = await readyPod("loopback");
    // The program listens on the namespace's loopback only: nothing answers on the pod's address.
    await expect(fetch(`http://${loopback.status?.podIP}:8080/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    await readyPod("exec");
    for (const name of ["loopback", "exec"]) {
      writeFileSync(flag(name), "");
      await notReady(name);
      rmSync(flag(name));
      await readyPod(name);
    }

    const live = await readyPod("liveness");
    const livePid = pidOf(live);
    writeFileSync(flag("liveness"), "");
    const restarted = await waitForPod("the liveness pod restarted", (pods) => {
      const p = pods.find((x) => x.metadata?.name === "liveness");
      return (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
    }, 30_000);
    rmSync(flag("liveness"));
    expect(isAlive(livePid)).toBe(false);
    expect(restarted.status?.containerStatuses?.[0]?.lastState?.terminated).toBeDefined();
    const again = await readyPod("liveness");
    expect(pidOf(again)).not.toBe(livePid);
    for (const name of ["loopback", "exec", "liveness"]) await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  });

  it("gives the process its ServiceAccount's identity: 403 without RBAC, success once a RoleBinding grants it (same process)", async () => {
    await createServiceAccount("nobody", false);
    await core.createNamespacedPod({ namespace, body: programPod("rbac", {
      serviceAccount: "nobody",
      // The working directory annotation: relative to the project root.
      annotations: { [WORKDIR_ANNOTATION]: "test/fixtures" },
      container: { command: ["node", "pod-program.mjs"] },
    }) as never });
    const pod = await readyPod("rbac");
    const forbidden = await waitFor(async () => {
      const s = await program(pod);
      return s.attempts.filter((a) => a.status === 403).length >= 3 ? s : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200, what: "403 answers to the program" });
    expect(forbidden.identity).toBe(`system:serviceaccount:${namespace}:nobody`);
    expect(forbidden.okCount).toBe(0);
    expect(forbidden.cwd).toBe(join(projectRoot(), "test/fixtures"));

    const granted = Date.now();
    await grantListPods("nobody");
    const allowed = await waitFor(async () => {
      const s = await program(pod, granted);
      return s.attempts.some((a) => a.ok && a.status === 200) ? s : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200, what: "a successful API call after the RoleBinding" });
    expect(allowed.pid).toBe(pidOf(pod));
    expect(allowed.startedAt).toBe(forbidden.startedAt);
  });

  describe("NetworkPolicy enforcement", () => {
    let pod: PodObject;
    let apiAddress: string;
    let apiPort: number;

    beforeAll(async () => {
      const network = await runnerNetwork(lab.dir);
      expect(network).toBeDefined();
      apiAddress = network!.apiServerAddress;
      apiPort = network!.apiServerPort;
      await createServiceAccount("netprog", true);
      await core.createNamespacedPod({ namespace, body: programPod("netprog", {
        serviceAccount: "netprog", labels: { app: "netprog", tier: "operator" },
        env: { LIST_INTERVAL_MS: "100", REQUEST_TIMEOUT_MS: "800" },
      }) as never });
      pod = await readyPod("netprog");
      await waitFor(async () => ((await program(pod)).okCount >= 3 ? true : undefined),
        { timeoutMs: 15_000, intervalMs: 100, what: "the program's API calls to succeed" });
    });

    const policy = (name: string, podSelector: Record<string, unknown>, egress?: unknown[]) => ({
      metadata: { name },
      spec: { podSelector, policyTypes: ["Ingress", "Egress"], ...(egress ? { egress } : {}) },
    });

    it("a deny-all policy selecting the pod cuts its API calls within 2 s of its creation; deleting it restores them within 2 s, same process", async () => {
      const before = await program(pod);
      const created = Date.now();
      await networking.createNamespacedNetworkPolicy({ namespace, body: policy("partition", { matchLabels: { app: "netprog" } }) as never });
      const cut = await attemptsThrough(pod, created, created + 3_000);
      const afterTwoSeconds = cut.filter((a) => a.start >= created + 2_000);
      expect(afterTwoSeconds.length).toBeGreaterThan(0);
      expect(afterTwoSeconds.every((a) => !a.ok)).toBe(true);
      const firstFailure = cut.find((a) => !a.ok);
      expect(firstFailure!.start - created).toBeLessThan(2_000);

      const deleted = Date.now();
      await networking.deleteNamespacedNetworkPolicy({ name: "partition", namespace });
      const restored = await attemptsThrough(pod, deleted, deleted + 3_000);
      const late = restored.filter((a) => a.start >= deleted + 2_000);
      expect(late.length).toBeGreaterThan(0);
      expect(late.every((a) => a.ok)).toBe(true);

      const after = await program(pod);
      expect(after.pid).toBe(before.pid);
      expect(after.startedAt).toBe(before.startedAt);
      expect(processesOf(pod.metadata!.uid!)).toEqual([after.pid]);
    });

    it("a policy selecting other pods does not affect it; an egress rule allowing the API server's address keeps it connected, and only that rule does", async () => {
      const others = Date.now();
      await networking.createNamespacedNetworkPolicy({ namespace, body: policy("others", { matchLabels: { app: "someone-else" } }) as never });
      const unaffected = await attemptsThrough(pod, others, others + 2_500);
      expect(unaffected.length).toBeGreaterThan(5);
      expect(unaffected.every((a) => a.ok)).toBe(true);

      // Allow first, then deny everything else: the union keeps the API server reachable.
      await networking.createNamespacedNetworkPolicy({ namespace, body: policy("allow-api", { matchExpressions: [{ key: "tier", operator: "In", values: ["operator"] }] },
        [{ to: [{ ipBlock: { cidr: `${apiAddress}/32` } }], ports: [{ protocol: "TCP", port: apiPort }] }]) as never });
      const denied = Date.now();
      await networking.createNamespacedNetworkPolicy({ namespace, body: policy("deny-all", {}) as never });
      const kept = await attemptsThrough(pod, denied, denied + 2_500);
      expect(kept.length).toBeGreaterThan(5);
      expect(kept.every((a) => a.ok)).toBe(true);

      // An allow rule for another port does not help: removing the real one cuts the pod off.
      await networking.createNamespacedNetworkPolicy({ namespace, body: policy("allow-wrong-port", { matchLabels: { app: "netprog" } },
        [{ to: [{ ipBlock: { cidr: `${apiAddress}/32` } }], ports: [{ protocol: "TCP", port: 443 }] }]) as never });
      const removed = Date.now();
      await networking.deleteNamespacedNetworkPolicy({ name: "allow-api", namespace });
      const cut = (await attemptsThrough(pod, removed, removed + 3_000)).filter((a) => a.start >= removed + 2_000);
      expect(cut.length).toBeGreaterThan(0);
      expect(cut.every((a) => !a.ok)).toBe(true);

      const cleared = Date.now();
      for (const name of ["deny-all", "allow-wrong-port", "others"]) await networking.deleteNamespacedNetworkPolicy({ name, namespace });
      const back = (await attemptsThrough(pod, cleared, cleared + 3_000)).filter((a) => a.start >= cleared + 2_000);
      expect(back.length).toBeGreaterThan(0);
      expect(back.every((a) => a.ok)).toBe(true);
      // Probes from the node keep working through all of it: the pod stayed Ready.
      const current = (await core.readNamespacedPod({ name: "netprog", namespace })) as PodObject;
      expect(isReady(current)).toBe(true);
      expect(current.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    });
  });

  it("restarts a process that exits with code 1 with growing back-off, and restartCount rises", async () => {
    // A process that exits with code 1 at once (sh starts in a millisecond: the gaps are the back-off).
    await core.createNamespacedPod({ namespace, body: programPod("crasher", {
      annotations: { [BACKOFF_ANNOTATION]: "1s" },
      container: { command: ["sh", "-c", "echo crashing; exit 1"], readinessProbe: undefined },
    }) as never });
    const seen = new Map<number, number>();
    let crashLoopBackOff = false;
    let lastExitCode: number | undefined;
    await waitForPod("restartCount 4 on the crashing pod", (pods) => {
      const status = pods.find((p) => p.metadata?.name === "crasher")?.status?.containerStatuses?.[0];
      if (!status) return undefined;
      if (!seen.has(status.restartCount)) seen.set(status.restartCount, Date.now());
      if (status.state?.waiting?.reason === "CrashLoopBackOff") crashLoopBackOff = true;
      lastExitCode = status.lastState?.terminated?.exitCode ?? lastExitCode;
      return status.restartCount >= 4 ? true : undefined;
    }, 90_000);
    expect(crashLoopBackOff).toBe(true);
    expect(lastExitCode).toBe(1);
    const at = (n: number) => {
      expect(seen.has(n)).toBe(true);
      return seen.get(n)!;
    };
    const gaps = [at(2) - at(1), at(3) - at(2), at(4) - at(3)];
    // 1 s, 2 s, 4 s of back-off.
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]! * 1.5);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]! * 1.5);
    expect(readFileSync(findPodLogFile(lab.dir, namespace, "crasher").file, "utf8").match(/crashing/g)?.length).toBeGreaterThanOrEqual(4);
    const backingOff = await waitForPod("the crashing pod in CrashLoopBackOff", (pods) => pods.find((p) => p.metadata?.name === "crasher"
      && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff" && p.status.containerStatuses[0].restartCount >= 4), 30_000);
    expect(isReady(backingOff)).toBe(false);
    expect(backingOff.status?.phase).toBe("Running");
    expect(backingOff.status?.containerStatuses?.[0]?.state?.waiting?.message).toMatch(/^back-off \d+s restarting failed container=main/);
    await core.deleteNamespacedPod({ name: "crasher", namespace, gracePeriodSeconds: 0 });
  });

  it("keeps exactly one process per pod after the runner is killed and restarted, and kills processes of pods deleted meanwhile", async () => {
    await core.createNamespacedPod({ namespace, body: programPod("survivor") as never });
    await core.createNamespacedPod({ namespace, body: programPod("orphan") as never });
    const survivor = await readyPod("survivor");
    const orphan = await readyPod("orphan");
    const survivorPid = pidOf(survivor);
    const orphanPid = pidOf(orphan);

    const runnerPid = (await recordedPids(lab.dir)).get("runner");
    expect(runnerPid).toBeDefined();
    process.kill(runnerPid!, "SIGKILL");
    await waitForExit(runnerPid!, 5_000);
    expect(isAlive(survivorPid)).toBe(true);
    // Removed from the API while no runner watches: its process is left over.
    await core.deleteNamespacedPod({ name: "orphan", namespace, gracePeriodSeconds: 0 });
    await podGone(orphan.metadata!.uid!);
    expect(isAlive(orphanPid)).toBe(true);

    await startProcessRunner(lab);
    expect(processesOf(survivor.metadata!.uid!)).toEqual([survivorPid]);
    await waitForExit(orphanPid, 5_000);
    expect(processesOf(orphan.metadata!.uid!)).toEqual([]);
    // Still Ready and managed: deleting it stops the adopted process.
    const current = (await core.readNamespacedPod({ name: "survivor", namespace })) as PodObject;
    expect(isReady(current)).toBe(true);
    expect(pidOf(current)).toBe(survivorPid);
    await core.deleteNamespacedPod({ name: "survivor", namespace });
    await waitForExit(survivorPid, 5_000);
    await podGone(survivor.metadata!.uid!);
  });
});

describe("lab down and the process runner", () => {
  const name = `runner-down-${process.pid}`;
  afterAll(async () => {
    await labDown(name);
  });

  it("stops the runner's pod processes and removes their namespaces, veths and nftables table, also after the runner was killed", async () => {
    const other: LabState = await labUp({ name });
    if (!(await recordedPids(other.dir)).has("runner")) await startProcessRunner(other);
    const otherConfig = new KubeConfig();
    otherConfig.loadFromFile(other.kubeconfig);
    const otherCore = otherConfig.makeApiClient((await import("@kubernetes/client-node")).CoreV1Api);
    await otherCore.createNamespace({ body: { metadata: { name: "down-test" } } });
    await defaultServiceAccount(otherConfig, "down-test");
    await otherCore.createNamespacedPod({ namespace: "down-test", body: programPod("victim") as never });
    const pod = await watchUntil(otherConfig, { path: "/api/v1/namespaces/down-test/pods", timeoutMs: 60_000, what: "victim Ready" },
      (pods) => [...pods.values()].find((p) => isReady(p as PodObject)) as PodObject | undefined);
    const pid = pidOf(pod);
    const network = await runnerNetwork(other.dir);
    expect(network).toBeDefined();
    const netnsBefore = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    expect(netnsBefore).toContain(network!.netnsPrefix);
    expect(execFileSync("nft", ["list", "tables"], { encoding: "utf8" })).toContain(network!.table);

    const runnerPid = (await recordedPids(other.dir)).get("runner")!;
    process.kill(runnerPid, "SIGKILL");
    await waitForExit(runnerPid, 5_000);
    expect(isAlive(pid)).toBe(true);

    await labDown(name);
    expect(isAlive(pid)).toBe(false);
    expect(markedPids(other.dir)).toEqual([]);
    expect(existsSync(other.dir)).toBe(false);
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(network!.netnsPrefix);
    expect(execFileSync("ip", ["-br", "link"], { encoding: "utf8" })).not.toMatch(new RegExp(`\\b(${network!.anchor}|oc${network!.index}p\\d+)\\b`));
    expect(execFileSync("nft", ["list", "tables"], { encoding: "utf8" })).not.toContain(network!.table);
    // The lab of the other tests is untouched.
    expect(execFileSync("nft", ["list", "tables"], { encoding: "utf8" })).toContain((await runnerNetwork(lab.dir))!.table);
  });
});
