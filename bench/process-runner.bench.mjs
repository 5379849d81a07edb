#!/usr/bin/env node
// Benchmark of the lab's process runner (build first: npx tsc -p tsconfig.json). Prints JSON lines
// {name, value, unit, command}: p50/p95 over N tries (default 20) of
//   - pod creation → process ready (Ready=True seen by a watch): without a readiness probe, and
//     with an httpGet readiness probe (periodSeconds 1, as the kubelet runs it);
//   - pod creation → process running (the runner reported its pid);
//   - NetworkPolicy creation → enforcement (the pod's API calls start failing), and
//     NetworkPolicy deletion → restored (they succeed again), measured by a pod program that
//     calls the API server every 10 ms with a 150 ms timeout (first failing / first succeeding attempt
//     started after the change; resolution ~20 ms for enforcement, ~160 ms for restoration).
// Usage: node bench/process-runner.bench.mjs [--lab NAME] [--tries N]
//   --lab NAME uses a running lab; without it a lab is started for the run and removed after.
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig, NetworkingV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { watchUntil } from "../dist/src/kube/watch.js";
import { labDown } from "../dist/src/lab/down.js";
import { labDir } from "../dist/src/lab/paths.js";
import { recordedPids } from "../dist/src/lab/processes.js";
import { PROCESS_NODE_SELECTOR, PROCESS_NODE_TOLERATION, releaseRunnerNetwork, startProcessRunner } from "../dist/src/lab/runner/index.js";
import { readLabState } from "../dist/src/lab/state.js";
import { labUp } from "../dist/src/lab/up.js";
import { waitFor } from "../dist/src/lab/wait.js";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const tries = Number(option("--tries", "20"));
const labName = option("--lab", undefined);
const command = `node bench/process-runner.bench.mjs${args.length ? ` ${args.join(" ")}` : ""}`;
const progress = (line) => process.stderr.write(`[bench] ${line}\n`);

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

function emit(name, samplesMs) {
  for (const p of [50, 95]) {
    process.stdout.write(`${JSON.stringify({ name: `${name}.p${p}`, value: Math.round(percentile(samplesMs, p)) / 1000, unit: "s", command })}\n`);
  }
}

