/**
 * Named steps where the cluster may have changed. The reliability harness sets
 * OPERATOR_CHAOS_CRASH_AT=<step> to have the CLI SIGKILL itself right there, so it can prove
 * that `clean` (or the next run) restores everything. Nothing else sets it.
 */
export const CrashPoint = {
  JournalWritten: "journal-written",
  Mutated: "mutated",
  Observing: "observing",
  Reverting: "reverting",
} as const;
export type CrashPoint = (typeof CrashPoint)[keyof typeof CrashPoint];

export function crashPoint(step: CrashPoint): void {
  if (process.env.OPERATOR_CHAOS_CRASH_AT === step) process.kill(process.pid, "SIGKILL");
}
