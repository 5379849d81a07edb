// What each playbook step does on the cluster. Every step gets a deadline and the run's AbortSignal;
// a step reports success with a short output line, or throws with the reason (the runner records it).

import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import type { ClusterAccess } from "../engine/context.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import type { KubeObject } from "../kube/watch.js";
import type { PlaybookStep } from "./playbook.js";

export interface StepContext {
  readonly access: ClusterAccess;
  readonly kubeconfig: KubeConfig;
  /** A kubeconfig file for shell commands (KUBECONFIG), when there is one. */
  readonly kubeconfigFile?: string;
  /** Folder of the playbook file: relative paths in steps are relative to it. */
  readonly baseDir: string;
  readonly allowShell: boolean;
  readonly skipManual: boolean;
  readonly reportDir?: string;
  readonly lockNamespace?: string;
  readonly timeoutMs: number;
  /** Passed to the chaos steps' runs (`--hold`, `--stability-window`). */
  readonly holdMs?: number;
  readonly stabilityWindowMs?: number;
  readonly signal: AbortSignal;
  readonly progress: (line: string) => void;
  /** Knowledge folder the step uses (explicit, else the playbook's default for its position). */
  readonly knowledgeDir?: string;
}

const FIELD_MANAGER = "operator-chaos-playbook";
const DEFAULT_ROLLOUT_MS = 5 * 60_000;

export const resolveFrom = (base: string, file: string) => (path.isAbsolute(file) ? file : path.join(base, file));

async function loadModels(flag: string, dir: string): Promise<OperatorKnowledge[]> {
  const { loadKnowledgeVersion } = await import("./sources.js");
  return (await loadKnowledgeVersion(flag, dir)).models;
}

/** validate-version: every managed resource of the version's models is on the cluster. */
export async function validateVersionStep(step: PlaybookStep, context: StepContext): Promise<string> {
  if (!context.knowledgeDir) throw new Error("no knowledge dir for this step (set knowledgeDir on the step or the playbook)");
  const models = await loadModels("knowledgeDir", context.knowledgeDir);
  const { checkModels } = await import("../preflight/cluster.js");
  const { versionReport } = await import("./version-check.js");
  const report = versionReport(models, await checkModels(context.access, models, undefined, context.signal));
  const summary = `${report.matched}/${report.total} operators match expected state`;
  if (!report.passed) {
    const missing = report.operators.flatMap((status) => [...status.missing, ...status.errors].map((item) => `${status.operator}: ${item}`));
    throw new Error(`${summary}; ${missing.join("; ")}`);
  }
  return summary;
}

