// The dashboard's history: one SQLite database (sql.js, SQLite compiled to WebAssembly, so nothing is
// compiled or downloaded at install time) held in memory and written to its file atomically after
// changes. A lock file beside it keeps a second dashboard from overwriting the first one's writes.

import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import initSqlJs, { type Database, type SqlValue } from "sql.js";
import type { ExperimentReport } from "../report/model.js";
import { reportRecoveryMs } from "../report/model.js";

export class HistoryError extends Error {
  override readonly name = "HistoryError";
}

/** Where a report came from: a report file, a result ConfigMap, or a ChaosExperiment's status. */
export const ReportSource = { File: "file", ConfigMap: "configmap", Controller: "controller" } as const;
export type ReportSource = (typeof ReportSource)[keyof typeof ReportSource];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS reports (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  origin TEXT NOT NULL,
  source TEXT NOT NULL,
  experiment TEXT NOT NULL,
  operator TEXT NOT NULL,
  component TEXT NOT NULL,
  fault_type TEXT NOT NULL,
  verdict TEXT NOT NULL,
  recovery_ms REAL,
  timestamp TEXT NOT NULL,
  suite_run TEXT
);
-- The raw reports apart, so scans and sorts of the list read small rows only.
CREATE TABLE IF NOT EXISTS report_bodies (
  id INTEGER PRIMARY KEY,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_time ON reports(timestamp);
CREATE INDEX IF NOT EXISTS reports_op_fault ON reports(operator, fault_type, timestamp);
CREATE INDEX IF NOT EXISTS reports_verdict ON reports(verdict, timestamp);
CREATE INDEX IF NOT EXISTS reports_fault ON reports(fault_type, timestamp);
CREATE INDEX IF NOT EXISTS reports_recovery ON reports(recovery_ms);
CREATE INDEX IF NOT EXISTS reports_suite ON reports(suite_run);
CREATE TABLE IF NOT EXISTS suite_runs (
  id TEXT PRIMARY KEY,
  suite TEXT NOT NULL,
  generated TEXT NOT NULL,
  summary TEXT NOT NULL,
  origin TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingested (
  origin TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  error TEXT
);
`;

/** How long after a change the file is written (changes meanwhile go in the same write). */
const FLUSH_DELAY_MS = 1_000;

/** The same report from a file and from its result ConfigMap is stored once: keyed by its content. */
export function reportHash(report: ExperimentReport): string {
  return createHash("sha256").update(JSON.stringify(report)).digest("hex");
}

export class History {
  private dirty = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly db: Database,
    /** Undefined for an in-memory history (tests, benchmarks). */
    readonly file: string | undefined,
    private readonly lockFile: string | undefined,
  ) {}

  /**
   * Opens (or creates) the database at `file`. Clear errors for a folder that does not exist, a file
   * that is not a database, and a database another live dashboard holds.
   */
  static async open(file?: string): Promise<History> {
    const SQL = await initSqlJs();
    if (file === undefined) return History.init(new SQL.Database(), undefined, undefined);
    const absolute = path.resolve(file);
    const folder = path.dirname(absolute);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new HistoryError(`${file}: the folder ${folder} does not exist`);
    const lockFile = `${absolute}.lock`;
    takeLock(lockFile, file);
    try {
      let data: Uint8Array | undefined;
      if (existsSync(absolute)) data = readFileSync(absolute);
      if (data !== undefined && data.length > 0 && !Buffer.from(data.subarray(0, 16)).toString("latin1").startsWith("SQLite format 3")) {
        throw new HistoryError(`${file}: not an SQLite database (expected one written by \`operator-chaos dashboard --db\`)`);
      }
      return History.init(new SQL.Database(data && data.length > 0 ? data : undefined), absolute, lockFile);
    } catch (error) {
      unlinkSync(lockFile);
      throw error;
    }
  }

  private static init(db: Database, file: string | undefined, lockFile: string | undefined): History {
    try {
      db.exec(SCHEMA);
    } catch (error) {
      throw new HistoryError(`${file ?? "history"}: unreadable database: ${(error as Error).message}`);
    }
    return new History(db, file, lockFile);
  }

  /** Called after every change (the server pushes it to the browsers). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether `origin` (a file path, an object key) was already ingested with this fingerprint. */
  seen(origin: string, fingerprint: string): boolean {
    return this.one("SELECT 1 AS x FROM ingested WHERE origin = ? AND fingerprint = ?", [origin, fingerprint]) !== undefined;
  }

  markSeen(origin: string, fingerprint: string, error?: string): void {
    this.db.run("INSERT INTO ingested(origin, fingerprint, error) VALUES (?, ?, ?) ON CONFLICT(origin) DO UPDATE SET fingerprint = excluded.fingerprint, error = excluded.error", [origin, fingerprint, error ?? null]);
    this.changed();
  }

  /** Skipped inputs with why, for the warnings panel. */
  skipped(): { origin: string; error: string }[] {
    return this.all("SELECT origin, error FROM ingested WHERE error IS NOT NULL ORDER BY origin").map((row) => ({ origin: String(row.origin), error: String(row.error) }));
  }

  /** Stores a report once; true when it was new. A suite run adopts a report already stored from its file. */
  addReport(report: ExperimentReport, source: ReportSource, origin: string, suiteRun?: string): boolean {
    const hash = reportHash(report);
    const existing = this.one("SELECT id, suite_run FROM reports WHERE hash = ?", [hash]);
    if (existing !== undefined) {
      if (suiteRun !== undefined && existing.suite_run === null) {
        this.db.run("UPDATE reports SET suite_run = ? WHERE id = ?", [suiteRun, existing.id!]);
        this.changed();
      }
      return false;
    }
    this.db.run(
      `INSERT INTO reports(hash, origin, source, experiment, operator, component, fault_type, verdict, recovery_ms, timestamp, suite_run)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        hash, origin, source, report.experiment, report.target?.operator ?? "", report.target?.component ?? "",
        report.injection.type, report.evaluation.verdict, reportRecoveryMs(report), report.timestamp ?? "", suiteRun ?? null,
      ],
    );
    this.db.run("INSERT INTO report_bodies(id, json) VALUES (last_insert_rowid(), ?)", [JSON.stringify(report)]);
    this.changed();
    return true;
  }

  addSuiteRun(id: string, suite: string, generated: string, summary: string, origin: string): void {
    this.db.run("INSERT OR IGNORE INTO suite_runs(id, suite, generated, summary, origin) VALUES (?, ?, ?, ?, ?)", [id, suite, generated, summary, origin]);
    this.changed();
  }

  /** Runs `apply` in one transaction: a folder's worth of inserts costs one commit, not one each. */
  transaction<T>(apply: () => T): T {
    this.db.exec("BEGIN");
    try {
      const result = apply();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  count(): number {
    return Number(this.one("SELECT COUNT(*) AS n FROM reports")?.n ?? 0);
  }

  one(sql: string, params: SqlValue[] = []): Record<string, SqlValue> | undefined {
    return this.all(sql, params)[0];
  }

  all(sql: string, params: SqlValue[] = []): Record<string, SqlValue>[] {
    const statement = this.db.prepare(sql);
    try {
      statement.bind(params);
      const rows: Record<string, SqlValue>[] = [];
      while (statement.step()) rows.push(statement.getAsObject());
      return rows;
    } finally {
      statement.free();
    }
  }

  private changed(): void {
    this.dirty = true;
    if (this.file !== undefined && this.flushTimer === undefined) {
      // A write exports the whole database: a burst of ingests (a folder at start) is one write.
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flush();
      }, FLUSH_DELAY_MS);
      this.flushTimer.unref();
    }
    for (const listener of this.listeners) listener();
  }

  /** Writes the database to its file (a temporary file renamed into place, so it is whole or old). */
  flush(): void {
    if (this.file === undefined || !this.dirty) return;
    const temporary = `${this.file}.tmp-${process.pid}`;
    writeFileSync(temporary, this.db.export(), { mode: 0o640 });
    renameSync(temporary, this.file);
    this.dirty = false;
  }

  close(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flush();
    this.db.close();
    if (this.lockFile !== undefined && existsSync(this.lockFile)) unlinkSync(this.lockFile);
  }
}

/** Creates `<db>.lock` holding our pid; a lock whose process is gone is stale and taken over. */
function takeLock(lockFile: string, file: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx", 0o640);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new HistoryError(`${file}: cannot create the lock ${lockFile}: ${(error as Error).message}`);
      const pid = Number.parseInt(readFileSync(lockFile, "utf8"), 10);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw new HistoryError(`${file}: the database is locked by another dashboard (process ${pid}; lock file ${lockFile})`);
      }
      unlinkSync(lockFile);
    }
  }
  throw new HistoryError(`${file}: cannot take the lock ${lockFile}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
