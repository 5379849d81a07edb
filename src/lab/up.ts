import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { ensureLabBinaries, type LabBinaries } from "./binaries.js";
import {
  apiServerArgs, AUDIT_POLICY, auditPolicyFile, controllerManagerArgs, etcdArgs, fakeNode, kwokArgs, kwokConfiguration, schedulerArgs,
  type ComponentName, type LabPorts,
} from "./components.js";
import { httpStatus } from "./health.js";
import { renderKubeconfig } from "./kubeconfig.js";
import { assertLabName, labDir } from "./paths.js";
import { createLabPki, type LabPki } from "./pki.js";
import { freePorts, portIsFree } from "./ports.js";
import { isAlive, markedPids, recordedPids, startComponent, stopProcesses } from "./processes.js";
import { releaseRunnerNetwork, startProcessRunner } from "./runner/index.js";
import { readLabState, writeLabState, type LabState } from "./state.js";
import { waitFor } from "./wait.js";
import { watchUntil, type KubeObject } from "../kube/watch.js";

export interface LabUpOptions {
  name?: string;
  /** Port for the API server; by default a free one. */
  apiServerPort?: number;
  /** Fake nodes managed by KWOK. */
  nodes?: number;
  /** Overall deadline for the cluster to become Ready (binaries already built). */
  timeoutMs?: number;
  progress?: (line: string) => void;
  signal?: AbortSignal;
  /** Environment for the build step (GO, OPERATOR_CHAOS_CACHE); defaults to this process's. */
  buildEnvironment?: NodeJS.ProcessEnv;
  /** Extra components started once the cluster is Ready (the process runner registers here). */
  afterReady?: (lab: LabState) => Promise<void>;
}

export class LabError extends Error {}

/** Starts (or finds already running) the lab `name`; resolves once it is Ready. */
export async function labUp(options: LabUpOptions = {}): Promise<LabState> {
  const name = assertLabName(options.name ?? "default");
  const dir = labDir(name);
  const progress = options.progress ?? (() => {});
  const existing = await readLabState(dir);
  if (existing?.phase === "ready" && (await labIsHealthy(existing))) {
    progress(`lab "${name}" is already up`);
    return existing;
  }
  if (existsSync(dir)) {
    progress(`lab "${name}" has leftovers of an earlier start; removing them`);
    await stopProcesses([...(await recordedPids(dir)).values(), ...markedPids(dir)]);
    await releaseRunnerNetwork(dir);
    await rm(dir, { recursive: true, force: true });
  }
  if (options.apiServerPort !== undefined && !(await portIsFree(options.apiServerPort, "0.0.0.0"))) {
    throw new LabError(`port ${options.apiServerPort} for the API server is already in use; choose another with --port, or omit it to pick a free one`);
  }
  const binaries = await ensureLabBinaries(progress, options.buildEnvironment);
  const started = Date.now();
  try {
    return await startLab(name, dir, binaries, options, progress, started);
  } catch (error) {
    // Leave nothing behind: stop what started, remove the state folder.
    const reason = (error as Error).message;
    await stopProcesses([...(await recordedPids(dir)).values(), ...markedPids(dir)]).catch(() => {});
    await releaseRunnerNetwork(dir).catch(() => {});
    const kept = process.env.OPERATOR_CHAOS_LAB_KEEP_FAILED === "1";
    if (!kept) await rm(dir, { recursive: true, force: true });
    throw new LabError(`lab "${name}" did not start: ${reason}${kept ? ` (logs kept in ${dir}/logs)` : ""}`);
  }
}