/** manifests (ours): server-side apply of a file or folder, then every applied Deployment rolled out. */
export async function manifestsStep(step: PlaybookStep, context: StepContext): Promise<string> {
  const location = resolveFrom(context.baseDir, step.path!);
  if (!existsSync(location)) throw new Error(`manifests path not found: ${location}`);
  const isDir = statSync(location).isDirectory();
  if (isDir && ["kustomization.yaml", "kustomization.yml", "Kustomization"].some((name) => existsSync(path.join(location, name)))) {
    throw new Error(`${location} is a kustomization: render it first (kubectl kustomize ${location} > manifests.yaml) and point path at the result`);
  }
  const files = isDir ? readdirSync(location).filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => path.join(location, name)) : [location];
  const objects: KubeObject[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      const value = document.toJS() as KubeObject | null;
      if (value === null) continue;
      if (typeof value.apiVersion !== "string" || typeof value.kind !== "string" || typeof value.metadata?.name !== "string") {
        throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
      }
      objects.push(value);
    }
  }
  if (objects.length === 0) throw new Error(`no manifests in ${location}`);
  const deadline = Date.now() + (step.timeout ? (await import("../experiment/duration.js")).Duration.parse(step.timeout).milliseconds : DEFAULT_ROLLOUT_MS);
  const remaining = () => Math.max(1_000, deadline - Date.now());
  const deployments: { namespace: string; name: string }[] = [];
  for (const object of objects) {
    const namespace = object.metadata?.namespace as string | undefined;
    const info = await context.access.discovery.resolve(String(object.apiVersion), String(object.kind));
    const objectPath = await context.access.discovery.objectPath(String(object.apiVersion), String(object.kind), String(object.metadata!.name), info.namespaced ? namespace ?? "default" : undefined);
    await context.access.rest.request("PATCH", objectPath, {
      body: object, contentType: "application/apply-patch+yaml", query: { fieldManager: FIELD_MANAGER, force: true }, signal: context.signal,
    });
    context.progress(`  applied ${object.kind} ${namespace ? `${namespace}/` : ""}${object.metadata!.name}`);
    if (object.kind === "Deployment") deployments.push({ namespace: namespace ?? "default", name: String(object.metadata!.name) });
  }
  for (const { namespace, name } of deployments) {
    await context.access.waitForCollection({
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`, fieldSelector: `metadata.name=${name}`,
      timeoutMs: remaining(), signal: context.signal, what: `Deployment ${namespace}/${name} rolled out and Available`,
    }, (found) => (rolledOut(found.get(`${namespace}/${name}`)) ? true : undefined));
  }
  return `applied ${objects.length} object(s), ${deployments.length} Deployment(s) rolled out`;
}

function rolledOut(deployment: KubeObject | undefined): boolean {
  if (!deployment) return false;
  const spec = deployment.spec as { replicas?: number } | undefined;
  const status = deployment.status as { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number; conditions?: { type: string; status: string }[] } | undefined;
  const want = spec?.replicas ?? 1;
  const generation = (deployment.metadata as { generation?: number } | undefined)?.generation ?? 0;
  return (status?.observedGeneration ?? 0) >= generation && (status?.updatedReplicas ?? 0) === want && (status?.replicas ?? 0) === want
    && (status?.availableReplicas ?? 0) === want && (status?.conditions ?? []).some((c) => c.type === "Available" && c.status === "True");
}

/** wait (ours): watch until the object exists (and its condition is True), within the step's timeout. */
export async function waitStep(step: PlaybookStep, context: StepContext): Promise<string> {
  const target = step.waitFor!;
  const timeoutMs = step.timeout ? (await import("../experiment/duration.js")).Duration.parse(step.timeout).milliseconds : DEFAULT_ROLLOUT_MS;
  const collection = await context.access.discovery.collectionPath(target.apiVersion, target.kind, target.namespace);
  const key = `${target.namespace ?? ""}/${target.name}`;
  const what = `${target.kind} ${target.namespace ? `${target.namespace}/` : ""}${target.name}${target.conditionType ? ` ${target.conditionType}=True` : " to exist"}`;
  await context.access.waitForCollection({ path: collection, fieldSelector: `metadata.name=${target.name}`, timeoutMs, signal: context.signal, what }, (objects) => {
    const object = objects.get(key);
    if (!object) return undefined;
    if (!target.conditionType) return true;
    const conditions = (object.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    return conditions.some((c) => c.type === target.conditionType && c.status === "True") ? true : undefined;
  });
  return what.replace(" to exist", " exists");
}

/** Runs one shell command with the playbook's kubeconfig; rejects with its output on a non-zero exit. */
function shell(command: string, context: StepContext): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], {
      cwd: context.baseDir, signal: context.signal, stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...(context.kubeconfigFile ? { KUBECONFIG: context.kubeconfigFile } : {}) },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    const timer = setTimeout(() => child.kill("SIGTERM"), context.timeoutMs);
    child.on("error", (error) => { clearTimeout(timer); reject(error); });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output.trim());
      else reject(new Error(`command failed (exit ${code}): ${command}${output.trim() ? `\n${output.trim().slice(-2000)}` : ""}`));
    });
  });
}

/** kubectl: the step's shell commands (only with --allow-shell), then the optional verify. */
export async function kubectlStep(step: PlaybookStep, context: StepContext): Promise<string> {
  const commands = step.commands ?? [];
  if (commands.length > 0 && !context.allowShell) throw new Error("kubectl step has shell commands: rerun with --allow-shell to run them");
  for (const command of commands) {
    context.progress(`  $ ${command}`);
    await shell(command, context);
  }
  if (!step.verify) return `${commands.length} command(s)`;
  const { apiVersion, kind, namespace, name, labelSelector } = step.verify;
  const collection = await context.access.discovery.collectionPath(apiVersion, kind, namespace);
  const list = await context.access.rest.get<{ items?: KubeObject[] }>(collection, {
    query: { ...(labelSelector ? { labelSelector } : {}), ...(name ? { fieldSelector: `metadata.name=${name}` } : {}) }, signal: context.signal,
  });
  const count = list.items?.length ?? 0;
  if (count === 0) throw new Error(`verify: no ${kind}${name ? ` ${name}` : ""}${namespace ? ` in ${namespace}` : ""}${labelSelector ? ` matching ${labelSelector}` : ""}`);
  return `${commands.length} command(s), verify found ${count} ${kind}`;
}

export const MANUAL_SKIPPED = "manual step skipped (--skip-manual, no autoCheck)";

/** manual: wait for Enter on a terminal; with --skip-manual its autoCheck stands in, or it is skipped. */
export async function manualStep(step: PlaybookStep, context: StepContext): Promise<string> {
  if (context.skipManual) {
    if (!step.autoCheck) return MANUAL_SKIPPED;
    if (!context.allowShell) throw new Error("manual step's autoCheck is a shell command: rerun with --allow-shell");
    await shell(step.autoCheck, context);
    return "autoCheck passed";
  }
  if (!process.stdin.isTTY) throw new Error("a manual step needs a terminal (or --skip-manual)");
  process.stderr.write(`\n${step.description ?? step.name}\nPress Enter when done… `);
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(context.signal.reason as Error);
    context.signal.addEventListener("abort", onAbort, { once: true });
    process.stdin.once("data", () => {
      context.signal.removeEventListener("abort", onAbort);
      process.stdin.pause();
      resolve();
    });
  });
  return "confirmed";
}

/** olm: refused clearly where OLM is not installed; driving Subscriptions is not implemented yet. */
export async function olmStep(_step: PlaybookStep, context: StepContext): Promise<string> {
  const present = await context.access.discovery.resolve("operators.coreos.com/v1alpha1", "Subscription").then(() => true, () => false);
  if (!present) throw new Error("this cluster has no OLM (operators.coreos.com/v1alpha1 Subscription is not served): an olm step cannot run here; upgrade with a manifests step instead");
  throw new Error("OLM is installed, but driving Subscriptions, InstallPlans and CSVs is not implemented in this version of operator-chaos");
}

/** chaos: the step's experiments through the suite runner (runExperiment, journal, reports); a Failed verdict fails the step. */
export async function chaosStep(step: PlaybookStep, context: StepContext): Promise<string> {
  const files = (step.experiments ?? []).map((file) => resolveFrom(context.baseDir, file));
  const knowledgeDir = step.knowledge ? resolveFrom(context.baseDir, step.knowledge) : context.knowledgeDir;
  const knowledge = knowledgeDir ? await loadModels("knowledge", knowledgeDir) : [];
  const { runSuite } = await import("../suite/run-suite.js");
  const outcome = await runSuite({
    files, suiteName: step.name, kubeconfig: context.kubeconfig, knowledge, timeoutMs: context.timeoutMs, signal: context.signal,
    progress: (line) => context.progress(`  ${line}`),
    ...(context.reportDir ? { reportDir: path.join(context.reportDir, step.name) } : {}),
    ...(context.lockNamespace ? { lockNamespace: context.lockNamespace } : {}),
    ...(context.holdMs !== undefined ? { holdMs: context.holdMs } : {}),
    ...(context.stabilityWindowMs !== undefined ? { stabilityWindowMs: context.stabilityWindowMs } : {}),
  });
  for (const entry of outcome.entries) context.progress(`  ${entry.line}`);
  if (outcome.interrupted) throw new Error("interrupted");
  // As the Go tool: Failed (or no verdict at all) fails the step; Degraded and Inconclusive do not.
  const failed = outcome.entries.filter((entry) => {
    const verdict = (entry.report as { evaluation?: { verdict?: string } }).evaluation?.verdict;
    return verdict === "Failed" || verdict === undefined;
  });
  if (failed.length > 0) throw new Error(`${failed.map((entry) => `${entry.name}: ${entry.line}`).join("; ")}`);
  return outcome.entries.map((entry) => `${entry.name} ${(entry.report as { evaluation?: { verdict?: string } }).evaluation?.verdict}`).join(", ");
}
