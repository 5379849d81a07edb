import type { Command } from "commander";

/** `operator-chaos generate fuzz-targets`: a TypeScript fuzz test scaffolded from a knowledge model (operator-chaos/sdk/fuzz). */
export function registerFuzzTargetsCommand(generate: Command): void {
  generate.command("fuzz-targets")
    .description("a TypeScript fuzz test (operator-chaos/sdk/fuzz) with one target per component of a knowledge model")
    .requiredOption("--knowledge <file>", "the knowledge model")
    .option("-o, --output <file>", "where to write the test (default: standard output)")
    .action(async (flags: { knowledge: string; output?: string }) => {
      process.exitCode = await fuzzTargetsCommand(flags);
    });
}

async function fuzzTargetsCommand(flags: { knowledge: string; output?: string }): Promise<number> {
  const { validateFile, allDiagnostics } = await import("../experiment/validate.js");
  const { formatDiagnostic } = await import("../experiment/diagnostic.js");
  const checked = await validateFile(flags.knowledge, { expectKind: "OperatorKnowledge" });
  const model = checked.status === "valid" ? checked.documents.find((document) => document.knowledge)?.knowledge : undefined;
  if (!model) {
    for (const diagnostic of allDiagnostics(checked)) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    process.stderr.write(`${flags.knowledge}: not a valid knowledge model; nothing was written\n`);
    return 2;
  }
  const { fuzzTargetsSource } = await import("../sdk/fuzz/scaffold.js");
  const source = fuzzTargetsSource(model, flags.knowledge);
  if (!flags.output) {
    process.stdout.write(source);
    return 0;
  }
  const { writeFileSync } = await import("node:fs");
  writeFileSync(flags.output, source);
  process.stderr.write(`Wrote ${model.components.length} fuzz target(s) for ${model.operator.name} to ${flags.output}\n`);
  return 0;
}
