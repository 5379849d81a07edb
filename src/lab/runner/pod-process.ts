import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, mkdirSync, openSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { LAB_MARKER_ENV } from "../processes.js";
import { commandLine, ContainerConfigError, expand, resolveEnv, type ContainerSpec } from "./env.js";
import { isStatus, kubeTime, type KubeApi } from "./kube-api.js";
import type { Obj } from "./informer.js";
import type { PodSandbox, RunnerNetwork } from "./netns.js";
import { NODE_ALLOCATABLE, PROCESS_NODE_NAME } from "./node-agent.js";
import { ensureServiceAccountMountPoint, kubernetesServiceEnv, withServiceAccountMount } from "./in-cluster.js";
import { PodCredentials } from "./pod-credentials.js";
import {
  alive, kill, killPodProcesses, podLogDir, podStateDir, POD_UID_ENV, readPodRecord, type PodRecord,
} from "./pod-records.js";
import { ProbeLoop, type Probe, type ProbeTarget } from "./probes.js";

export { POD_UID_ENV } from "./pod-records.js";

export const WORKDIR_ANNOTATION = "lab.operator-chaos.io/workdir";
/** Restart back-off base for one pod ("500ms", "2s"); the runner-wide default comes from the environment. */
export const BACKOFF_ANNOTATION = "lab.operator-chaos.io/restart-backoff";
export const BACKOFF_ENV = "OPERATOR_CHAOS_RUNNER_BACKOFF_BASE_MS";
/** The kubelet's: 10 s doubling to 5 min. */
export const DEFAULT_BACKOFF_BASE_MS = 10_000;
const BACKOFF_CAP_FACTOR = 30;

export interface Pod extends Obj {
  spec?: {
    nodeName?: string;
    serviceAccountName?: string;
    restartPolicy?: string;
    hostNetwork?: boolean;
    terminationGracePeriodSeconds?: number;
    containers?: Array<ContainerSpec & { readinessProbe?: Probe; livenessProbe?: Probe; startupProbe?: Probe; terminationGracePeriodSeconds?: number }>;
    volumes?: Array<{ projected?: { sources?: Array<{ serviceAccountToken?: { audience?: string; expirationSeconds?: number; path?: string } }> } }>;
  };
  status?: {
    phase?: string;
    startTime?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
    containerStatuses?: Array<{ name: string; restartCount?: number; ready?: boolean; lastState?: { terminated?: Terminated } }>;
  };
}

interface Terminated {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID?: string;
}

interface RunningProcess {
  pid: number;
  child?: ChildProcess;
  startedAt: Date;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; known: boolean }>;
  stopWatching: () => void;
}

