import type { Command } from "commander";
import { registerFuzzTargetsCommand } from "./generate-fuzz.js";

interface GenerateExperimentsFlags {
  profile?: string;
  templates?: string;
  output?: string;
  component?: string;
  template?: string;
  setVar: string[];
  dryRun?: boolean;
}

/** `operator-chaos generate experiments`: experiment files from templates × a profile (the Go tool's generator). */
export function registerGenerateCommands(program: Command): void {
  const generate = program.command("generate").description("generate experiment files from templates and a profile");
  generate.command("experiments")
    .description("fill every template with each profile component's values: <output>/<component>/<template>.yaml, plus the profile's own experiments")
    .requiredOption("--profile <name|dir>", "profile name (profiles/<name>/profile.yaml here, else a bundled one) or a profile folder")
    .option("--templates <dir>", "templates folder (default: ./templates, else the bundled templates)")
    .option("-o, --output <dir>", "output folder (required unless --dry-run)")
    .option("--component <key>", "only this component of the profile")
    .option("--template <file>", "only this template (a file name in the templates folder)")
    .option("--set-var <component:field=value>", "override a profile field (repeatable)", (value: string, all: string[]) => [...all, value], [])
    .option("--dry-run", "list what would be written; write nothing")
    .action(async (flags: GenerateExperimentsFlags) => {
      process.exitCode = await generateExperimentsCommand(flags);
    });
  registerFuzzTargetsCommand(generate);
}

async function generateExperimentsCommand(flags: GenerateExperimentsFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  if (!flags.dryRun && !flags.output) {
    err("Error: --output is required (unless --dry-run)");
    return 2;
  }
  const files = await import("../generate/files.js");
  const { generateExperiments } = await import("../generate/plan.js");
  try {
    const resolved = files.resolveProfile(flags.profile ?? "");
    const profile = await files.loadProfile(resolved);
    const templates = await files.loadTemplates(files.resolveTemplatesDir(flags.templates), flags.template);
    const profileExperiments = await files.loadProfileExperiments(resolved.dir);
    const result = generateExperiments({
      profile, templates, profileExperiments, setVars: flags.setVar,
      ...(flags.component !== undefined ? { component: flags.component } : {}),
    });
    for (const warning of result.warnings) err(`Warning: ${warning}`);
    // Ours: the Go tool writes what it generates unchecked; say which files a run would refuse.
    const { validateText, allDiagnostics } = await import("../experiment/validate.js");
    for (const file of result.files) {
      const checked = validateText(Buffer.from(file.content).toString("utf8"), `${file.component}/${file.name}`, { mode: "run" });
      const first = allDiagnostics(checked).find((diagnostic) => diagnostic.severity === "error");
      if (checked.status === "invalid" && first) err(`Warning: ${file.component}/${file.name} is not a valid experiment (${first.message})`);
    }
    if (flags.dryRun) {
      err(`Dry run: would generate ${result.generated} experiments for ${result.components} components, copy ${result.copied} profile-specific, skip ${result.skipped}`);
      for (const file of result.files) err(`  ${file.component}/${file.name} (${file.source})`);
      return 0;
    }
    await files.writeGenerated(flags.output!, result.files);
    err(`Generated ${result.generated} experiments for ${result.components} components, copied ${result.copied} profile-specific, skipped ${result.skipped}`);
    err(`Output: ${flags.output}`);
    return 0;
  } catch (error) {
    err(`Error: generation failed: ${(error as Error).message}`);
    return 1;
  }
}