const ownLab = !labName;
const name = labName ?? `bench-runner-${process.pid}`;
let state;
if (ownLab) {
  progress(`starting lab ${name}…`);
  state = await labUp({ name, progress });
} else {
  state = await readLabState(labDir(name));
  if (!state) throw new Error(`lab ${name} is not up`);
}
try {
  if (!(await recordedPids(state.dir)).has("runner")) {
    progress("the lab has no process runner yet: starting it");
    await startProcessRunner(state);
  }
  const config = new KubeConfig();
  config.loadFromFile(state.kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const rbac = config.makeApiClient(RbacAuthorizationV1Api);
  const networking = config.makeApiClient(NetworkingV1Api);
  const namespace = `bench-${randomBytes(3).toString("hex")}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await watchUntil(config, { path: `/api/v1/namespaces/${namespace}/serviceaccounts`, timeoutMs: 30_000, what: "default SA" },
    (sas) => (sas.has(`${namespace}/default`) ? true : undefined));
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: "list" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }] } });
  await rbac.createNamespacedRoleBinding({ namespace, body: {
    metadata: { name: "list" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "list" },
    subjects: [{ kind: "ServiceAccount", name: "default", namespace }],
  } });

  const pod = (podName, { probe, env = {} }) => ({
    metadata: { name: podName, labels: { app: podName } },
    spec: {
      nodeSelector: { ...PROCESS_NODE_SELECTOR }, tolerations: [{ ...PROCESS_NODE_TOLERATION }],
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: "main", image: "lab/process", command: ["node", "test/fixtures/pod-program.mjs"],
        env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
        ...(probe ? { readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 1 } } : {}),
      }],
    },
  });
  const isReady = (p) => p?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");

  async function startupSamples(probe) {
    const ready = [];
    const running = [];
    for (let i = 0; i < tries; i++) {
      const podName = `start-${probe ? "probe" : "plain"}-${i}`;
      let runningAt;
      const created = Date.now();
      const watching = watchUntil(config, { path: `/api/v1/namespaces/${namespace}/pods`, timeoutMs: 60_000, what: `${podName} Ready` }, (pods) => {
        const p = pods.get(`${namespace}/${podName}`);
        if (!runningAt && p?.status?.containerStatuses?.[0]?.state?.running) runningAt = Date.now();
        return isReady(p) ? Date.now() : undefined;
      });
      await core.createNamespacedPod({ namespace, body: pod(podName, { probe }) });
      const readyAt = await watching;
      ready.push(readyAt - created);
      running.push((runningAt ?? readyAt) - created);
      await core.deleteNamespacedPod({ name: podName, namespace, gracePeriodSeconds: 0 });
    }
    return { ready, running };
  }

  progress(`pod creation → ready, ${tries} tries without and ${tries} with a readiness probe…`);
  const plain = await startupSamples(false);
  const probed = await startupSamples(true);
  emit("runner.pod_create_to_running", [...plain.running, ...probed.running]);
  emit("runner.pod_create_to_ready.no_probe", plain.ready);
  emit("runner.pod_create_to_ready.http_probe_period_1s", probed.ready);

  progress(`NetworkPolicy creation → enforcement and deletion → restored, ${tries} tries…`);
  await core.createNamespacedPod({ namespace, body: pod("net", { env: { LIST_INTERVAL_MS: "10", REQUEST_TIMEOUT_MS: "150" } }) });
  const netPod = await watchUntil(config, { path: `/api/v1/namespaces/${namespace}/pods`, timeoutMs: 60_000, what: "net Ready" },
    (pods) => (isReady(pods.get(`${namespace}/net`)) ? pods.get(`${namespace}/net`) : undefined));
  const last = async (since) => (await (await fetch(`http://${netPod.status.podIP}:8080/last?since=${since}`)).json()).attempts;
  const enforce = [];
  const restore = [];
  for (let i = 0; i < tries; i++) {
    // Steady state: recent calls succeed.
    const steady = Date.now();
    await waitFor(async () => {
      const attempts = await last(steady);
      return attempts.length >= 5 && attempts.slice(-5).every((a) => a.ok) ? true : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50, what: "calls to succeed" });
    const created = Date.now();
    await networking.createNamespacedNetworkPolicy({ namespace, body: {
      metadata: { name: "partition" }, spec: { podSelector: { matchLabels: { app: "net" } }, policyTypes: ["Ingress", "Egress"] },
    } });
    const cutAt = await waitFor(async () => {
      const attempts = await last(created);
      const firstFail = attempts.findIndex((a) => !a.ok);
      // Enforced: a failure followed by failures only (at least 3 of them).
      if (firstFail < 0 || attempts.length - firstFail < 3 || attempts.slice(firstFail).some((a) => a.ok)) return undefined;
      return attempts[firstFail].start;
    }, { timeoutMs: 20_000, intervalMs: 50, what: "calls to fail" });
    enforce.push(Math.max(0, cutAt - created));
    const deleted = Date.now();
    await networking.deleteNamespacedNetworkPolicy({ name: "partition", namespace });
    const restoredAt = await waitFor(async () => {
      const attempts = await last(deleted);
      const firstOk = attempts.findIndex((a) => a.ok);
      return firstOk >= 0 ? attempts[firstOk].start : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50, what: "calls to succeed again" });
    restore.push(Math.max(0, restoredAt - deleted));
  }
  emit("runner.policy_create_to_enforced", enforce);
  emit("runner.policy_delete_to_restored", restore);
  progress(`raw (ms): enforce ${JSON.stringify(enforce)} restore ${JSON.stringify(restore)}`);
  progress(`raw (ms): ready(no probe) ${JSON.stringify(plain.ready)} ready(probe) ${JSON.stringify(probed.ready)}`);
  await core.deleteNamespace({ name: namespace });
} finally {
  if (ownLab) {
    progress(`removing lab ${name}`);
    await labDown(name);
    await releaseRunnerNetwork(labDir(name)); // idempotent; for a lab down without the runner's release hook
  }
}
process.exit(0);
