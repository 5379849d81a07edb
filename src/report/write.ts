// The only file of the report module that touches the file system: writes per-experiment reports into a
// report directory, reads them back, and writes aggregate reports.

import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ExperimentReport } from "./model.js";
import { parseReport } from "./model.js";
import { reportFileStem } from "./report.js";
import { junitXml } from "./junit.js";
import { experimentMarkdown } from "./markdown.js";
import { runHtml } from "./run-html.js";
import { defaultAggregateFile, renderAggregate, type AggregateFormat, type AggregateOptions } from "./aggregate.js";

export interface WrittenReportFiles {
  json: string;
  junit: string;
  markdown: string;
  /** The run's self-contained HTML page, with its timeline chart. */
  html: string;
}

/** The aggregate file name, never read back as an experiment report. */
const CONSOLIDATED_FILE = "report.json";

/**
 * Writes `<experiment>-<YYYYMMDD-HHMMSS>.json` (plus `.junit.xml`, `.md` and `.html` beside it). Two reports of the
 * same experiment within one second get `-2`, `-3`… rather than overwriting each other; each file appears
 * complete or not at all.
 */
export async function writeExperimentReport(dir: string, report: ExperimentReport): Promise<WrittenReportFiles> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const baseStem = reportFileStem(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  for (let attempt = 1; ; attempt++) {
    const stem = attempt === 1 ? baseStem : `${baseStem}-${attempt}`;
    const jsonPath = join(dir, `${stem}.json`);
    if (!(await createExclusively(jsonPath, json))) continue;
    const junitPath = join(dir, `${stem}.junit.xml`);
    const markdownPath = join(dir, `${stem}.md`);
    await replaceAtomically(junitPath, junitXml([report], report.experiment));
    await replaceAtomically(markdownPath, `${experimentMarkdown(report).trimEnd()}\n`);
    const htmlPath = join(dir, `${stem}.html`);
    await replaceAtomically(htmlPath, runHtml(report));
    return { json: jsonPath, junit: junitPath, markdown: markdownPath, html: htmlPath };
  }
}

export interface ReadReportsResult {
  reports: ExperimentReport[];
  /** Files that were not experiment reports, with why (the caller warns and goes on). */
  skipped: { file: string; error: string }[];
}

/** Every `*.json` in the directory except the consolidated `report.json`, in file-name order. */
export async function readReportDir(dir: string): Promise<ReadReportsResult> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith(".json") && entry.name !== CONSOLIDATED_FILE)
    .map((entry) => entry.name)
    .sort();
  const result: ReadReportsResult = { reports: [], skipped: [] };
  for (const name of names) {
    const file = join(dir, name);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      result.skipped.push({ file, error: `not valid JSON: ${(error as Error).message}` });
      continue;
    }
    const parsed = parseReport(value);
    if (parsed.ok) result.reports.push(parsed.report);
    else result.skipped.push({ file, error: parsed.error });
  }
  return result;
}

export interface WrittenAggregate {
  /** Where it was written; undefined when the format goes to stdout (the caller prints `content`). */
  path?: string;
  content: string;
}

/** Renders one aggregate format and writes it to `output`, or to the format's default file in `dir`. */
export async function writeAggregateReport(
  dir: string,
  reports: readonly ExperimentReport[],
  format: AggregateFormat,
  options: AggregateOptions & { output?: string },
): Promise<WrittenAggregate> {
  const content = renderAggregate(reports, format, options);
  const defaultFile = defaultAggregateFile(format);
  const path = options.output ?? (defaultFile ? join(dir, defaultFile) : undefined);
  if (path === undefined) return { content };
  await replaceAtomically(path, content);
  return { path, content };
}

function temporaryPath(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/** Writes a temporary file then links it into place: fails (returns false) if the target exists. */
async function createExclusively(path: string, content: string): Promise<boolean> {
  const temporary = temporaryPath(path);
  await writeFile(temporary, content, { mode: 0o640 });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function replaceAtomically(path: string, content: string): Promise<void> {
  const temporary = temporaryPath(path);
  await writeFile(temporary, content, { mode: 0o640 });
  await rename(temporary, path);
}
