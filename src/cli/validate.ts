// `operator-chaos validate`: checks experiments and knowledge models offline. Registration is cheap;
// the validator (zod, yaml, the fault registry) is imported only when the command runs, and the
// Kubernetes client never is.

import type { Command } from "commander";
import { documentExitCodes, isStructured, OutputFormat, outputOption, renderStructured } from "./output.js";
import type { Diagnostic } from "../experiment/diagnostic.js";
import type { FileResult } from "../experiment/validate.js";

export interface ValidateFlags {
  readonly output: "text" | "json" | "yaml";
  readonly knowledge?: boolean;
  readonly strict?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

export interface Output {
  write(text: string): void;
}

export interface ValidationSummary {
  readonly files: number;
  readonly documents: number;
  readonly valid: number;
  readonly invalid: number;
  readonly skipped: number;
  readonly errors: number;
  readonly warnings: number;
}

export function registerValidateCommand(program: Command): void {
  const command = program
    .command("validate")
    .summary("check experiments and knowledge models (offline)")
    .description(
      "Check ChaosExperiment files and operator knowledge models without a cluster: every problem at once, as\n" +
        "file:line:col: field: message. Directories are searched recursively for .yaml/.yml files; other\n" +
        "Kubernetes documents (fixtures) are reported as skipped. Exit status: 0 all valid, 1 something invalid,\n" +
        "2 usage error.",
    )
    .argument("<paths...>", "files, directories or glob patterns (quote globs to use the built-in expansion)")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml]))
    .option("--knowledge", "read every document as an operator knowledge model")
    .option("--strict", "treat warnings as errors")
    .option("-q, --quiet", "print only errors and the summary")
    .option("-v, --verbose", "also list every valid document")
    .action(async (paths: string[], flags: ValidateFlags) => {
      process.exitCode = await runValidate(paths, flags, { write: (text) => process.stdout.write(text) });
    });
  documentExitCodes(command, { 0: "every document valid (or skipped)", 1: "something invalid, or a path matched nothing" });
}

/** Runs the command; returns the exit status (0 all valid, 1 anything invalid). */
export async function runValidate(paths: readonly string[], flags: ValidateFlags, out: Output): Promise<number> {
  const [{ collectYamlFiles }, { validateFile }, { formatDiagnostic }] = await Promise.all([
    import("./files.js"),
    import("../experiment/validate.js"),
    import("../experiment/diagnostic.js"),
  ]);
  const collected = await collectYamlFiles(paths);
  const options = {
    ...(flags.knowledge ? { expectKind: "OperatorKnowledge" as const } : {}),
    ...(flags.strict ? { strict: true } : {}),
  };
  // Files are independent; reading them concurrently hides I/O latency, results keep argument order.
  const results: FileResult[] = await mapWithConcurrency(collected.files, 16, (file) => validateFile(file, options));
  const missing: FileResult[] = collected.unmatched.map(({ argument, reason }) => ({
    file: argument,
    status: "invalid",
    documents: [],
    diagnostics: [{ file: argument, document: 0, line: 1, column: 1, path: "", severity: "error", code: "file.not-found", message: reason }],
  }));
  const all = [...missing, ...results];
  const summary = summarize(all);
  if (isStructured(flags.output)) {
    out.write(await renderStructured({ files: all.map(toJson), summary }, flags.output));
  } else {
    for (const result of all) writeText(result, flags, out, formatDiagnostic);
    const { colours } = await import("./colour.js");
    const c = colours();
    // Colour only the counts that matter, so the plain text stays exactly the same.
    out.write(`${describeSummary(summary).replace(/\b([1-9]\d*) invalid\b/, (m) => c.red(m)).replace(/\b([1-9]\d*) warnings?\b/, (m) => c.yellow(m))}\n`);
  }
  return summary.invalid > 0 || all.some((result) => result.status === "invalid") ? 1 : 0;
}

function writeText(result: FileResult, flags: ValidateFlags, out: Output, format: (diagnostic: Diagnostic) => string): void {
  const show = (diagnostic: Diagnostic): void => {
    if (diagnostic.severity === "error" || !flags.quiet) out.write(`${format(diagnostic)}\n`);
  };
  result.diagnostics.forEach(show);
  for (const document of result.documents) {
    const where = `${result.file}:${document.line}:${document.column}:`;
    if (document.status === "skipped") {
      if (!flags.quiet) out.write(`${where} skipped: ${document.reason ?? "not an operator-chaos document"}\n`);
      continue;
    }
    document.diagnostics.forEach(show);
    if (flags.verbose && document.status === "valid") {
      out.write(`${where} valid ${document.kind ?? "document"}${document.name ? ` ${JSON.stringify(document.name)}` : ""}\n`);
    }
  }
}

export function summarize(results: readonly FileResult[]): ValidationSummary {
  let documents = 0;
  let valid = 0;
  let invalid = 0;
  let skipped = 0;
  let errors = 0;
  let warnings = 0;
  for (const result of results) {
    for (const diagnostic of result.diagnostics) diagnostic.severity === "error" ? errors++ : warnings++;
    // A file that could not be read at all counts as one invalid document.
    if (result.documents.length === 0 && result.status === "invalid") {
      documents++;
      invalid++;
    }
    for (const document of result.documents) {
      documents++;
      if (document.status === "valid") valid++;
      else if (document.status === "invalid") invalid++;
      else skipped++;
      for (const diagnostic of document.diagnostics) diagnostic.severity === "error" ? errors++ : warnings++;
    }
  }
  return { files: results.length, documents, valid, invalid, skipped, errors, warnings };
}

export function describeSummary(summary: ValidationSummary): string {
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;
  return (
    `${plural(summary.files, "file")}, ${plural(summary.documents, "document")}: ` +
    `${summary.valid} valid, ${summary.invalid} invalid, ${summary.skipped} skipped ` +
    `(${plural(summary.errors, "error")}, ${plural(summary.warnings, "warning")})`
  );
}

function toJson(result: FileResult): unknown {
  return {
    file: result.file,
    status: result.status,
    diagnostics: result.diagnostics,
    documents: result.documents.map((document) => ({
      index: document.index,
      line: document.line,
      column: document.column,
      kind: document.kind ?? null,
      name: document.name ?? null,
      status: document.status,
      ...(document.reason !== undefined ? { reason: document.reason } : {}),
      diagnostics: document.diagnostics,
    })),
  };
}

async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
