import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { projectRoot } from "../paths.js";
import { readLabState } from "../state.js";
import { Informer, type Obj } from "./informer.js";
import { KubeApi } from "./kube-api.js";
import {
  evaluatePodNetwork, type NamespaceObject, type NetworkPolicyObject, type PodObject,
} from "./network-policy.js";
import {
  claimNetwork, createSandbox, deleteSandbox, existingSlots, MAX_SLOTS, sandboxExists, sandboxNames,
  type PodSandbox, type RunnerNetwork,
} from "./netns.js";
import { applyNft, renderDeleteTable, renderRuleset, type PodFilter } from "./nftables.js";
import { NodeAgent, PROCESS_NODE_NAME } from "./node-agent.js";
import { BACKOFF_ENV, DEFAULT_BACKOFF_BASE_MS, PodWorker, type Pod, type RunnerServices } from "./pod-process.js";
import { killPodProcesses, listPodRecords, podProcesses, podStateDir, readPodRecord } from "./pod-records.js";

const run = promisify(execFile);

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function checkPrerequisites(): Promise<void> {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error("the process runner needs root (network namespaces, veth pairs and nftables)");
  }
  for (const [tool, args, hint] of [["ip", ["-V"], "iproute2"], ["nft", ["--version"], "nftables"]] as const) {
    try {
      await run(tool, [...args]);
    } catch {
      throw new Error(`the process runner needs \`${tool}\` (Debian package ${hint})`);
    }
  }
}

/**
 * The process runner: node agent of `lab-process-node`. Pods bound to that node run as local
 * processes (pod-process.ts) in network namespaces of their own, with the NetworkPolicies that
 * select them enforced by nftables on their veths, re-evaluated on every change of policies,
 * pods and namespaces. Runs until `signal` aborts; pod processes outlive it and are adopted
 * by the next runner.
 */
export async function runProcessRunner(labDir: string, signal: AbortSignal): Promise<void> {
  await checkPrerequisites();
  const state = await readLabState(labDir);
  if (!state) throw new Error(`no lab state in ${labDir}`);
  const config = new KubeConfig();
  config.loadFromFile(state.kubeconfig);
  const api = new KubeApi(config);
  const network = await claimNetwork(labDir, state.ports.apiServer, (table) => applyNft(renderDeleteTable(table)));
  log(`network ${network.subnet}: API server for pods at ${network.apiServerAddress}:${network.apiServerPort} (${network.anchorKind} ${network.anchor}), nftables table inet ${network.table}`);
  const runner = new ProcessRunner(labDir, state.caFile, api, config, network, signal);
  await runner.start();
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  runner.stop();
}

class ProcessRunner {
  private readonly workers = new Map<string, PodWorker>();
  private readonly slots = new Map<number, string>();
  private readonly finishedUids = new Set<string>();
  private readonly pods: Informer<Pod>;
  private readonly policies: Informer<NetworkPolicyObject & Obj>;
  private readonly namespaces: Informer<NamespaceObject & Obj>;
  private readonly agent: NodeAgent;
  private readonly services: RunnerServices;
  private lastRuleset = "";
  private requested = 0;
  private applied = 0;
  private applying = false;
  private waiters: Array<{ generation: number; resolve: () => void; reject: (error: Error) => void }> = [];
  private started = false;

  constructor(
    private readonly labDir: string,
    caFile: string,
    api: KubeApi,
    config: KubeConfig,
    private readonly network: RunnerNetwork,
    signal: AbortSignal,
  ) {
    this.pods = new Informer<Pod>(api, "/api/v1/pods", signal, log);
    this.policies = new Informer(api, "/apis/networking.k8s.io/v1/networkpolicies", signal, log);
    this.namespaces = new Informer(api, "/api/v1/namespaces", signal, log);
    this.agent = new NodeAgent(api, network, log);
    const here = dirname(fileURLToPath(import.meta.url));
    const envBase = Number(process.env[BACKOFF_ENV]);
    this.services = {
      labDir,
      api,
      network,
      caFile,
      projectRoot: projectRoot(),
      probeClient: join(here, "probe-client.js"),
      backoffBaseMs: Number.isFinite(envBase) && envBase > 0 ? envBase : DEFAULT_BACKOFF_BASE_MS,
      log,
      acquireSandbox: (worker) => this.acquireSandbox(worker),
      adoptSandbox: (worker, slot) => this.adoptSandbox(worker, slot),
      releaseSandbox: (worker) => this.releaseSandbox(worker),
      finished: (worker) => {
        if (this.workers.get(worker.uid) === worker) this.workers.delete(worker.uid);
        // Late events about a pod we already finished must not start a second worker for it.
        this.finishedUids.add(worker.uid);
        if (this.finishedUids.size > 10_000) this.finishedUids.delete(this.finishedUids.values().next().value as string);
      },
    };
  }

