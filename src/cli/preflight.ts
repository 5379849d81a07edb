import type { Command } from "commander";
import { addClusterRequestOptions, documentExitCodes, isStructured, OutputFormat, outputOption, printStructured } from "./output.js";

interface PreflightFlags {
  knowledge: string[];
  knowledgeDir?: string;
  profile?: string;
  local?: boolean;
  namespace?: string;
  output: OutputFormat;
  kubeconfig?: string;
  context?: string;
  experiments: string[];
  lockNamespace?: string;
}

const collect = (value: string, all: string[]) => [...all, value];

/** `operator-chaos preflight --knowledge …`: is the cluster what the knowledge models say, and may we run the experiments? */
export function registerPreflightCommand(program: Command): void {
  const command = program.command("preflight")
    .description("check knowledge models (cross-references, counts) and, on the cluster, every managed resource, webhook and the experiments' permissions; exit 1 when something is missing")
    .option("--knowledge <file>", "knowledge model (repeatable)", collect, [])
    .option("--knowledge-dir <dir>", "every knowledge model in this folder")
    .option("--profile <name|dir>", "the profile's knowledge models (profiles/<name>/knowledge/, else knowledge/<name>/), when no --knowledge is given")
    .option("--local", "check the models only; do not contact a cluster")
    .option("--experiments <file|dir>", "also check the permissions these experiments' runs need (repeatable)", collect, [])
    .option("-n, --namespace <namespace>", "look namespaced resources up in this namespace instead of the model's")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml]))
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("--lock-namespace <namespace>", "namespace of the lock Lease the runs would take")
    .action(async (flags: PreflightFlags) => {
      process.exitCode = await preflightCommand(flags);
    });
  addClusterRequestOptions(command);
  documentExitCodes(command, { 0: "everything present and permitted", 1: "something is missing, denied or failed" });
}

async function preflightCommand(flags: PreflightFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (flags.knowledge.length === 0 && !flags.knowledgeDir && !flags.profile) {
    err("Error: give the knowledge models: --knowledge FILE, --knowledge-dir DIR or --profile NAME");
    return 2;
  }
  const { loadKnowledge, KnowledgeSourceError } = await import("../suite/knowledge-sources.js");
  const { crossReferenceProblems, summarize, preflightFailed, formatTable, CheckStatus } = await import("../preflight/knowledge.js");
  let loaded;
  try {
    loaded = await loadKnowledge({ knowledge: flags.knowledge, ...(flags.knowledgeDir ? { knowledgeDir: flags.knowledgeDir } : {}), ...(flags.profile ? { profile: flags.profile } : {}) });
  } catch (error) {
    if (error instanceof KnowledgeSourceError) {
      err(`Error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (loaded.files.length === 0) {
    err("Error: no knowledge model files found");
    return 1;
  }
  if (loaded.problems.length > 0) {
    err("Knowledge validation FAILED:");
    for (const problem of loaded.problems) err(`  - ${problem}`);
    return 1;
  }
  const crossReference = loaded.models.flatMap(crossReferenceProblems);
  if (crossReference.length > 0) {
    err("Cross-reference checks FAILED:");
    for (const problem of crossReference) err(`  - ${problem}`);
    return 1;
  }
  const summaries = loaded.models.map(summarize);

  const experiments = [];
  if (flags.experiments.length > 0) {
    const { collectYamlFiles } = await import("./files.js");
    const { loadExperimentFile, allDiagnostics } = await import("../experiment/validate.js");
    const { formatDiagnostic } = await import("../experiment/diagnostic.js");
    const collected = await collectYamlFiles(flags.experiments);
    for (const miss of collected.unmatched) err(`Error: ${miss.argument}: ${miss.reason}`);
    if (collected.unmatched.length > 0) return 2;
    for (const file of collected.files) {
      const loadedFile = await loadExperimentFile(file);
      if (loadedFile.experiments.length === 0) {
        for (const diagnostic of allDiagnostics(loadedFile.result)) err(formatDiagnostic(diagnostic));
        err(`${file}: invalid experiment`);
        return 1;
      }
      experiments.push(...loadedFile.experiments);
    }
  }

  let rows: import("../preflight/knowledge.js").PreflightRow[] = [];
  if (!flags.local) {
    const { loadKubeConfig } = await import("../kube/client.js");
    const { clusterAccess } = await import("../engine/context.js");
    const { checkModels, checkPermissions } = await import("../preflight/cluster.js");
    const access = clusterAccess(loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context }));
    try {
      rows = [
        ...(await checkModels(access, loaded.models, flags.namespace)),
        ...(await checkPermissions(access, experiments, flags.lockNamespace)),
      ];
    } finally {
      access.rest.close();
    }
  }
  const failed = preflightFailed(rows);
  const missing = rows.filter((row) => row.status === CheckStatus.Missing).length;
  const errored = rows.filter((row) => row.status === CheckStatus.Error).length;
  const denied = rows.filter((row) => row.status === CheckStatus.Denied).length;
  const degraded = rows.filter((row) => row.status === CheckStatus.Degraded).length;

  if (isStructured(flags.output)) {
    const document = { models: summaries, local: Boolean(flags.local), checks: rows, missing, degraded, errors: errored, denied, passed: !failed };
    await printStructured(document, flags.output);
    return failed ? 1 : 0;
  }
  for (const summary of summaries) {
    out(`Operator:    ${summary.operator}`);
    out(`Namespace:   ${summary.namespace}`);
    out(`Components:  ${summary.components}`);
    out(`Resources:   ${summary.resources}`);
    out(`Webhooks:    ${summary.webhooks}`);
    out(`Finalizers:  ${summary.finalizers}`);
  }
  if (flags.local) {
    out("\nLocal preflight passed.");
    return 0;
  }
  out("\n--- Cluster Resource Check ---");
  out(formatTable(rows));
  if (errored > 0) err(`\nWarning: ${errored} resources could not be checked (RBAC/connectivity issues)`);
  if (degraded > 0) err(`\nWarning: ${degraded} resources are degraded`);
  if (failed) {
    err(`\nError: ${missing} resources missing, ${errored} resources could not be checked${denied > 0 ? `, ${denied} experiments lack permissions` : ""}`);
    return 1;
  }
  out("\nCluster preflight passed.");
  return 0;
}
