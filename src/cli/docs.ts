// `operator-chaos docs`: the failure-modes page of each operator, generated from its experiment files
// (offline). Registration is cheap; the validator and renderer are imported only when the command runs.

import { mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Option, type Command } from "commander";

export interface DocsFlags {
  readonly output: "markdown" | "html";
  readonly operator?: string;
  readonly out?: string;
}

export interface DocsIo {
  /** The page(s) when not written to a file, and "wrote <file>" lines. */
  stdout(text: string): void;
  /** Problems. */
  stderr(text: string): void;
}

export function registerDocsCommand(program: Command): void {
  program
    .command("docs")
    .summary("generate the failure-modes page of each operator from its experiments (offline)")
    .description(
      [
        "Generate the failure-modes page of an operator from its ChaosExperiment files: a Coverage table (injection type, " +
          "danger level, experiment file, description cut to 80 characters), then per experiment its name, type, danger " +
          "level (the fault type's default when the file sets none), component, hypothesis and the file's YAML as written. " +
          "Experiments are grouped by spec.target.operator and sorted by file name. Directories are searched recursively " +
          "for .yaml/.yml files; other documents (knowledge models, fixtures) are ignored.",
        "One operator (or --operator): the page goes to stdout, or to the file --out names (into " +
          "<out>/<operator>/failure-modes.md or .html when --out is an existing directory or ends with a path separator).",
        "Several operators: with --out, --out is a directory and each page goes to <out>/<operator>/failure-modes.md " +
          "or .html; without it, every page goes to stdout, sorted by operator (Markdown: the pages one after another; " +
          "HTML: one document holding every page).",
        "Exit status: 0 done; 1 a path names nothing, an experiment is invalid (then nothing is written) or no experiment " +
          "is found (for --operator); 2 usage error.",
      ].join("\n\n"),
    )
    .argument("<paths...>", "experiment files, directories or glob patterns (quote globs to use the built-in expansion)")
    .option("--operator <name>", "only the experiments whose spec.target.operator is this")
    .addOption(new Option("-o, --output <format>", "page format").choices(["markdown", "html"]).default("markdown"))
    .option("--out <path>", "write to this file (one page) or directory (one page per operator) instead of stdout")
    .action(async (paths: string[], flags: DocsFlags) => {
      // `operator-chaos docs … | head` may close the pipe early: not an error, and the pages still get written.
      let stdoutClosed = false;
      process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        stdoutClosed = true;
      });
      process.exitCode = await runDocs(paths, flags, {
        stdout: (text) => {
          if (!stdoutClosed) process.stdout.write(text);
        },
        stderr: (text) => process.stderr.write(text),
      });
    });
}

/** Runs the command; returns the exit status. */
export async function runDocs(paths: readonly string[], flags: DocsFlags, io: DocsIo): Promise<number> {
  const [{ collectYamlFiles }, docs] = await Promise.all([import("./files.js"), import("../report/docs.js")]);
  const collected = await collectYamlFiles(paths);
  for (const { argument, reason } of collected.unmatched) io.stderr(`Error: ${argument}: ${reason}\n`);
  if (collected.unmatched.length > 0) return 1;
  const { experiments, problems } = await docs.loadDocumentedExperiments(collected.files);
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(`${problem}\n`);
    io.stderr("Error: invalid experiments; no page written (see `operator-chaos validate`)\n");
    return 1;
  }
  let pages = docs.failureModesPages(experiments);
  if (flags.operator !== undefined) {
    const wanted = pages.filter((page) => page.operator === flags.operator);
    if (wanted.length === 0) {
      const found = pages.map((page) => page.operator);
      io.stderr(
        `Error: no experiment targets operator ${JSON.stringify(flags.operator)}${found.length > 0 ? ` (found: ${found.join(", ")})` : ""}\n`,
      );
      return 1;
    }
    pages = wanted;
  }
  if (pages.length === 0) {
    io.stderr("Error: no ChaosExperiment found in the given paths\n");
    return 1;
  }
  const format = flags.output;
  if (flags.out === undefined) {
    io.stdout(docs.renderFailureModes(pages, format));
    return 0;
  }
  const outIsDirectory =
    pages.length > 1 || /[\\/]$/.test(flags.out) || (await stat(flags.out).then((info) => info.isDirectory(), () => false));
  const targets = outIsDirectory
    ? pages.map((page) => ({ file: path.join(flags.out!, docs.pageFileName(page.operator, format)), pages: [page] }))
    : [{ file: flags.out, pages }];
  for (const target of targets) {
    await mkdir(path.dirname(target.file), { recursive: true });
    await writeFile(target.file, docs.renderFailureModes(target.pages, format));
    io.stdout(`wrote ${target.file}\n`);
  }
  return 0;
}