  async start(): Promise<void> {
    // An empty table first: the hooks exist before any pod does.
    await this.applyRuleset(true);
    for (const informer of [this.pods, this.policies, this.namespaces] as Array<Informer<Obj>>) {
      void informer.run();
    }
    await Promise.all([this.pods.synced, this.policies.synced, this.namespaces.synced]);
    const mine = this.pods.list().filter((p) => p.spec?.nodeName === PROCESS_NODE_NAME);
    await this.cleanUpLeftovers(mine);
    const running = podProcesses(this.labDir);
    for (const pod of mine) this.ensureWorker(pod, running.get(pod.metadata?.uid ?? "") ?? []);
    this.pods.on((event, pod) => this.onPod(event, pod));
    this.policies.on(() => this.scheduleNetwork());
    this.namespaces.on(() => this.scheduleNetwork());
    await this.agent.register();
    this.agent.start();
    this.started = true;
    log(`node ${PROCESS_NODE_NAME} registered and Ready; ${mine.length} pod(s) on it`);
  }

  stop(): void {
    this.agent.stop();
  }

  /**
   * After a runner restart: processes of pods that no longer exist are killed, and namespaces
   * and records nobody will adopt are removed, so each pod UID has at most one process.
   */
  private async cleanUpLeftovers(mine: Pod[]): Promise<void> {
    const live = new Set(mine.map((p) => p.metadata?.uid ?? ""));
    const running = podProcesses(this.labDir);
    for (const uid of running.keys()) {
      if (!live.has(uid)) {
        log(`killing the processes of pod ${uid}, which no longer exists: ${killPodProcesses(this.labDir, uid).join(", ")}`);
      }
    }
    const keepSlots = new Set<number>();
    for (const uid of listPodRecords(this.labDir)) {
      const record = await readPodRecord(this.labDir, uid);
      if (live.has(uid) && record?.pid && running.get(uid)?.includes(record.pid) && record.slot !== undefined) {
        keepSlots.add(record.slot);
        continue;
      }
      if (!live.has(uid)) await rm(podStateDir(this.labDir, uid), { recursive: true, force: true });
    }
    for (const slot of await existingSlots(this.network)) {
      if (!keepSlots.has(slot)) await deleteSandbox(this.network, slot);
    }
  }

  private ensureWorker(pod: Pod, running: number[]): PodWorker | undefined {
    const uid = pod.metadata?.uid;
    if (!uid || this.finishedUids.has(uid)) return undefined;
    let worker = this.workers.get(uid);
    if (!worker) {
      worker = new PodWorker(pod, this.services);
      this.workers.set(uid, worker);
      worker.begin(running);
    }
    return worker;
  }

  private onPod(event: "added" | "modified" | "deleted", pod: Pod): void {
    if (pod.spec?.nodeName === PROCESS_NODE_NAME) {
      const uid = pod.metadata?.uid ?? "";
      if (event === "deleted") {
        this.workers.get(uid)?.deleted();
      } else {
        const existing = this.workers.get(uid);
        if (existing) existing.update(pod);
        else this.ensureWorker(pod, podProcesses(this.labDir).get(uid) ?? []);
      }
    }
    this.scheduleNetwork();
  }

  private async acquireSandbox(worker: PodWorker): Promise<PodSandbox> {
    let slot = 0;
    for (let candidate = 1; candidate <= MAX_SLOTS; candidate++) {
      if (!this.slots.has(candidate)) {
        slot = candidate;
        break;
      }
    }
    if (slot === 0) throw new Error(`all ${MAX_SLOTS} pod address slots of the process node are in use`);
    this.slots.set(slot, worker.uid);
    try {
      const sandbox = await createSandbox(this.network, slot);
      worker.sandbox = sandbox;
      // Its firewall rules are in place before its process starts.
      await this.syncNetwork();
      return sandbox;
    } catch (error) {
      this.slots.delete(slot);
      worker.sandbox = undefined;
      await deleteSandbox(this.network, slot);
      throw error;
    }
  }