/** What a worker needs from the runner. */
export interface RunnerServices {
  labDir: string;
  api: KubeApi;
  network: RunnerNetwork;
  caFile: string;
  projectRoot: string;
  probeClient: string;
  backoffBaseMs: number;
  log(line: string): void;
  /** Allocates the pod's namespace and veth and has the firewall rules for it applied. */
  acquireSandbox(worker: PodWorker): Promise<PodSandbox>;
  /** Re-registers a namespace a previous runner created; undefined when it is gone. */
  adoptSandbox(worker: PodWorker, slot: number): Promise<PodSandbox | undefined>;
  releaseSandbox(worker: PodWorker): Promise<void>;
  /** Called once the worker is done (pod gone and cleaned up). */
  finished(worker: PodWorker): void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

export function parseDurationMs(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  return Math.round(match[2] === "ms" ? value : match[2] === "m" ? value * 60_000 : value * 1000);
}

/** The kubelet's CrashLoopBackOff: the first restart at once, then base, 2×base, … up to 30×base. */
export function backoffDelayMs(restartIndex: number, baseMs: number): number {
  if (restartIndex <= 0) return 0;
  return Math.min(baseMs * 2 ** (restartIndex - 1), baseMs * BACKOFF_CAP_FACTOR);
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${m}m${rest}s` : `${m}m0s`;
}

function findExecutable(command: string, pathVar: string, cwd: string): string | undefined {
  const candidates = command.includes("/") ? [isAbsolute(command) ? command : resolve(cwd, command)]
    : pathVar.split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Exec probe commands get $(VAR) expansion from the container's plain `value` variables, as the
 * kubelet does (ExpandContainerCommandOnlyStatic).
 */
function withExpandedProbes<T extends ContainerSpec & { readinessProbe?: Probe; livenessProbe?: Probe; startupProbe?: Probe }>(container: T): T {
  const statics = new Map<string, string>();
  for (const variable of container.env ?? []) if (variable.value !== undefined && !variable.valueFrom) statics.set(variable.name, expand(variable.value, statics));
  const expandProbe = (probe: Probe | undefined): Probe | undefined =>
    probe?.exec?.command ? { ...probe, exec: { command: probe.exec.command.map((part) => expand(part, statics)) } } : probe;
  return {
    ...container,
    readinessProbe: expandProbe(container.readinessProbe),
    livenessProbe: expandProbe(container.livenessProbe),
    startupProbe: expandProbe(container.startupProbe),
  };
}

/**
 * One pod on the process node, for as long as it lives: its network namespace, its first
 * container as a local process (restarted per restartPolicy with back-off), its probes, its
 * ServiceAccount kubeconfig, its status in the API, and its termination.
 */
export class PodWorker {
  pod: Pod;
  readonly uid: string;
  sandbox: PodSandbox | undefined;
  private proc: RunningProcess | undefined;
  private restartCount = 0;
  private backoffIndex = 0;
  private lastTerminated: Terminated | undefined;
  private waiting: { reason: string; message: string } | undefined;
  private everStarted = false;
  private terminal: "Succeeded" | "Failed" | undefined;
  private readiness: ProbeLoop | undefined;
  private liveness: ProbeLoop | undefined;
  private startup: ProbeLoop | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly credentials: PodCredentials;
  private terminating = false;
  private killDeadline = Number.POSITIVE_INFINITY;
  private objectGone = false;
  private finishedFlag = false;
  private chain: Promise<void> = Promise.resolve();
  private transitions = new Map<string, { status: string; time: string }>();
  private statusInFlight = false;
  private statusDirty = false;
  private startTime: string | undefined;

  constructor(pod: Pod, private readonly services: RunnerServices) {
    this.pod = pod;
    this.credentials = new PodCredentials(services.api, services.network, services.caFile, services.labDir, () => this.pod,
      (line) => this.log(line));
    this.uid = pod.metadata?.uid ?? "";
    const status = pod.status?.containerStatuses?.[0];
    this.restartCount = status?.restartCount ?? 0;
    this.lastTerminated = status?.lastState?.terminated;
    this.startTime = pod.status?.startTime;
    for (const condition of pod.status?.conditions ?? []) {
      if (condition.lastTransitionTime) this.transitions.set(condition.type, { status: condition.status, time: condition.lastTransitionTime });
    }
  }

  get namespace(): string {
    return this.pod.metadata?.namespace ?? "";
  }

  get name(): string {
    return this.pod.metadata?.name ?? "";
  }

  get container() {
    return this.pod.spec?.containers?.[0] ?? { name: "main" };
  }

  get hostNetwork(): boolean {
    return this.pod.spec?.hostNetwork === true;
  }

  get podIp(): string | undefined {
    return this.hostNetwork ? this.services.network.apiServerAddress : this.sandbox?.podIp;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private log(line: string): void {
    this.services.log(`pod ${this.namespace}/${this.name} (${this.uid.slice(0, 8)}): ${line}`);
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: Error) => this.log(`error: ${error.stack ?? error.message}`));
  }

  /** Starts (or adopts) the pod. `running` are live processes already carrying this pod's UID. */
  begin(running: number[]): void {
    this.enqueue(async () => {
      if (this.pod.metadata?.deletionTimestamp) {
        if (running.length > 0) killPodProcesses(this.services.labDir, this.uid);
        await this.terminateNow();
        return;
      }
      const phase = this.pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed") {
        this.terminal = phase;
        if (running.length > 0) killPodProcesses(this.services.labDir, this.uid);
        return;
      }
      if (running.length > 0 && (await this.adopt(running))) return;
      if (running.length > 0) killPodProcesses(this.services.labDir, this.uid);
      await this.launch();
    });
  }

  /** A newer version of the pod object. */
  update(pod: Pod): void {
    this.pod = pod;
    const deletion = pod.metadata?.deletionTimestamp;
    if (!deletion) return;
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    this.beginTermination(grace);
  }

  /** The pod object is gone from the API (force-deleted, or deleted while we were away). */
  deleted(): void {
    this.objectGone = true;
    this.beginTermination(0);
  }

  private beginTermination(graceSeconds: number): void {
    const deadline = Date.now() + Math.max(0, graceSeconds) * 1000;
    if (this.terminating) {
      // A second delete with a shorter grace period shortens the wait, as with the kubelet.
      this.killDeadline = Math.min(this.killDeadline, deadline);
      return;
    }
    this.terminating = true;
    this.killDeadline = deadline;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopProbes();
    // Not queued behind a pending launch's wait: killing starts now; the queue finalizes.
    const killing = this.killProcess(graceSeconds);
    this.enqueue(async () => {
      await killing;
      await this.terminateNow();
    });
  }

  private async killProcess(graceSeconds: number): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    if (graceSeconds > 0) {
      this.log(`stopping pid ${proc.pid}: SIGTERM, grace period ${graceSeconds}s`);
      this.event("Normal", "Killing", `Stopping container ${this.container.name}`);
      kill(proc.pid, "SIGTERM");
      while (alive(proc.pid) && Date.now() < this.killDeadline) {
        await Promise.race([proc.exited, new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, this.killDeadline - Date.now()))))]);
      }
    }
    if (alive(proc.pid)) {
      this.log(`pid ${proc.pid}: SIGKILL`);
      kill(proc.pid, "SIGKILL", true);
      kill(proc.pid, "SIGKILL");
    }
    await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 5_000))]);
  }

  /** After the process is gone: release everything and remove the pod object. */
  private async terminateNow(): Promise<void> {
    if (this.finishedFlag) return;
    this.stopProbes();
    this.credentials.stop();
    this.proc?.stopWatching();
    this.proc = undefined;
    killPodProcesses(this.services.labDir, this.uid);
    await this.services.releaseSandbox(this);
    await rm(podStateDir(this.services.labDir, this.uid), { recursive: true, force: true });
    if (!this.objectGone) {
      try {
        await this.services.api.request("DELETE", `/api/v1/namespaces/${this.namespace}/pods/${this.name}`, {
          body: { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid: this.uid } },
        });
      } catch (error) {
        if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
      }
    }
    this.log("terminated and removed");
    this.finishedFlag = true;
    this.services.finished(this);
  }

  private stopProbes(): void {
    for (const loop of [this.readiness, this.liveness, this.startup]) loop?.stop();
    this.readiness = this.liveness = this.startup = undefined;
  }

  private async writeRecord(): Promise<void> {
    const dir = podStateDir(this.services.labDir, this.uid);
    await mkdir(dir, { recursive: true });
    const record: PodRecord = {
      uid: this.uid, namespace: this.namespace, name: this.name,
      ...(this.sandbox ? { slot: this.sandbox.slot } : {}),
      ...(this.proc ? { pid: this.proc.pid, startedAt: this.proc.startedAt.toISOString() } : {}),
    };
    await writeFile(join(dir, "record.json.tmp"), `${JSON.stringify(record)}\n`);
    await rename(join(dir, "record.json.tmp"), join(dir, "record.json"));
  }

  /** Takes over a process a previous runner started; false when it cannot be identified. */
  private async adopt(running: number[]): Promise<boolean> {
    const record = await readPodRecord(this.services.labDir, this.uid);
    if (!record?.pid || !running.includes(record.pid) || !alive(record.pid)) return false;
    if (!this.hostNetwork) {
      if (record.slot === undefined) return false;
      this.sandbox = await this.services.adoptSandbox(this, record.slot);
      if (!this.sandbox) return false;
    }
    this.everStarted = true;
    this.proc = this.watchAdopted(record.pid, record.startedAt ? new Date(record.startedAt) : new Date());
    await this.credentials.ensure();
    this.log(`adopted running pid ${record.pid}`);
    const wasReady = this.pod.status?.containerStatuses?.[0]?.ready === true;
    this.startProbes(this.proc, wasReady);
    this.pushStatus();
    return true;
  }

  private watchAdopted(pid: number, startedAt: Date): RunningProcess {
    let timer: NodeJS.Timeout | undefined;
    let stop = () => {};
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; known: boolean }>((resolveExit) => {
      // Not our child: no exit event. Check /proc twice a second.
      const check = () => {
        if (!alive(pid)) resolveExit({ code: null, signal: null, known: false });
        else timer = setTimeout(check, 500);
      };
      stop = () => timer && clearTimeout(timer);
      check();
    });
    const proc: RunningProcess = { pid, startedAt, exited, stopWatching: () => stop() };
    void exited.then((exit) => this.enqueue(() => this.onExit(proc, exit)));
    return proc;
  }

  private backoffBase(): number {
    return parseDurationMs(this.pod.metadata?.annotations?.[BACKOFF_ANNOTATION]) ?? this.services.backoffBaseMs;
  }

  private scheduleRetry(reason: string, message: string): void {
    this.waiting = { reason, message };
    this.pushStatus();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.enqueue(() => this.launch()), Math.min(this.backoffBase(), 10_000));
  }

  private async launch(): Promise<void> {
    if (this.terminating || this.proc || this.terminal) return;
    const container = this.container;
    if (!this.hostNetwork && !this.sandbox) {
      if (!this.waiting) {
        this.waiting = { reason: "ContainerCreating", message: "" };
        this.pushStatus();
      }
      try {
        this.sandbox = await this.services.acquireSandbox(this);
      } catch (error) {
        this.event("Warning", "FailedCreatePodSandBox", (error as Error).message);
        this.scheduleRetry("ContainerCreating", `creating the pod's network: ${(error as Error).message}`);
        return;
      }
      if (this.terminating) return;
    }
    let kubeconfig: string | undefined;
    try {
      kubeconfig = await this.credentials.ensure();
    } catch (error) {
      this.event("Warning", "FailedMount", `minting the ServiceAccount token: ${(error as Error).message}`);
      this.scheduleRetry("ContainerCreating", `minting the ServiceAccount token: ${(error as Error).message}`);
      return;
    }
    const cwd = this.workdir();
    const serviceEnv = kubernetesServiceEnv(!this.hostNetwork, this.services.network.apiServerPort);
    let env: Map<string, string>;
    let argv: string[];
    let processEnv: Record<string, string>;
    try {
      env = await resolveEnv({
        predefined: new Map(Object.entries(serviceEnv)),
        pod: this.pod,
        container,
        podIp: this.podIp ?? "",
        hostIp: this.services.network.apiServerAddress,
        nodeAllocatable: NODE_ALLOCATABLE,
        configMap: (name) => this.services.api.getOptional(`/api/v1/namespaces/${this.namespace}/configmaps/${name}`),
        secret: (name) => this.services.api.getOptional(`/api/v1/namespaces/${this.namespace}/secrets/${name}`),
      });
      processEnv = {
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        HOSTNAME: this.name,
        ...(process.env.LANG ? { LANG: process.env.LANG } : {}),
        ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
        ...serviceEnv,
        ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
        ...Object.fromEntries(env),
        [LAB_MARKER_ENV]: this.services.labDir,
        [POD_UID_ENV]: this.uid,
      };
      // $(VAR) in command and args may name any variable the process gets, KUBECONFIG included.
      argv = commandLine(container, new Map(Object.entries(processEnv)));
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) throw error;
      this.event("Warning", "Failed", `Error: ${error.message}`);
      this.scheduleRetry("CreateContainerConfigError", error.message);
      return;
    }
    if (this.terminating) return;
    const executable = findExecutable(argv[0] ?? "", processEnv.PATH ?? "", cwd);
    const now = new Date();
    if (!executable) {
      // The kubelet's StartError: the container could not start; it counts as a failed run.
      const message = `exec: "${argv[0]}": executable file not found in $PATH or not executable (cwd ${cwd})`;
      this.event("Warning", "Failed", `Error: ${message}`);
      this.proc = undefined;
      await this.afterExit({ exitCode: 128, reason: "StartError", message, startedAt: kubeTime(now), finishedAt: kubeTime(now) }, 0);
      return;
    }
    const logDir = podLogDir(this.services.labDir, this.namespace, this.name, this.uid);
    mkdirSync(logDir, { recursive: true });
    const log = openSync(join(logDir, `${container.name ?? "main"}.log`), "a");
    let child: ChildProcess;
    try {
      // The ServiceAccount volume where InClusterConfig looks, in the pod's own mount namespace.
      const accountDir = this.credentials.serviceAccountDir;
      if (accountDir) ensureServiceAccountMountPoint();
      const program = accountDir ? withServiceAccountMount(argv, accountDir) : argv;
      const [command, ...args] = this.sandbox ? ["ip", "netns", "exec", this.sandbox.netns, ...program] : program;
      child = spawn(command ?? "", args, { cwd, env: processEnv, detached: true, stdio: ["ignore", log, log] });
      await new Promise<void>((resolveSpawn, reject) => {
        child.once("spawn", resolveSpawn);
        child.once("error", reject);
      });
    } catch (error) {
      this.scheduleRetry("RunContainerError", (error as Error).message);
      return;
    } finally {
      closeSync(log); // the child has its own copy
    }
    child.unref();
    child.on("error", (error) => this.log(`process error: ${error.message}`));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; known: boolean }>((resolveExit) => {
      child.once("exit", (code, signal) => resolveExit({ code, signal, known: true }));
    });
    const proc: RunningProcess = { pid: child.pid ?? 0, child, startedAt: now, exited, stopWatching: () => {} };
    this.proc = proc;
    this.waiting = undefined;
    this.everStarted = true;
    this.startTime ??= kubeTime(now);
    await this.writeRecord();
    this.log(`started pid ${proc.pid}: ${argv.join(" ")}`);
    this.event("Normal", "Started", `Started container ${container.name} as local process ${proc.pid}`);
    void exited.then((exit) => this.enqueue(() => this.onExit(proc, exit)));
    this.startProbes(proc, false);
    this.pushStatus();
  }

  private workdir(): string {
    const annotated = this.pod.metadata?.annotations?.[WORKDIR_ANNOTATION];
    return annotated ? resolve(this.services.projectRoot, annotated) : this.services.projectRoot;
  }

  private probeTarget(): ProbeTarget {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      [LAB_MARKER_ENV]: this.services.labDir,
      [POD_UID_ENV]: this.uid,
      ...(this.credentials.kubeconfigPath ? { KUBECONFIG: this.credentials.kubeconfigPath } : {}),
    };
    return {
      podIp: this.podIp ?? "127.0.0.1",
      netns: this.sandbox?.netns,
      ports: this.container.ports ?? [],
      env,
      cwd: this.workdir(),
      probeClient: this.services.probeClient,
    };
  }

  private startProbes(proc: RunningProcess, initiallyReady: boolean): void {
    const container = withExpandedProbes(this.container);
    const target = this.probeTarget();
    const current = () => this.proc === proc && !this.terminating;
    const startOthers = () => {
      if (container.readinessProbe) {
        this.readiness = new ProbeLoop("readiness", container.readinessProbe, target, (ok, message) => {
          if (!current()) return;
          if (!ok) this.event("Warning", "Unhealthy", `Readiness probe failed: ${message}`);
          this.pushStatus();
        });
        if (initiallyReady) this.readiness.result = true;
        this.readiness.start();
      }
      if (container.livenessProbe) {
        this.liveness = new ProbeLoop("liveness", container.livenessProbe, target, (ok, message) => {
          if (!current() || ok) return;
          this.event("Warning", "Unhealthy", `Liveness probe failed: ${message}`);
          this.log(`liveness probe failed (${message}); restarting the container`);
          void this.restartUnhealthy(proc, container.livenessProbe);
        });
        this.liveness.start();
      }
    };
    if (container.startupProbe && !initiallyReady) {
      this.startup = new ProbeLoop("startup", container.startupProbe, target, (ok, message) => {
        if (!current()) return;
        if (ok) {
          this.startup?.stop();
          this.startup = undefined;
          startOthers();
        } else {
          this.event("Warning", "Unhealthy", `Startup probe failed: ${message}`);
          void this.restartUnhealthy(proc, container.startupProbe);
        }
        this.pushStatus();
      });
      this.startup.start();
    } else {
      startOthers();
    }
  }

  private async restartUnhealthy(proc: RunningProcess, probe: Probe | undefined): Promise<void> {
    const grace = (probe as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds
      ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
    kill(proc.pid, "SIGTERM");
    const deadline = Date.now() + grace * 1000;
    while (alive(proc.pid) && Date.now() < deadline) await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 100))]);
    if (alive(proc.pid)) kill(proc.pid, "SIGKILL", true);
  }

  private async onExit(proc: RunningProcess, exit: { code: number | null; signal: NodeJS.Signals | null; known: boolean }): Promise<void> {
    proc.stopWatching();
    if (this.proc !== proc) return;
    this.stopProbes();
    this.proc = undefined;
    if (this.terminating) return; // termination finishes the pod
    // The container is gone: so is everything it started (the kubelet kills the whole cgroup).
    killPodProcesses(this.services.labDir, this.uid);
    const finishedAt = new Date();
    const signalNumber = exit.signal ? SIGNAL_NUMBERS[exit.signal] ?? 0 : 0;
    const terminated: Terminated = !exit.known
      ? { exitCode: 137, reason: "ContainerStatusUnknown", message: "the process ended while the runner was not its parent: its exit code is unknown", startedAt: kubeTime(proc.startedAt), finishedAt: kubeTime(finishedAt) }
      : {
        exitCode: exit.code ?? 128 + signalNumber,
        ...(exit.signal ? { signal: signalNumber } : {}),
        reason: exit.code === 0 ? "Completed" : "Error",
        startedAt: kubeTime(proc.startedAt),
        finishedAt: kubeTime(finishedAt),
      };
    terminated.containerID = `process://${proc.pid}`;
    this.log(`pid ${proc.pid} exited (${exit.known ? exit.signal ?? `code ${exit.code}` : "unknown status"})`);
    await this.afterExit(terminated, finishedAt.getTime() - proc.startedAt.getTime());
  }

  /** Restart per restartPolicy with back-off, or finish the pod. */
  private async afterExit(terminated: Terminated, ranMs: number): Promise<void> {
    this.lastTerminated = terminated;
    const policy = this.pod.spec?.restartPolicy ?? "Always";
    const restart = policy === "Always" || (policy === "OnFailure" && terminated.exitCode !== 0);
    if (!restart) {
      this.terminal = terminated.exitCode === 0 ? "Succeeded" : "Failed";
      this.waiting = undefined;
      this.pushStatus();
      this.credentials.stop();
      return;
    }
    const base = this.backoffBase();
    // A container that ran for twice the maximum back-off starts over (the kubelet forgets after 10 min).
    if (ranMs >= 2 * base * BACKOFF_CAP_FACTOR) this.backoffIndex = 0;
    const delay = backoffDelayMs(this.backoffIndex, base);
    this.backoffIndex += 1;
    const relaunch = () => {
      this.restartTimer = undefined;
      if (this.terminating) return;
      this.restartCount += 1;
      this.waiting = undefined;
      void this.launch();
    };
    if (delay === 0) {
      relaunch();
      return;
    }
    const message = `back-off ${formatDuration(delay)} restarting failed container=${this.container.name} pod=${this.name}_${this.namespace}(${this.uid})`;
    this.waiting = { reason: "CrashLoopBackOff", message };
    this.event("Warning", "BackOff", `Back-off restarting failed container ${this.container.name} in pod ${this.name}_${this.namespace}(${this.uid})`);
    this.pushStatus();
    this.restartTimer = setTimeout(() => this.enqueue(async () => relaunch()), delay);
  }

  private ready(): boolean {
    if (!this.proc || this.terminating) return false;
    if (this.startup) return false;
    return this.readiness ? this.readiness.result : true;
  }

  private started(): boolean {
    return Boolean(this.proc) && !this.startup;
  }

  private condition(type: string, status: string, now: string, reason?: string, message?: string) {
    const previous = this.transitions.get(type);
    const time = previous && previous.status === status ? previous.time : now;
    this.transitions.set(type, { status, time });
    // Conditions merge by type in a strategic merge patch: null removes an old reason/message.
    return { type, status, lastProbeTime: null, lastTransitionTime: time, reason: reason ?? null, message: message ?? null };
  }

  /** The pod's status as a kubelet would report it now. */
  private status(): Record<string, unknown> {
    const now = kubeTime();
    const container = this.container;
    const ready = this.ready();
    const phase = this.terminal ?? (this.everStarted ? "Running" : "Pending");
    const notReady = ready ? {} : { reason: this.terminal ? "PodCompleted" : "ContainersNotReady", message: this.terminal ? "" : `containers with unready status: [${container.name}]` };
    const conditions = [
      this.condition("PodReadyToStartContainers", this.sandbox || this.hostNetwork ? "True" : "False", now),
      this.condition("Initialized", "True", now),
      this.condition("ContainersReady", ready ? "True" : "False", now, notReady.reason, notReady.message || undefined),
      this.condition("Ready", ready ? "True" : "False", now, notReady.reason, notReady.message || undefined),
    ];
    let state: Record<string, unknown>;
    if (this.proc) state = { running: { startedAt: kubeTime(this.proc.startedAt) } };
    else if (this.terminal && this.lastTerminated) state = { terminated: this.lastTerminated };
    else state = { waiting: this.waiting ?? { reason: "ContainerCreating" } };
    const lastState = !this.terminal && this.lastTerminated ? { terminated: this.lastTerminated } : {};
    const hostIp = this.services.network.apiServerAddress;
    const podIp = this.podIp;
    return {
      phase,
      hostIP: hostIp,
      hostIPs: [{ ip: hostIp }],
      ...(podIp ? { podIP: podIp, podIPs: [{ ip: podIp }] } : {}),
      ...(this.startTime ? { startTime: this.startTime } : { startTime: now }),
      conditions,
      containerStatuses: [{
        name: container.name,
        image: container.image ?? "",
        imageID: "",
        ...(this.proc ? { containerID: `process://${this.proc.pid}` } : this.lastTerminated?.containerID ? { containerID: this.lastTerminated.containerID } : {}),
        ready,
        started: this.started(),
        restartCount: this.restartCount,
        state,
        lastState,
      }],
    };
  }

  /** Sends the current status; patches coalesce (only the latest state matters). */
  pushStatus(): void {
    if (this.finishedFlag) return;
    if (this.statusInFlight) {
      this.statusDirty = true;
      return;
    }
    this.statusInFlight = true;
    void (async () => {
      try {
        do {
          this.statusDirty = false;
          if (this.finishedFlag || this.objectGone) break;
          const status = this.status();
          this.startTime ??= status.startTime as string;
          try {
            await this.services.api.request("PATCH", `/api/v1/namespaces/${this.namespace}/pods/${this.name}/status`, {
              body: { metadata: { uid: this.uid }, status }, patch: "strategic",
            });
          } catch (error) {
            if (isStatus(error, 404) || isStatus(error, 409)) break; // gone, or a new pod of that name
            this.log(`status update failed: ${(error as Error).message}`);
            await new Promise((r) => setTimeout(r, 500));
            this.statusDirty = true;
          }
        } while (this.statusDirty);
      } finally {
        this.statusInFlight = false;
      }
    })();
  }

  private event(type: "Normal" | "Warning", reason: string, message: string): void {
    const now = kubeTime();
    void this.services.api.request("POST", `/api/v1/namespaces/${this.namespace}/events`, {
      body: {
        apiVersion: "v1", kind: "Event",
        metadata: { generateName: `${this.name}.`, namespace: this.namespace },
        involvedObject: {
          apiVersion: "v1", kind: "Pod", namespace: this.namespace, name: this.name, uid: this.uid,
          fieldPath: `spec.containers{${this.container.name}}`,
        },
        type, reason, message: message.slice(0, 1000),
        source: { component: "kubelet", host: PROCESS_NODE_NAME },
        reportingComponent: "kubelet", reportingInstance: PROCESS_NODE_NAME,
        firstTimestamp: now, lastTimestamp: now, count: 1,
      },
    }).catch(() => {});
  }
}
