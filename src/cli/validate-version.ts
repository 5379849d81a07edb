import type { Command } from "commander";
import { addClusterRequestOptions, documentExitCodes, isStructured, OutputFormat, outputOption, renderStructured } from "./output.js";

interface ValidateVersionFlags {
  knowledgeDir: string;
  output: OutputFormat;
  kubeconfig?: string;
  context?: string;
}

/** `operator-chaos validate-version --knowledge-dir D`: is the cluster in the state this version's models describe? */
export function registerValidateVersionCommand(program: Command): void {
  const command = program.command("validate-version")
    .description("check on the cluster every managed resource of a version's knowledge models; exit 1 when an operator does not match")
    .requiredOption("--knowledge-dir <dir>", "knowledge models of the version")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml]))
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .action(async (flags: ValidateVersionFlags) => {
      process.exitCode = await validateVersionCommand(flags);
    });
  addClusterRequestOptions(command);
  documentExitCodes(command, { 0: "every operator matches its models", 1: "an operator does not match" });
}

async function validateVersionCommand(flags: ValidateVersionFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
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
  process.stdout.write(isStructured(flags.output) ? await renderStructured({ knowledgeDir: flags.knowledgeDir, ...report }, flags.output) : `${formatVersionReport(flags.knowledgeDir, loaded.models, report)}\n`);
  return report.passed ? 0 : 1;
}
