// Report folders into the history: every experiment report (`run --report-dir`, a suite's
// experiments/ folder) and every suite-results.json (a suite run, whose reports are compared side by
// side). A file is read once per content (size and mtime): restarting the dashboard re-reads nothing.
// A file that is not a report is skipped with a warning, recorded so it warns once.

import { watch } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parseReport } from "../report/model.js";
import type { History } from "./history.js";
import { ReportSource } from "./history.js";

const SUITE_FILE = "suite-results.json";
/** Never experiment reports: the consolidated aggregate and a suite's resume state. */
const NOT_REPORTS = new Set(["report.json", "suite-state.json"]);
/** A suite keeps its reports one level down (experiments/); deeper folders are not ours. */
const MAX_DEPTH = 3;

/** Files read before one transaction applies them. */
const BATCH = 200;

interface ReadFile {
  file: string;
  fingerprint: string;
  value?: unknown;
  error?: string;
}

export interface IngestWarning {
  file: string;
  error: string;
}

export interface IngestOutcome {
  added: number;
  skipped: IngestWarning[];
}

export class FolderIngest {
  constructor(
    private readonly history: History,
    private readonly warn: (warning: IngestWarning) => void = () => {},
  ) {}

  /** Reads every new or changed file under `folder`. A folder that does not exist is an error. */
  async scan(folder: string): Promise<IngestOutcome> {
    const outcome: IngestOutcome = { added: 0, skipped: [] };
    const info = await stat(folder).catch(() => undefined);
    if (!info?.isDirectory()) throw new Error(`${folder}: no such report folder`);
    const files = await jsonFiles(path.resolve(folder), 0);
    for (let start = 0; start < files.length; start += BATCH) {
      const read = await Promise.all(files.slice(start, start + BATCH).map((file) => this.read(file)));
      this.history.transaction(() => {
        for (const file of read) if (file !== undefined) this.apply(file, outcome);
      });
    }
    return outcome;
  }

  async ingestFile(file: string, outcome: IngestOutcome = { added: 0, skipped: [] }): Promise<IngestOutcome> {
    const read = await this.read(file);
    if (read !== undefined) this.apply(read, outcome);
    return outcome;
  }

  /** The file's content, unless it is gone or was ingested as it is now. */
  private async read(file: string): Promise<ReadFile | undefined> {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const fingerprint = `${info.size}:${Math.trunc(info.mtimeMs)}`;
    if (this.history.seen(file, fingerprint)) return undefined;
    try {
      return { file, fingerprint, value: JSON.parse(await readFile(file, "utf8")) as unknown };
    } catch (error) {
      return { file, fingerprint, error: `not valid JSON: ${(error as Error).message}` };
    }
  }

  private apply(read: ReadFile, outcome: IngestOutcome): IngestOutcome {
    const { file, fingerprint } = read;
    if (this.history.seen(file, fingerprint)) return outcome;
    if (read.error !== undefined) return this.skip(file, fingerprint, read.error, outcome);
    if (path.basename(file) === SUITE_FILE) return this.ingestSuite(file, fingerprint, read.value, outcome);
    const parsed = parseReport(read.value);
    if (!parsed.ok) return this.skip(file, fingerprint, `not an experiment report: ${parsed.error}`, outcome);
    if (this.history.addReport(parsed.report, ReportSource.File, file)) outcome.added += 1;
    this.history.markSeen(file, fingerprint);
    return outcome;
  }

  private ingestSuite(file: string, fingerprint: string, value: unknown, outcome: IngestOutcome): IngestOutcome {
    const doc = value as { suite?: unknown; generatedAt?: unknown; summary?: unknown; reports?: unknown };
    if (typeof doc !== "object" || doc === null || typeof doc.suite !== "string" || typeof doc.generatedAt !== "string" || !Array.isArray(doc.reports)) {
      return this.skip(file, fingerprint, "not a suite result (expected `suite`, `generatedAt` and `reports`)", outcome);
    }
    // One run of a suite: its folder and when it was written (a resumed suite rewrites the file).
    const runId = `${doc.suite}@${doc.generatedAt}`;
    this.history.addSuiteRun(runId, doc.suite, doc.generatedAt, typeof doc.summary === "string" ? doc.summary : "", file);
    doc.reports.forEach((report, index) => {
      const parsed = parseReport(report);
      if (!parsed.ok) {
        const warning = { file: `${file}#reports[${index}]`, error: `not an experiment report: ${parsed.error}` };
        outcome.skipped.push(warning);
        this.warn(warning);
        return;
      }
      // Entries that never ran have no fault type: they are not history.
      if (parsed.report.injection.type === "") return;
      if (this.history.addReport(parsed.report, ReportSource.File, file, runId)) outcome.added += 1;
    });
    this.history.markSeen(file, fingerprint);
    return outcome;
  }

  private skip(file: string, fingerprint: string, error: string, outcome: IngestOutcome): IngestOutcome {
    this.history.markSeen(file, fingerprint, error);
    const warning = { file, error };
    outcome.skipped.push(warning);
    this.warn(warning);
    return outcome;
  }

  /**
   * Ingests what appears under `folder` until `signal` aborts. fs.watch tells which file changed; a
   * write lands as a temporary file renamed into place, so each event re-reads that one name.
   */
  watch(folder: string, signal: AbortSignal): void {
    const root = path.resolve(folder);
    const watcher = watch(root, { recursive: true, signal }, (_event, name) => {
      if (name === null) return;
      const file = path.join(root, name.toString());
      if (!isReportName(path.basename(file))) return;
      void this.ingestFile(file).catch((error: Error) => this.warn({ file, error: error.message }));
    });
    watcher.on("error", (error) => {
      if (!signal.aborted) this.warn({ file: root, error: `watch failed: ${error.message}` });
    });
  }
}

function isReportName(name: string): boolean {
  return name.endsWith(".json") && !NOT_REPORTS.has(name) && !name.includes(".tmp-");
}

async function jsonFiles(folder: string, depth: number): Promise<string[]> {
  const files: string[] = [];
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory() && depth + 1 < MAX_DEPTH) files.push(...(await jsonFiles(full, depth + 1)));
    else if (entry.isFile() && isReportName(entry.name)) files.push(full);
  }
  return files;
}
