// Playbooks on the lab: a three-step ChaosPlaybook (apply "the new version" with a manifests step, wait for
// its Deployment, then one ConfigDrift experiment against the demo operator) is SIGKILLed in step 3;
// `playbook resume` reverts what the dead step left, skips steps 1 and 2 and finishes step 3 only. A failing step stops the
// playbook with its state on the cluster naming the step, and a plain rerun is refused.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployLlamastack, LLAMASTACK, undeployLlamastack } from "../examples/llamastack/deploy.js";
import { isNotFound, KubeRest } from "../src/kube/rest.js";
import { projectRoot } from "../src/lab/paths.js";
import { runCli, spawnCli } from "./support/cli.js";
import { labClients } from "./support/cluster.js";

const { lab, config } = labClients();
const rest = new KubeRest(config);
const FIXTURES = path.join(projectRoot(), "test", "fixtures", "playbook");
const NS = LLAMASTACK.namespace;
const STATE = ["--state-namespace", NS];
const WINDOWS = ["--stability-window", "2s"];
const configMaps = `/api/v1/namespaces/${NS}/configmaps`;

interface StateDocument { completedSteps: Record<string, { status: string }>; runningStep?: { name: string }; failedStep?: string; failedError?: string }
const readState = async (playbook: string): Promise<StateDocument | undefined> => {
  try {
    const map = await rest.get<{ data: Record<string, string> }>(`${configMaps}/operator-chaos-playbook-${playbook}`);
    return JSON.parse(map.data["state.json"]!) as StateDocument;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
};
const removeQuietly = (objectPath: string) => rest.delete(objectPath).catch((error: unknown) => {
  if (!isNotFound(error)) throw error;
});

beforeAll(async () => {
  await deployLlamastack(lab.kubeconfig);
}, 300_000);

afterAll(async () => {
  await removeQuietly(`/apis/apps/v1/namespaces/${NS}/deployments/playbook-demo`);
  await removeQuietly(`${configMaps}/playbook-demo-settings`);
  await removeQuietly(`${configMaps}/operator-chaos-playbook-playbook-demo`);
  await removeQuietly(`${configMaps}/operator-chaos-playbook-playbook-failing`);
  await undeployLlamastack(lab.kubeconfig);
}, 300_000);

describe("playbook run / resume", () => {
  it("killed in the chaos step, resume reverts its leftover, skips the finished manifests step and completes", async () => {
    const file = path.join(FIXTURES, "playbook.yaml");
    const child = spawnCli(["playbook", "run", file, ...STATE, ...WINDOWS], lab.kubeconfig);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`step 3 never injected its fault:\n${stdout}\n${stderr}`)), 150_000);
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        // The fault is in: the experiment observes. Kill the playbook there (no revert, no report).
        if (/phase Observing/.test(stderr) && child.exitCode === null && !child.killed) {
          child.kill("SIGKILL");
          clearTimeout(timer);
        }
      });
      child.once("close", () => resolve());
    });
    expect(child.signalCode, stderr).toBe("SIGKILL");
    expect(stdout).toMatch(/^\[1\/3\] apply \.+ PASS \(\d+\.\ds\)$/m);
    expect(stdout).toMatch(/^\[2\/3\] settled \.+ PASS \(\d+\.\ds\)$/m);
    expect(stderr).toContain("applied Deployment opendatahub/playbook-demo");
    const dead = await readState("playbook-demo");
    expect(dead?.completedSteps).toEqual({ apply: expect.objectContaining({ status: "completed" }), settled: expect.objectContaining({ status: "completed" }) });
    expect(dead?.runningStep?.name).toBe("chaos");

    const resumed = await runCli(["playbook", "resume", file, ...STATE, ...WINDOWS], lab.kubeconfig);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resume: step "chaos" was interrupted; reverted [1-9]\d* leftover change/);
    expect(resumed.stderr).not.toContain("applied "); // steps 1 and 2 did not run again
    expect(resumed.stdout).toMatch(/^\[1\/3\] apply \.+ SKIP \(completed at .+\)$/m);
    expect(resumed.stdout).toMatch(/^\[2\/3\] settled \.+ SKIP \(completed at .+\)$/m);
    expect(resumed.stdout).toMatch(/^\[3\/3\] chaos \.+ PASS \(\d+\.\ds\)$/m);
    expect(resumed.stderr).toMatch(/PASS {2}llamastack-config-drift \(Resilient/);
    expect(resumed.stdout.trim().split("\n").at(-1)).toBe("Playbook complete: playbook-demo");
    expect(await readState("playbook-demo")).toBeUndefined(); // a finished playbook leaves no state
    const serving = await rest.get<{ data: Record<string, string> }>(`${configMaps}/${LLAMASTACK.configMap}`);
    expect(serving.data[LLAMASTACK.configKey]).not.toContain("invalid://broken");
    const deployment = await rest.get<{ status: { availableReplicas?: number } }>(`/apis/apps/v1/namespaces/${NS}/deployments/playbook-demo`);
    expect(deployment.status.availableReplicas).toBe(1);
  });

  it("a failing step stops the playbook; the state names it; a plain rerun is refused, resume retries that step", async () => {
    const file = path.join(FIXTURES, "failing.yaml");
    const failed = await runCli(["playbook", "run", file, ...STATE], lab.kubeconfig);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^\[1\/2\] install \.+ FAIL/m);
    expect(failed.stdout).not.toContain("never");
    expect(failed.stderr).toContain("is a kustomization: render it first");
    const state = await readState("playbook-failing");
    expect(state?.failedStep).toBe("install");
    expect(state?.failedError).toContain("kustomization");

    const rerun = await runCli(["playbook", "run", file, ...STATE], lab.kubeconfig);
    expect(rerun.code).toBe(1);
    expect(rerun.stderr).toContain('the previous run failed at step "install"');
    expect(rerun.stderr).toContain("--resume-from install");
    const retried = await runCli(["playbook", "resume", file, ...STATE], lab.kubeconfig);
    expect(retried.code).toBe(1);
    expect(retried.stdout).toMatch(/^\[1\/2\] install \.+ FAIL/m);
  });
});