async function startLab(
  name: string,
  dir: string,
  binaries: LabBinaries,
  options: LabUpOptions,
  progress: (line: string) => void,
  started: number,
): Promise<LabState> {
  const deadline = started + (options.timeoutMs ?? 120_000);
  const remaining = () => Math.max(1_000, deadline - Date.now());
  const signal = options.signal;
  await mkdir(dir, { recursive: true });
  const [etcdClient, etcdPeer, controllerManager, scheduler, kwokHealth, apiFree] = await freePorts(6);
  const ports: LabPorts = {
    etcdClient: etcdClient!, etcdPeer: etcdPeer!, controllerManager: controllerManager!, scheduler: scheduler!,
    kwokHealth: kwokHealth!, apiServer: options.apiServerPort ?? apiFree!,
  };
  const pki = await createLabPki(join(dir, "pki"));
  const server = `https://127.0.0.1:${ports.apiServer}`;
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(kubeconfig, renderKubeconfig({
    server, caFile: pki.caCert, clientCertFile: pki.adminCert, clientKeyFile: pki.adminKey,
    user: "lab-admin", contextName: `lab-${name}`,
  }), { mode: 0o600 });
  const state: LabState = {
    name, dir, phase: "starting", binariesDir: binaries.dir, ports, server, kubeconfig, caFile: pki.caCert,
    nodes: [], startedAt: new Date(started).toISOString(),
  };
  await writeLabState(state);

  const pids = new Map<ComponentName, number>();
  const start = async (component: ComponentName, command: string, args: string[]) => {
    const process = await startComponent(dir, component, command, args);
    pids.set(component, process.pid);
  };
  // A component that exits while we wait is reported with the end of its log.
  const assertRunning = () => {
    for (const [component, pid] of pids) {
      if (!isAlive(pid)) throw new Error(`${component} exited during start-up:\n${logTail(dir, component)}`);
    }
  };

  progress("starting etcd…");
  await start("etcd", binaries.kube, etcdArgs(dir, ports));
  await waitFor(async () => {
    assertRunning();
    return (await httpStatus(`http://127.0.0.1:${ports.etcdClient}/health`)) === 200;
  }, { timeoutMs: remaining(), intervalMs: 100, what: "etcd to be healthy", signal });

  progress("starting kube-apiserver…");
  await writeFile(auditPolicyFile(dir), AUDIT_POLICY);
  await start("apiserver", binaries.kube, apiServerArgs(dir, ports, pki));
  await waitFor(async () => {
    assertRunning();
    return (await httpStatus(`${server}/readyz`, pki.caCert)) === 200;
  }, { timeoutMs: remaining(), intervalMs: 100, what: "kube-apiserver /readyz", signal });

  progress("starting kube-controller-manager, kube-scheduler and kwok…");
  const kwokConfig = join(dir, "kwok.yaml");
  await writeFile(kwokConfig, kwokConfiguration(readFileSync(binaries.kwokStages, "utf8")));
  await Promise.all([
    start("controller-manager", binaries.kube, controllerManagerArgs(kubeconfig, ports, pki)),
    start("scheduler", binaries.kube, schedulerArgs(kubeconfig, ports)),
    start("kwok", binaries.kwok, kwokArgs(kubeconfig, kwokConfig, ports)),
  ]);

  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const nodeNames = Array.from({ length: options.nodes ?? 1 }, (_, i) => `kwok-node-${i}`);
  for (const node of nodeNames) await core.createNode({ body: fakeNode(node) as never });
  state.nodes = nodeNames;

  progress("waiting for nodes Ready and controllers running…");
  const watchTimeout = remaining();
  await Promise.all([
    watchUntil(config, { path: "/api/v1/nodes", timeoutMs: watchTimeout, signal, what: "fake nodes to be Ready" },
      (nodes) => (nodeNames.every((n) => nodeIsReady(nodes.get(`/${n}`))) ? true : undefined)),
    // The ServiceAccount controller creating `default` shows the controller-manager works.
    watchUntil(config, { path: "/api/v1/namespaces/default/serviceaccounts", timeoutMs: watchTimeout, signal,
      what: "the default ServiceAccount (controller-manager)" }, (sas) => (sas.has("default/default") ? true : undefined)),
    waitFor(async () => {
      assertRunning();
      const [kcm, sched] = await Promise.all([
        httpStatus(`https://127.0.0.1:${ports.controllerManager}/healthz`),
        httpStatus(`https://127.0.0.1:${ports.scheduler}/healthz`),
      ]);
      return kcm === 200 && sched === 200;
    }, { timeoutMs: watchTimeout, intervalMs: 200, what: "controller-manager and scheduler /healthz", signal }),
  ]);
  assertRunning();
  progress("starting the process runner (lab-process-node)…");
  await startProcessRunner(state, { timeoutMs: remaining(), ...(signal ? { signal } : {}) });
  if (options.afterReady) await options.afterReady(state);
  state.phase = "ready";
  state.readyAt = new Date().toISOString();
  state.startSeconds = Math.round((Date.now() - started) / 100) / 10;
  await writeLabState(state);
  return state;
}

function nodeIsReady(node: KubeObject | undefined): boolean {
  const conditions = (node?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
  return conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export function logTail(dir: string, component: string, lines = 20): string {
  try {
    return readFileSync(join(dir, "logs", `${component}.log`), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** True when every recorded component is alive and the API server answers /readyz. */
export async function labIsHealthy(state: LabState): Promise<boolean> {
  const pids = await recordedPids(state.dir);
  if (pids.size === 0 || ![...pids.values()].every(isAlive)) return false;
  return (await httpStatus(`${state.server}/readyz`, state.caFile)) === 200;
}

export type { LabPki };
