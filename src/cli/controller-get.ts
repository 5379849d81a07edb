import type { Command } from "commander";

interface GetFlags {
  namespace?: string;
  allNamespaces?: boolean;
  output: string;
  kubeconfig?: string;
  context?: string;
}

class UsageError extends Error {
  override name = "UsageError";
}

interface Item {
  metadata: { name: string; namespace: string; creationTimestamp?: string; finalizers?: string[] };
  spec?: { tier?: number; target?: { operator?: string; component?: string }; injection?: { type?: string } };
  status?: {
    phase?: string; verdict?: string; message?: string; startTime?: string; endTime?: string; cleanupError?: string;
    evaluationResult?: { confidence?: string; recoveryTime?: string; reconcileCycles?: number; deviations?: string[] };
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

const common = (command: Command) => command
  .option("-n, --namespace <namespace>", "namespace (default: the kubeconfig's)")
  .option("-o, --output <format>", "text, json or yaml", "text")
  .option("--kubeconfig <file>", "path to the kubeconfig")
  .option("--context <name>", "kubeconfig context");

/** `get experiments`: results of controller runs, read from the cluster. */
export function registerGetCommand(program: Command): void {
  const get = program.command("get").description("read ChaosExperiment objects from the cluster");
  common(get.command("experiments").alias("experiment").description("list ChaosExperiment objects with phase, verdict, type, tier, target, age")
    .option("-A, --all-namespaces", "every namespace"))
    .action(async (flags: GetFlags) => {
      process.exitCode = await show(undefined, flags);
    });
}

/** `describe experiment NAME`. */
export function registerDescribeCommand(program: Command): void {
  common(program.command("describe").description("describe a ChaosExperiment object: status, evaluation, conditions")
    .argument("<kind>", "experiment").argument("<name>", "the object's name"))
    .action(async (kind: string, name: string, flags: GetFlags) => {
      if (!/^(experiments?|chaosexperiments?|ce|chaos)$/.test(kind)) throw new UsageError(`describe takes "experiment NAME", got "${kind}"`);
      process.exitCode = await show(name, flags);
    });
}

async function show(name: string | undefined, flags: GetFlags): Promise<number> {
  if (!["text", "json", "yaml"].includes(flags.output)) throw new UsageError(`-o must be text, json or yaml, got "${flags.output}"`);
  const { loadKubeConfig } = await import("../kube/client.js");
  const { KubeRest } = await import("../kube/rest.js");
  const { collectionPath } = await import("../controller/objects.js");
  const config = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const namespace = flags.allNamespaces ? undefined : flags.namespace ?? config.getContextObject(config.getCurrentContext())?.namespace ?? "default";
  const rest = new KubeRest(config);
  try {
    const value = name === undefined
      ? await rest.get<{ items: Item[] }>(collectionPath(namespace))
      : await rest.get<Item>(`${collectionPath(namespace)}/${name}`);
    if (flags.output === "json") process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else if (flags.output === "yaml") process.stdout.write((await import("yaml")).stringify(value));
    else process.stdout.write(name === undefined ? table((value as { items: Item[] }).items, namespace === undefined) : describe(value as Item));
    return 0;
  } finally {
    rest.close();
  }
}

function age(since: string | undefined): string {
  if (!since) return "";
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : s < 172800 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86400)}d`;
}

/** As kubectl prints the CRD's printer columns. */
export function table(items: readonly Item[], withNamespace: boolean): string {
  const rows = [[...(withNamespace ? ["NAMESPACE"] : []), "NAME", "PHASE", "VERDICT", "TYPE", "TIER", "TARGET", "AGE"]];
  for (const item of items) {
    rows.push([...(withNamespace ? [item.metadata.namespace] : []), item.metadata.name, item.status?.phase ?? "", item.status?.verdict ?? "",
      item.spec?.injection?.type ?? "", item.spec?.tier === undefined ? "" : String(item.spec.tier), item.spec?.target?.component ?? "", age(item.metadata.creationTimestamp)]);
  }
  if (items.length === 0) return "No ChaosExperiments found.\n";
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join("")).join("\n") + "\n";
}

export function describe(item: Item): string {
  const s = item.status ?? {};
  const lines = [
    `Name:        ${item.metadata.name}`, `Namespace:   ${item.metadata.namespace}`,
    `Target:      ${item.spec?.target?.operator ?? ""}/${item.spec?.target?.component ?? ""}`, `Type:        ${item.spec?.injection?.type ?? ""}`,
    `Phase:       ${s.phase ?? "(not started)"}`, `Verdict:     ${s.verdict ?? ""}`, `Message:     ${s.message ?? ""}`,
    `Started:     ${s.startTime ?? ""}`, `Ended:       ${s.endTime ?? ""}`,
  ];
  if (s.evaluationResult) {
    lines.push("Evaluation:", `  Confidence:        ${s.evaluationResult.confidence ?? ""}`, `  Recovery time:     ${s.evaluationResult.recoveryTime ?? "(not recovered)"}`,
      `  Reconcile cycles:  ${s.evaluationResult.reconcileCycles ?? 0}`, ...(s.evaluationResult.deviations ?? []).map((d) => `  Deviation:         ${d}`));
  }
  if (s.cleanupError) lines.push(`Cleanup error: ${s.cleanupError}`);
  if (item.metadata.finalizers?.length) lines.push(`Finalizers:  ${item.metadata.finalizers.join(", ")}`);
  if (s.conditions?.length) {
    lines.push("Conditions:");
    for (const c of s.conditions) lines.push(`  ${c.type}=${c.status} (${c.reason}): ${c.message.split("\n").join("; ")}`);
  }
  return lines.join("\n") + "\n";
}
