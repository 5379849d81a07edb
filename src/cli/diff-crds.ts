import type { Command } from "commander";
import { documentExitCodes, isStructured, OutputFormat, outputOption, renderStructured } from "./output.js";

interface DiffCrdsFlags {
  source: string;
  target: string;
  output: OutputFormat;
}

/** `operator-chaos diff-crds --source F|DIR --target F|DIR`: CRD schema changes per version; exit 1 on breaking ones. */
export function registerDiffCrdsCommand(program: Command): void {
  const command = program.command("diff-crds")
    .description("compare the CustomResourceDefinitions of two versions (removed fields, type changes, new required fields, enum narrowing, served/storage changes); exit 1 when a change is breaking")
    .requiredOption("--source <file|dir>", "CRDs of the version upgraded from")
    .requiredOption("--target <file|dir>", "CRDs of the version upgraded to")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml, OutputFormat.Markdown]))
    .action(async (flags: DiffCrdsFlags) => {
      process.exitCode = await diffCrdsCommand(flags);
    });
  documentExitCodes(command, { 0: "no breaking change", 1: "a change breaks the upgrade" });
}

async function diffCrdsCommand(flags: DiffCrdsFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const { loadCrds, UpgradeInputError } = await import("../upgrade/sources.js");
  const { diffCrds } = await import("../upgrade/crd-diff.js");
  const { formatCrdDiffMarkdown, formatCrdDiffText } = await import("../upgrade/format.js");
  let source, target;
  try {
    source = await loadCrds("--source", flags.source);
    target = await loadCrds("--target", flags.target);
  } catch (error) {
    if (error instanceof UpgradeInputError) {
      err(`Error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (source.length === 0 && target.length === 0) {
    err("Error: no CustomResourceDefinition found in --source nor in --target");
    return 2;
  }
  const diff = diffCrds(source, target);
  const rendered = isStructured(flags.output) ? (await renderStructured(diff, flags.output)).trimEnd() : flags.output === "markdown" ? formatCrdDiffMarkdown(diff) : formatCrdDiffText(diff);
  process.stdout.write(`${rendered}\n`);
  return diff.summary.breaking > 0 ? 1 : 0;
}
