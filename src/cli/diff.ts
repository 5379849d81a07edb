import type { Command } from "commander";
import { documentExitCodes, isStructured, OutputFormat, outputOption, renderStructured } from "./output.js";

interface DiffFlags {
  source: string;
  target: string;
  breaking?: boolean;
  output: OutputFormat;
}

/** `operator-chaos diff --source DIR --target DIR`: knowledge-model changes between two versions; exit 1 on breaking ones. */
export function registerDiffCommand(program: Command): void {
  const command = program.command("diff")
    .description("compare the knowledge models of two versions (components and resources added, removed, renamed, moved); exit 1 when a change breaks the upgrade")
    .requiredOption("--source <dir>", "knowledge models of the version upgraded from")
    .requiredOption("--target <dir>", "knowledge models of the version upgraded to")
    .option("--breaking", "show only the components whose change breaks the upgrade")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml, OutputFormat.Markdown]))
    .action(async (flags: DiffFlags) => {
      process.exitCode = await diffCommand(flags);
    });
  documentExitCodes(command, { 0: "no breaking change", 1: "a change breaks the upgrade" });
}

async function diffCommand(flags: DiffFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const { loadKnowledgeVersion, UpgradeInputError } = await import("../upgrade/sources.js");
  const { diffKnowledge, onlyBreaking } = await import("../upgrade/knowledge-diff.js");
  const { formatDiffMarkdown, formatDiffText } = await import("../upgrade/format.js");
  let source, target;
  try {
    source = await loadKnowledgeVersion("--source", flags.source);
    target = await loadKnowledgeVersion("--target", flags.target);
  } catch (error) {
    if (error instanceof UpgradeInputError) {
      err(`Error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const full = diffKnowledge(source.models, target.models);
  const shown = flags.breaking ? onlyBreaking(full) : full;
  const rendered = isStructured(flags.output) ? (await renderStructured(shown, flags.output)).trimEnd() : flags.output === "markdown" ? formatDiffMarkdown(shown) : formatDiffText(shown);
  process.stdout.write(`${rendered}\n`);
  return full.summary.breakingChanges > 0 ? 1 : 0;
}
