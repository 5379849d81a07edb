// Prometheus metrics (prom-client). The Go tool's series are recomputed from the current set of
// ChaosExperiment objects at each scrape (deleting objects lowers them); run duration and revert
// failures are ours and accumulate in this process.

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { Duration } from "../experiment/duration.js";
import { RunPhase } from "../experiment/enums.js";
import { ACTIVE_PHASES } from "./status.js";

export const MetricName = {
  Verdicts: "chaosexperiment_verdicts",
  Injections: "chaosexperiment_injections",
  ActiveExperiments: "chaosexperiment_active_experiments",
  Deviations: "chaosexperiment_deviations",
  RecoverySeconds: "chaosexperiment_recovery_seconds",
  RecoveryCycles: "chaosexperiment_recovery_cycles",
  RunDurationSeconds: "chaosexperiment_run_duration_seconds",
  RevertFailures: "chaosexperiment_revert_failures_total",
} as const;

export const RECOVERY_SECONDS_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300];
export const RECOVERY_CYCLES_BUCKETS = [1, 2, 3, 5, 10, 20, 50];

/** The fields of an object the metrics read. */
export interface MetricsObject {
  spec?: { target?: { operator?: string; component?: string }; injection?: { type?: string } };
  status?: { phase?: string; verdict?: string; evaluationResult?: { recoveryTime?: string; reconcileCycles?: number; deviations?: string[] } };
}

type Labels = Record<string, string>;
export interface Sample { labels: Labels; value: number }

export interface Snapshot {
  verdicts: Sample[];
  injections: Sample[];
  active: Sample[];
  deviations: Sample[];
  recoverySeconds: { labels: Labels; value: number }[];
  recoveryCycles: { labels: Labels; value: number }[];
}

/** The Go tool's series from a set of objects (pure). */
export function snapshot(objects: Iterable<MetricsObject>): Snapshot {
  const counts = { verdicts: new Map<string, Sample>(), injections: new Map<string, Sample>(), active: new Map<string, Sample>(), deviations: new Map<string, Sample>() };
  const bump = (map: Map<string, Sample>, labels: Labels) => {
    const key = JSON.stringify(labels);
    const sample = map.get(key) ?? { labels, value: 0 };
    sample.value += 1;
    map.set(key, sample);
  };
  const recoverySeconds: Snapshot["recoverySeconds"] = [];
  const recoveryCycles: Snapshot["recoveryCycles"] = [];
  for (const object of objects) {
    const base = {
      operator: object.spec?.target?.operator ?? "", component: object.spec?.target?.component ?? "", injection_type: object.spec?.injection?.type ?? "",
    };
    const phase = object.status?.phase ?? "";
    const active = ACTIVE_PHASES.has(phase) && phase !== RunPhase.Pending;
    if (active) bump(counts.active, { operator: base.operator });
    if (phase === RunPhase.Complete || phase === RunPhase.Aborted || active) bump(counts.injections, base);
    if (phase !== RunPhase.Complete) continue;
    bump(counts.verdicts, { ...base, verdict: object.status?.verdict ?? "" });
    const result = object.status?.evaluationResult;
    for (const deviation of result?.deviations ?? []) bump(counts.deviations, { ...base, deviation_type: deviation.split(":")[0]!.trim() });
    const parsed = result?.recoveryTime ? Duration.tryParse(result.recoveryTime) : undefined;
    if (parsed?.ok) recoverySeconds.push({ labels: base, value: parsed.value.milliseconds / 1000 });
    if (result?.reconcileCycles !== undefined) recoveryCycles.push({ labels: base, value: result.reconcileCycles });
  }
  return {
    verdicts: [...counts.verdicts.values()], injections: [...counts.injections.values()], active: [...counts.active.values()],
    deviations: [...counts.deviations.values()], recoverySeconds, recoveryCycles,
  };
}

const EXPERIMENT_LABELS = ["operator", "component", "injection_type"] as const;

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly runDuration: Histogram<"operator" | "injection_type" | "phase">;
  readonly revertFailures: Counter<"operator" | "injection_type">;

  constructor(objects: () => Iterable<MetricsObject>) {
    const registers = [this.registry];
    // Each series computes from the objects in memory (the watch cache): no API request per scrape.
    const take = () => snapshot(objects());
    const gauge = (name: string, help: string, labelNames: readonly string[], pick: (s: Snapshot) => Sample[]) => new Gauge({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        for (const sample of pick(take())) this.set(sample.labels, sample.value);
      },
    });
    gauge(MetricName.Verdicts, "Completed experiments by verdict.", [...EXPERIMENT_LABELS, "verdict"], (s) => s.verdicts);
    gauge(MetricName.Injections, "Experiments that injected (complete, active or aborted).", EXPERIMENT_LABELS, (s) => s.injections);
    gauge(MetricName.ActiveExperiments, "Experiments between SteadyStatePre and Evaluating.", ["operator"], (s) => s.active);
    gauge(MetricName.Deviations, "Deviations of completed experiments, by type.", [...EXPERIMENT_LABELS, "deviation_type"], (s) => s.deviations);
    const histogram = (name: string, help: string, buckets: number[], pick: (s: Snapshot) => Sample[]) => new Histogram({
      name, help, buckets, labelNames: EXPERIMENT_LABELS, registers,
      collect() {
        this.reset();
        for (const sample of pick(take())) this.observe(sample.labels, sample.value);
      },
    });
    histogram(MetricName.RecoverySeconds, "Recovery time of completed experiments.", RECOVERY_SECONDS_BUCKETS, (s) => s.recoverySeconds);
    histogram(MetricName.RecoveryCycles, "Reconcile cycles of completed experiments.", RECOVERY_CYCLES_BUCKETS, (s) => s.recoveryCycles);
    this.runDuration = new Histogram({
      name: MetricName.RunDurationSeconds, help: "Wall time of the runs this controller ran, by final phase.",
      labelNames: ["operator", "injection_type", "phase"], buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600], registers,
    });
    this.revertFailures = new Counter({
      name: MetricName.RevertFailures, help: "Runs whose revert failed (the fault stayed active for clean).",
      labelNames: ["operator", "injection_type"], registers,
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
