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
  generate.command("upgrade")
    .description("an UpgradePlaybook skeleton from two versions' knowledge models: validate-source → upgrade (olm, or --manifests) → validate-target")
    .requiredOption("--source <dir>", "knowledge models of the version upgraded from")
    .requiredOption("--target <dir>", "knowledge models of the version upgraded to")
    .option("--operator <name>", "OLM package / Subscription name (default: the target model's operator)")
    .option("--namespace <namespace>", "namespace of the Subscription (default openshift-operators)")
    .option("--manifests <dir>", "upgrade by applying this folder of manifests (no OLM) instead of a channel hop")
    .option("-o, --output <file>", "write the playbook here (default: stdout)")
    .action(async (flags: { source: string; target: string; operator?: string; namespace?: string; manifests?: string; output?: string }) => {
      process.exitCode = await generatePlaybookCommand(flags.output, async () => {
        const { loadKnowledgeVersion } = await import("../upgrade/sources.js");
        const { upgradePlaybook } = await import("../upgrade/playbook-generate.js");
        const rel = await relativeToOutput(flags.output);
        return upgradePlaybook({
          sourceDir: rel(flags.source), targetDir: rel(flags.target),
          source: (await loadKnowledgeVersion("--source", flags.source)).models, target: (await loadKnowledgeVersion("--target", flags.target)).models,
          ...(flags.operator ? { operator: flags.operator } : {}), ...(flags.namespace ? { namespace: flags.namespace } : {}), ...(flags.manifests ? { manifests: rel(flags.manifests) } : {}),
        });
      });
    });
  generate.command("chaos")
    .description("a ChaosPlaybook from knowledge models and experiments/<component>/*.yaml: preflight → one chaos step per component → cleanup")
    .requiredOption("--knowledge <dir>", "knowledge models")
    .requiredOption("--experiments <dir>", "experiments laid out as <dir>/<component>/*.yaml (folders named after knowledge components)")
    .option("--danger <level>", "keep experiments up to this danger (by file name, as the Go tool): low, medium, high or all", "all")
    .option("-o, --output <file>", "write the playbook here (default: stdout)")
    .action(async (flags: { knowledge: string; experiments: string; danger: string; output?: string }) => {
      process.exitCode = await generatePlaybookCommand(flags.output, async () => {
        const { DangerLevel, chaosPlaybook } = await import("../upgrade/playbook-generate.js");
        if (!(Object.values(DangerLevel) as string[]).includes(flags.danger)) throw new Error(`--danger must be one of low, medium, high, all, got "${flags.danger}"`);
        const { readdirSync, statSync } = await import("node:fs");
        const path = await import("node:path");
        const { loadKnowledgeVersion } = await import("../upgrade/sources.js");
        const models = (await loadKnowledgeVersion("--knowledge", flags.knowledge)).models;
        const experiments = new Map<string, string[]>();
        for (const name of readdirSync(flags.experiments)) {
          const dir = path.join(flags.experiments, name);
          if (statSync(dir).isDirectory()) experiments.set(name, readdirSync(dir).filter((file) => /\.ya?ml$/.test(file)));
        }
        const rel = await relativeToOutput(flags.output);
        return chaosPlaybook({ knowledgeDir: rel(flags.knowledge), models, experimentsDir: rel(flags.experiments), experiments, danger: flags.danger as never });
      });
    });
}

/** A playbook's paths are relative to the playbook file: rewrite the given ones for where it is written. */
async function relativeToOutput(output: string | undefined): Promise<(location: string) => string> {
  const path = await import("node:path");
  if (!output) return (location) => location;
  const base = path.dirname(path.resolve(output));
  return (location) => (path.isAbsolute(location) ? location : path.relative(base, path.resolve(location)) || ".");
}

async function generatePlaybookCommand(output: string | undefined, build: () => Promise<unknown>): Promise<number> {
  try {
    const { stringify } = await import("yaml");
    const text = stringify(await build());
    if (output) {
      const { writeFile } = await import("node:fs/promises");
      await writeFile(output, text);
      process.stderr.write(`Playbook written to ${output}\n`);
    } else {
      process.stdout.write(text);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`Error: ${(error as Error).message}\n`);
    return 1;
  }
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
