// `suite`: every experiment of a folder (or a list of files) through the one engine (runExperiment),
// at most --parallel at a time and never two that conflict at once, with the Go tool's per-experiment
// steps (load → --set → tier filter → -n → validate → dry run or run), collateral checks on the
// target's dependents, a resumable state in the report folder and the aggregate reports.

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { ChaosExperiment } from "../experiment/types.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import { clusterAccess, type ClusterAccess } from "../engine/context.js";
import { clean } from "../engine/clean.js";
import { pauseUnlessAborted } from "../engine/delay.js";
import { runExperiment } from "../engine/run.js";
import { retargetNamespace } from "../engine/settings.js";
import { applyOverrides, parseOverride } from "../experiment/overrides.js";
import { allDiagnostics, loadExperimentFile, validateExperimentValue } from "../experiment/validate.js";
import { formatDiagnostic } from "../experiment/diagnostic.js";
import type { ExperimentReport } from "../report/model.js";
import { reportRecoveryMs } from "../report/model.js";
import { writeExperimentReport } from "../report/write.js";
import { applyCollateral, CollateralWatch, injectionInstant } from "./collateral.js";
import { conflictKeys, type ConflictKeys } from "./conflict.js";
import { dependencyGraph } from "./graph.js";
import { errorLine, invalidSkipLine, loadSkipLine, SuiteStatus, summaryLine, tierSkipLine, validLine, verdictLine } from "./lines.js";
import { notRunReport, suiteDocument, writeSuiteReports, type SuiteEntryResult } from "./reports.js";
import { runScheduled, type Wait } from "./schedule.js";
import { SuiteState, type SuiteStateDocument } from "./state.js";

export interface SuiteOptions {
  readonly files: readonly string[];
  /** JUnit suite name (the Go tool: the folder's base name). */
  readonly suiteName: string;
  readonly kubeconfig?: KubeConfig;
  readonly knowledge?: readonly OperatorKnowledge[];
  readonly maxTier?: number;
  readonly parallel?: number;
  readonly cooldownMs?: number;
  readonly set?: readonly string[];
  readonly namespace?: string;
  readonly reportDir?: string;
  readonly dryRun?: boolean;
  readonly timeoutMs?: number;
  readonly holdMs?: number;
  readonly stabilityWindowMs?: number;
  /** The Go tool's timing exactly (`--go-timing`). */
  readonly goTiming?: boolean;
  /** false: send no reconcile probe (`--no-probe`). */
  readonly probe?: boolean;
  readonly lockNamespace?: string;
  /** The state of the suite being resumed (its report folder's suite-state.json). */
  readonly resume?: SuiteStateDocument;
  readonly signal?: AbortSignal;
  /** Progress for the terminal (stderr). */
  readonly progress?: (line: string) => void;
}

export interface SuiteOutcome {
  readonly entries: SuiteEntryResult[];
  readonly waits: Wait[];
  readonly summary: string;
  readonly failed: number;
  readonly interrupted: boolean;
  readonly reportFiles: string[];
}

