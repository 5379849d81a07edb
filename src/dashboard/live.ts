// What runs now, as the cluster shows it: CLI runs (their lock Lease and journal records) and
// controller-mode ChaosExperiments not yet finished. Kept in memory; every change is pushed to the
// browsers as a server-sent event. Pure state: the watches in ingest-cluster.ts feed it.

/** Where a CLI run is, as far as its cluster objects tell. */
export const LivePhase = {
  /** The lock is held; no fault is journaled (steady-state check, or an instantaneous fault). */
  Running: "Running",
  /** A journaled fault is in place. */
  FaultHeld: "FaultHeld",
  /** Every journaled fault was reverted; the run is observing or reporting. */
  Reverted: "Reverted",
} as const;
export type LivePhase = (typeof LivePhase)[keyof typeof LivePhase];

export interface LiveFault {
  faultType: string;
  target: string;
  since: string;
}

export interface LiveRun {
  id: string;
  kind: "cli" | "controller";
  operator: string;
  experiment: string;
  namespace: string;
  /** A LivePhase for CLI runs; the ChaosExperiment's status.phase for controller runs. */
  phase: string;
  startedAt: string;
  updatedAt: string;
  faults: LiveFault[];
}

export type LiveChange = { type: "upsert"; run: LiveRun } | { type: "remove"; id: string };

export class LiveBoard {
  private readonly runs = new Map<string, LiveRun>();
  /** Journal records by record id, with the operator whose run they belong to. */
  private readonly records = new Map<string, { operator: string; experiment: string; fault: LiveFault }>();
  private readonly hadFaults = new Set<string>();
  private readonly listeners = new Set<(change: LiveChange) => void>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  list(): LiveRun[] {
    return [...this.runs.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  subscribe(listener: (change: LiveChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A lock Lease: a held lock is a CLI run of that operator. */
  lease(namespace: string, name: string, operator: string, holder: string | undefined, acquiredAt: string | undefined): void {
    const id = `cli/${namespace}/${name}`;
    if (!holder) return this.remove(id);
    const existing = this.runs.get(id);
    const run: LiveRun = existing ?? {
      id, kind: "cli", operator, experiment: "", namespace, phase: LivePhase.Running,
      startedAt: acquiredAt ?? this.now().toISOString(), updatedAt: this.now().toISOString(), faults: [],
    };
    this.refreshCli(run);
  }

  leaseGone(namespace: string, name: string): void {
    this.remove(`cli/${namespace}/${name}`);
  }

  /** A journal record: a fault in place for the run of `operator`. */
  record(id: string, operator: string, experiment: string, fault: LiveFault): void {
    this.records.set(id, { operator, experiment, fault });
    for (const run of this.runs.values()) if (run.kind === "cli" && run.operator === operator) this.refreshCli(run);
  }

  recordGone(id: string): void {
    const record = this.records.get(id);
    if (record === undefined) return;
    this.records.delete(id);
    for (const run of this.runs.values()) if (run.kind === "cli" && run.operator === record.operator) this.refreshCli(run);
  }

  /** A ChaosExperiment; `finished` ones leave the board (their result goes to the history). */
  controller(namespace: string, name: string, operator: string, phase: string, startedAt: string | undefined, faultType: string, finished: boolean): void {
    const id = `controller/${namespace}/${name}`;
    if (finished) return this.remove(id);
    const existing = this.runs.get(id);
    this.set({
      id, kind: "controller", operator, experiment: name, namespace, phase: phase || "Pending",
      startedAt: existing?.startedAt ?? startedAt ?? this.now().toISOString(), updatedAt: this.now().toISOString(),
      faults: faultType ? [{ faultType, target: "", since: startedAt ?? "" }] : [],
    });
  }

  controllerGone(namespace: string, name: string): void {
    this.remove(`controller/${namespace}/${name}`);
  }

  private refreshCli(run: LiveRun): void {
    const mine = [...this.records.values()].filter((record) => record.operator === run.operator);
    if (mine.length > 0) this.hadFaults.add(run.id);
    const phase = mine.length > 0 ? LivePhase.FaultHeld : this.hadFaults.has(run.id) ? LivePhase.Reverted : LivePhase.Running;
    const experiment = mine[0]?.experiment || run.experiment;
    const faults = mine.map((record) => record.fault);
    const changed = !this.runs.has(run.id) || run.phase !== phase || run.experiment !== experiment || JSON.stringify(run.faults) !== JSON.stringify(faults);
    if (!changed) return;
    this.set({ ...run, phase, experiment, faults, updatedAt: this.now().toISOString() });
  }

  private set(run: LiveRun): void {
    this.runs.set(run.id, run);
    this.emit({ type: "upsert", run });
  }

  private remove(id: string): void {
    if (!this.runs.delete(id)) return;
    this.hadFaults.delete(id);
    this.emit({ type: "remove", id });
  }

  private emit(change: LiveChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
