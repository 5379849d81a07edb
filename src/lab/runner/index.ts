import { existsSync, readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { watchUntil, type KubeObject } from "../../kube/watch.js";
import { isAlive, recordedPids, startComponent, stopProcesses } from "../processes.js";
import type { LabState } from "../state.js";
import { waitFor } from "../wait.js";
import { releaseNetwork, readNetwork, type RunnerNetwork } from "./netns.js";
import { applyNft, renderDeleteTable } from "./nftables.js";
import { PROCESS_NODE_NAME, RUNNER_LABEL, RUNNER_PID_ANNOTATION } from "./node-agent.js";
import { runnerMainPath } from "./process-runner.js";

export { PROCESS_NODE_NAME, PROCESS_NODE_TOLERATION, RUNNER_LABEL } from "./node-agent.js";
export { BACKOFF_ANNOTATION, WORKDIR_ANNOTATION } from "./pod-process.js";
export type { RunnerNetwork } from "./netns.js";

/** The lab component name of the runner (its pid file, its log file). */
export const RUNNER_COMPONENT = "runner";

/**
 * Starts the process runner for the lab — or restarts it: a runner still alive is stopped first,
 * and the new one adopts the running pod processes — and resolves once `lab-process-node` is
 * Ready under this runner.
 */
export async function startProcessRunner(state: LabState, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  const main = runnerMainPath();
  if (!existsSync(main)) {
    throw new Error(`the process runner is not built (${main} is missing): run \`npx tsc -p tsconfig.json\` first`);
  }
  // One runner per lab: a live one is stopped first (its pod processes keep running and are adopted).
  const previous = (await recordedPids(state.dir)).get(RUNNER_COMPONENT);
  if (previous !== undefined && isAlive(previous)) await stopProcesses([previous], 5_000);
  const started = await startComponent(state.dir, RUNNER_COMPONENT, process.execPath, [main, "--lab-dir", state.dir]);
  const config = new KubeConfig();
  config.loadFromFile(state.kubeconfig);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener("abort", abort, { once: true });
  const tail = () => {
    try {
      return readFileSync(started.logFile, "utf8").trimEnd().split("\n").slice(-15).join("\n");
    } catch {
      return "(no log)";
    }
  };
  try {
    await Promise.race([
      watchUntil(config, {
        path: "/api/v1/nodes",
        query: { fieldSelector: `metadata.name=${PROCESS_NODE_NAME}` },
        timeoutMs,
        signal: controller.signal,
        what: `node ${PROCESS_NODE_NAME} to be Ready under the process runner (pid ${started.pid})`,
      }, (nodes) => {
        const node = nodes.get(`/${PROCESS_NODE_NAME}`);
        return node && nodeReady(node) && runnerPid(node) === String(started.pid) ? true : undefined;
      }),
      // The runner exiting (no root, no nft, …) fails fast with its log instead of waiting out the deadline.
      waitFor(() => (isAlive(started.pid) ? undefined : true), { timeoutMs: timeoutMs + 1_000, intervalMs: 200, what: "the runner to exit", signal: controller.signal })
        .then(() => {
          throw new Error(`the process runner exited during start-up:\n${tail()}`);
        }),
    ]);
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.includes("exited during start-up") ? message : `${message}\nrunner log:\n${tail()}`);
  } finally {
    controller.abort();
    options.signal?.removeEventListener("abort", abort);
  }
}

function nodeReady(node: KubeObject): boolean {
  const conditions = (node.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions;
  return conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

function runnerPid(node: KubeObject): string | undefined {
  return (node.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[RUNNER_PID_ANNOTATION];
}

/**
 * Releases what the runner created outside the lab folder: the pods' network namespaces and
 * veths, the lab's nftables table and its address interface. Idempotent; works after the runner
 * was SIGKILLed (names come from <labDir>/runner/network.json or the interface's alias).
 * Call it after the lab's processes are stopped.
 */
export async function releaseRunnerNetwork(labDir: string): Promise<void> {
  await releaseNetwork(labDir, (table) => applyNft(renderDeleteTable(table)));
}

/** The runner's network of a lab (the API server's address for pods, the pod subnet), if it has one. */
export async function runnerNetwork(labDir: string): Promise<RunnerNetwork | undefined> {
  return readNetwork(labDir);
}

/** Node selector that puts a pod on the process node. */
export const PROCESS_NODE_SELECTOR = { [RUNNER_LABEL]: "process" } as const;