interface Prepared {
  readonly key: string;
  readonly file: string;
  readonly name: string;
  readonly tier?: number;
  readonly experiment?: ChaosExperiment;
  /** Settled before running: skipped, invalid, dry-run valid, or taken from the resumed state. */
  readonly settled?: SuiteEntryResult;
  readonly keys?: ConflictKeys;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export async function runSuite(options: SuiteOptions): Promise<SuiteOutcome> {
  const progress = options.progress ?? (() => {});
  const graph = dependencyGraph(options.knowledge ?? []);
  for (const warning of graph.warnings) progress(`warning: ${warning}`);
  const state = new SuiteState(options.reportDir, options.suiteName, options.resume);
  const access: ClusterAccess | undefined = options.dryRun || !options.kubeconfig ? undefined : clusterAccess(options.kubeconfig);
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`;

  const prepared: Prepared[] = [];
  for (const file of options.files) prepared.push(...(await prepare(file)));
  if (!options.dryRun) await state.start(options.files);

  // A resumed suite: what the dead run left (its entry still "running") is reverted before anything runs.
  if (access && options.resume && Object.values(options.resume.entries).some((entry) => entry.state === "running")) {
    const swept = await clean({ access, namespace: undefined, ...(options.signal ? { signal: options.signal } : {}) });
    progress(`${stamp()} resume: reverted ${swept.reverted} leftover change(s) of the interrupted suite${swept.failed ? `, ${swept.failed} failed` : ""}`);
  }

  const toRun = prepared.map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.settled === undefined);
  let lastFinished = 0;
  const schedule = await runScheduled(
    toRun.map(({ entry }) => entry.keys),
    options.parallel ?? 1,
    async (position) => {
      const { entry } = toRun[position]!;
      if ((options.parallel ?? 1) <= 1 && (options.cooldownMs ?? 0) > 0 && lastFinished > 0) {
        progress(`Cooldown: waiting ${((options.cooldownMs ?? 0) / 1000).toFixed(0)}s before next experiment...`);
        await pauseUnlessAborted(options.cooldownMs ?? 0, options.signal);
      }
      const result = await execute(entry);
      lastFinished = Date.now();
      return result;
    },
    options.signal,
  );
  const ranByIndex = new Map(toRun.map(({ index }, position) => [index, schedule.results[position]]));
  const entries: SuiteEntryResult[] = [];
  for (const [index, entry] of prepared.entries()) {
    const result = entry.settled ?? ranByIndex.get(index);
    if (result) entries.push(result);
  }
  const waits: Wait[] = schedule.waits.map((wait) => ({ ...wait, task: entries.indexOf(ranByIndex.get(toRun[wait.task]!.index)!), for: entries.indexOf(ranByIndex.get(toRun[wait.for]!.index)!) }));
  const interrupted = options.signal?.aborted ?? false;
  const summary = summaryLine(entries.map((e) => e.status), entries.map((e) => e.tier), prepared.length);
  await state.flush();
  if (options.reportDir) await loadResumedReports(options.reportDir, entries);
  let reportFiles: string[] = [];
  if (options.reportDir) reportFiles = await writeSuiteReports(options.reportDir, suiteDocument(options.suiteName, summary, entries, waits), entries);
  access?.rest.close();
  return { entries, waits, summary, failed: entries.filter((e) => e.status === SuiteStatus.Fail).length, interrupted, reportFiles };

  async function prepare(file: string): Promise<Prepared[]> {
    const base = path.basename(file);
    const keyOf = (index: number) => `${path.resolve(file)}#${index}`;
    const loaded = await loadExperimentFile(file);
    if (loaded.experiments.length === 0) {
      const errors = allDiagnostics(loaded.result).filter((d) => d.severity === "error");
      for (const diagnostic of errors) progress(formatDiagnostic(diagnostic));
      const line = loaded.result.status === "skipped" ? loadSkipLine(base, "not a ChaosExperiment") : invalidSkipLine(base, errors.length);
      return [{ key: keyOf(0), file, name: base, settled: settled(file, base, SuiteStatus.Skip, line, notRunReport(base, SuiteStatus.Skip, line)) }];
    }
    return loaded.experiments.map((original, index): Prepared => {
      const key = keyOf(index);
      let experiment = original;
      const name = experiment.metadata.name;
      const tier = experiment.spec.tier;
      const target = experiment.spec.target;
      const previous = state.get(key);
      if (previous?.state === "done" && previous.line && previous.status) {
        return { key, file, name, ...(tier !== undefined ? { tier } : {}), settled: resumed(file, previous) };
      }
      if ((options.set ?? []).length > 0 || options.namespace) {
        try {
          let document = applyOverrides(experiment, (options.set ?? []).map(parseOverride));
          if (options.namespace) document = retargetNamespace(document, options.namespace);
          const again = validateExperimentValue(document, { mode: "run" });
          const errors = again.issues.filter((issue) => issue.severity === "error");
          if (errors.length > 0 || !again.experiment) {
            for (const issue of errors) progress(`${file} (after --set/-n): ${issue.path.join(".")}: ${issue.message}`);
            const line = invalidSkipLine(base, errors.length);
            return { key, file, name, settled: settled(file, name, SuiteStatus.Skip, line, notRunReport(name, SuiteStatus.Skip, line, target, tier), tier) };
          }
          experiment = again.experiment;
        } catch (error) {
          const line = loadSkipLine(base, (error as Error).message);
          return { key, file, name, settled: settled(file, name, SuiteStatus.Skip, line, notRunReport(name, SuiteStatus.Skip, line, target, tier), tier) };
        }
      }
      if ((options.maxTier ?? 0) > 0 && (tier ?? 0) > options.maxTier!) {
        const line = tierSkipLine(name, tier ?? 0, options.maxTier!);
        return { key, file, name, tier, settled: settled(file, name, SuiteStatus.Skip, line, notRunReport(name, SuiteStatus.Skip, line, target, tier), tier) };
      }
      if (options.dryRun) {
        const line = validLine(name, experiment.spec.injection.type);
        return { key, file, name, ...(tier !== undefined ? { tier } : {}), settled: settled(file, name, SuiteStatus.Pass, line, notRunReport(name, SuiteStatus.Pass, "validated (dry-run or pre-execution)", target, tier), tier) };
      }
      return { key, file, name, ...(tier !== undefined ? { tier } : {}), experiment, keys: conflictKeys(experiment, graph) };
    });
  }

