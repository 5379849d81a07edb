import type { Command } from "commander";

interface ValidateVersionFlags {
  knowledgeDir: string;
  output: string;
  kubeconfig?: string;
  context?: string;
}

/** `operator-chaos validate-version --knowledge-dir D`: is the cluster in the state this version's models describe? */
export function registerValidateVersionCommand(program: Command): void {
  program.command("validate-version")
    .description("check on the cluster every managed resource of a version's knowledge models; exit 1 when an operator does not match")
    .requiredOption("--knowledge-dir <dir>", "knowledge models of the version")
    .option("-o, --output <format>", "text or json", "text")
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .action(async (flags: ValidateVersionFlags) => {
      process.exitCode = await validateVersionCommand(flags);
    });
}

async function validateVersionCommand(flags: ValidateVersionFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  if (!["text", "json"].includes(flags.output)) {
    err(`Error: -o must be text or json, got "${flags.output}"`);
    return 2;
  }
  const { loadKnowledgeVersion, UpgradeInputError } = await import("../upgrade/sources.js");
  let loaded;
  try {
    loaded = await loadKnowledgeVersion("--knowledge-dir", flags.knowledgeDir);
  } catch (error) {
    if (error instanceof UpgradeInputError) {
      err(`Error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const { loadKubeConfig } = await import("../kube/client.js");
  const { clusterAccess } = await import("../engine/context.js");
  const { checkModels } = await import("../preflight/cluster.js");
  const { versionReport, formatVersionReport } = await import("../upgrade/version-check.js");
  const access = clusterAccess(loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context }));
  let rows;
  try {
    rows = await checkModels(access, loaded.models);
  } finally {
    access.rest.close();
  }
  const report = versionReport(loaded.models, rows);
  process.stdout.write(`${flags.output === "json" ? JSON.stringify({ knowledgeDir: flags.knowledgeDir, ...report }, null, 2) : formatVersionReport(flags.knowledgeDir, loaded.models, report)}\n`);
  return report.passed ? 0 : 1;
}