  private async adoptSandbox(worker: PodWorker, slot: number): Promise<PodSandbox | undefined> {
    if (this.slots.has(slot) && this.slots.get(slot) !== worker.uid) return undefined;
    if (!(await sandboxExists(this.network, slot))) return undefined;
    this.slots.set(slot, worker.uid);
    worker.sandbox = sandboxNames(this.network, slot);
    await this.syncNetwork();
    return worker.sandbox;
  }

  private async releaseSandbox(worker: PodWorker): Promise<void> {
    const sandbox = worker.sandbox;
    if (!sandbox) return;
    worker.sandbox = undefined;
    await this.syncNetwork().catch((error: Error) => log(`updating nftables: ${error.message}`));
    await deleteSandbox(this.network, sandbox.slot);
    if (this.slots.get(sandbox.slot) === worker.uid) this.slots.delete(sandbox.slot);
  }

  private scheduleNetwork(): void {
    if (!this.started && this.workers.size === 0) return;
    void this.syncNetwork().catch((error: Error) => log(`applying NetworkPolicies failed: ${error.message}`));
  }

  /** Resolves once a ruleset computed after this call is in the kernel. Applies coalesce. */
  private syncNetwork(): Promise<void> {
    const generation = ++this.requested;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ generation, resolve, reject }));
    if (!this.applying) void this.applyLoop();
    return done;
  }

  private async applyLoop(): Promise<void> {
    this.applying = true;
    try {
      while (this.applied < this.requested) {
        const generation = this.requested;
        let failure: Error | undefined;
        try {
          await this.applyRuleset(false);
        } catch (error) {
          failure = error as Error;
        }
        this.applied = generation;
        const settled = this.waiters.filter((w) => w.generation <= generation);
        this.waiters = this.waiters.filter((w) => w.generation > generation);
        for (const waiter of settled) (failure ? waiter.reject(failure) : waiter.resolve());
      }
    } finally {
      this.applying = false;
    }
  }

  /** Evaluates every runner pod against the NetworkPolicies and installs the result atomically. */
  private async applyRuleset(force: boolean): Promise<void> {
    const extraPodIps = new Map<string, string[]>();
    for (const worker of this.workers.values()) {
      if (worker.sandbox) extraPodIps.set(worker.uid, [worker.sandbox.podIp]);
    }
    const inputs = {
      policies: this.policies.list(),
      pods: this.pods.list() as PodObject[],
      namespaces: this.namespaces.list(),
      extraPodIps,
    };
    const filters: PodFilter[] = [];
    for (const worker of [...this.workers.values()].sort((a, b) => (a.sandbox?.slot ?? 0) - (b.sandbox?.slot ?? 0))) {
      const sandbox = worker.sandbox;
      if (!sandbox) continue;
      const decision = evaluatePodNetwork(worker.pod as PodObject, inputs);
      filters.push({
        slot: sandbox.slot,
        hostInterface: sandbox.hostInterface,
        podIp: sandbox.podIp,
        nodeIp: sandbox.nodeIp,
        pod: `${worker.namespace}/${worker.name}`,
        egress: decision.egress,
        ingress: decision.ingress,
      });
    }
    const ruleset = renderRuleset(this.network.table, filters);
    if (!force && ruleset === this.lastRuleset) return;
    const started = Date.now();
    await applyNft(ruleset);
    this.lastRuleset = ruleset;
    const summary = filters.map((f) => `${f.pod}: egress ${describeDecision(f.egress)}, ingress ${describeDecision(f.ingress)}`);
    log(`nftables applied in ${Date.now() - started} ms${summary.length ? `: ${summary.join("; ")}` : ""}`);
  }
}

function describeDecision(decision: PodFilter["egress"]): string {
  if (decision === "all") return "open";
  return decision.length === 0 ? "denied" : `${decision.length} rule(s)`;
}

export function runnerMainPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, "main.js");
  if (existsSync(sibling)) return sibling;
  return join(projectRoot(), "dist", "src", "lab", "runner", "main.js");
}
