// What a suite has finished, kept in its report folder (suite-state.json, replaced atomically after
// every change) so `suite --resume DIR` after a crash, Ctrl-C or kill -9 runs only what did not finish.
// An entry still marked running belonged to the dead suite: its fault is reverted by `clean` first.

import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SuiteStatus } from "./lines.js";

export const STATE_FILE = "suite-state.json";

export interface EntryState {
  readonly state: "running" | "done";
  readonly name: string;
  readonly file: string;
  readonly line?: string;
  readonly status?: SuiteStatus;
  readonly tier?: number;
  /** Report file, relative to the report folder. */
  readonly report?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
}

export interface SuiteStateDocument {
  readonly version: 1;
  readonly suite: string;
  /** Every file of the suite, in order (so --resume alone knows what is left). */
  readonly files?: readonly string[];
  readonly entries: Record<string, EntryState>;
}

export class SuiteStateError extends Error {}

export function readSuiteState(dir: string): SuiteStateDocument {
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new SuiteStateError(`--resume ${dir}: no ${STATE_FILE} there (was the suite run with --report-dir ${dir}?)`);
  }
  try {
    const parsed = JSON.parse(text) as SuiteStateDocument;
    if (parsed.version !== 1 || typeof parsed.entries !== "object") throw new Error("unknown format");
    return parsed;
  } catch (error) {
    throw new SuiteStateError(`${file}: not a suite state file (${(error as Error).message})`);
  }
}

/** Serialised writes: each change replaces the file with a complete document. */
export class SuiteState {
  private entries: Record<string, EntryState>;
  private files: readonly string[];
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string | undefined, private readonly suite: string, previous?: SuiteStateDocument) {
    this.entries = { ...(previous?.entries ?? {}) };
    this.files = previous?.files ?? [];
  }

  /** Records the suite's files (absolute paths) before anything runs. */
  start(files: readonly string[]): Promise<void> {
    this.files = files.map((file) => path.resolve(file));
    return this.write();
  }

  get(key: string): EntryState | undefined {
    return this.entries[key];
  }

  set(key: string, entry: EntryState): Promise<void> {
    this.entries = { ...this.entries, [key]: entry };
    return this.write();
  }

  private write(): Promise<void> {
    const document: SuiteStateDocument = { version: 1, suite: this.suite, files: this.files, entries: this.entries };
    const dir = this.dir;
    if (dir === undefined) return Promise.resolve();
    this.writing = this.writing.then(async () => {
      await mkdir(dir, { recursive: true });
      const target = path.join(dir, STATE_FILE);
      const temporary = `${target}.tmp-${process.pid}`;
      await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`);
      await rename(temporary, target);
    });
    return this.writing;
  }

  flush(): Promise<void> {
    return this.writing;
  }
}