  async function execute(entry: Prepared): Promise<SuiteEntryResult> {
    const experiment = entry.experiment!;
    const { name, file } = entry;
    const tier = experiment.spec.tier;
    const startedAt = Date.now();
    await state.set(entry.key, { state: "running", name, file, ...(tier !== undefined ? { tier } : {}), startedAt });
    progress(`${stamp()} ${name}: started`);
    let watch: CollateralWatch | undefined;
    let line: string;
    let status: SuiteStatus;
    let report: ExperimentReport;
    try {
      if (!access) throw new Error("no cluster credentials");
      const dependents = graph.dependentsOf(experiment.spec.target.operator, experiment.spec.target.component);
      if (dependents.length > 0) watch = await CollateralWatch.start(access, dependents, options.signal);
      const result = await runExperiment({
        experiment, kubeconfig: options.kubeconfig!, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.holdMs !== undefined ? { holdMs: options.holdMs } : {}),
        ...(options.stabilityWindowMs !== undefined ? { stabilityWindowMs: options.stabilityWindowMs } : {}),
        ...(options.goTiming ? { goTiming: true } : {}),
        ...(options.probe === false ? { probe: false } : {}),
        ...(options.lockNamespace ? { lockNamespace: options.lockNamespace } : {}),
        // The models of the target's operator only: the others feed the graph (an experiment on an
        // operator no model describes runs without one, rather than being refused).
        knowledge: (options.knowledge ?? []).filter((model) => model.operator.name === experiment.spec.target.operator),
        progress: (text) => progress(`${stamp()} ${name}: ${text}`),
      });
      report = result.report;
      if (watch) {
        const findings = watch.findings(injectionInstant(report));
        for (const finding of findings) progress(`${stamp()} ${name}: dependent ${finding.operator}/${finding.component} ${finding.detail}`);
        report = applyCollateral(report, findings);
      }
      if (result.cleanupError) progress(`WARNING: cleanup error in ${name}: ${result.cleanupError}`);
      ({ line, status } = verdictLine(name, report.evaluation.verdict, reportRecoveryMs(report), (report.evaluation.deviations ?? []).length));
      if (result.error) progress(`${stamp()} ${name}: stopped: ${result.error}`);
    } catch (error) {
      line = errorLine(name, (error as Error).message);
      status = SuiteStatus.Fail;
      report = notRunReport(name, SuiteStatus.Fail, (error as Error).message, experiment.spec.target, tier);
    } finally {
      watch?.stop();
    }
    const endedAt = Date.now();
    let reportFile: string | undefined;
    if (options.reportDir) {
      const written = await writeExperimentReport(path.join(options.reportDir, "experiments"), report);
      reportFile = path.relative(options.reportDir, written.json);
    }
    // An interrupted run is not finished: --resume runs it again.
    const interrupted = options.signal?.aborted ?? false;
    await state.set(entry.key, {
      state: interrupted ? "running" : "done", name, file, line, status, ...(tier !== undefined ? { tier } : {}),
      ...(reportFile ? { report: reportFile } : {}), startedAt, endedAt,
    });
    progress(`${stamp()} ${line}`);
    return { file, name, status, line, ...(tier !== undefined ? { tier } : {}), report, origin: "ran", startedAt, endedAt };
  }

  function resumed(file: string, previous: NonNullable<ReturnType<SuiteState["get"]>>): SuiteEntryResult {
    return {
      file, name: previous.name, status: previous.status!, line: previous.line!, ...(previous.tier !== undefined ? { tier: previous.tier } : {}),
      report: notRunReport(previous.name, previous.status!, "finished before the resume"), origin: "resumed",
      ...(previous.startedAt !== undefined ? { startedAt: previous.startedAt } : {}), ...(previous.endedAt !== undefined ? { endedAt: previous.endedAt } : {}),
      ...(previous.report ? { reportFile: previous.report } : {}),
    } as SuiteEntryResult;
  }
}

function settled(file: string, name: string, status: SuiteStatus, line: string, report: ExperimentReport, tier?: number): SuiteEntryResult {
  return { file, name, status, line, ...(tier !== undefined ? { tier } : {}), report, origin: "not-run" };
}

/** Loads the reports of resumed entries from their files (kept in the report folder). */
async function loadResumedReports(dir: string, entries: readonly SuiteEntryResult[]): Promise<void> {
  for (const entry of entries) {
    const file = (entry as SuiteEntryResult & { reportFile?: string }).reportFile;
    if (entry.origin !== "resumed" || !file) continue;
    try {
      (entry as { report: ExperimentReport }).report = JSON.parse(await readFile(path.join(dir, file), "utf8")) as ExperimentReport;
    } catch {
      // the state names a report that is gone: keep the synthetic one
    }
  }
}
