/**
 * Test hooks of the reliability harness (test/reliability). Nothing but the harness sets these
 * variables; unset, every function here does nothing.
 *
 * - OPERATOR_CHAOS_CRASH_AT=<step>: the CLI SIGKILLs itself right at that step, so the harness can
 *   prove that `clean` (or the next run) restores everything.
 * - OPERATOR_CHAOS_PAUSE_AT=<step>: the CLI stops at that step, says so on stderr, and goes on
 *   when it receives SIGUSR2 (e.g. once the harness has taken the API server down mid-revert).
 * - OPERATOR_CHAOS_TEST_BREAK_REVERT=<faultType>: reverts of journal records of that fault type do
 *   nothing, yet the record is removed as if they had worked — a deliberately broken revert, so
 *   the harness can show that it detects one.
 */
export const CrashPoint = {
  /** Inside Journal.write: the record exists on the cluster, the mutation it describes does not yet. */
  JournalWritten: "journal-written",
  /** The fault's mutations were made. */
  Mutated: "mutated",
  /** Observing started (a sustained fault is being held). */
  Observing: "observing",
  /** The run is about to revert its journaled changes. */
  Reverting: "reverting",
  /** A record's revert was applied on the cluster; the record is not removed yet. */
  Reverted: "reverted",
} as const;
export type CrashPoint = (typeof CrashPoint)[keyof typeof CrashPoint];

/** Steps of `clean` where the harness may pause it (to start two cleans' reverts at one instant). */
export const CleanStep = {
  /** A record of a dead run was found and is about to be claimed and reverted. */
  Reverting: "clean-reverting",
} as const;
export type CleanStep = (typeof CleanStep)[keyof typeof CleanStep];

export const CRASH_AT_ENV = "OPERATOR_CHAOS_CRASH_AT";
export const PAUSE_AT_ENV = "OPERATOR_CHAOS_PAUSE_AT";
export const BREAK_REVERT_ENV = "OPERATOR_CHAOS_TEST_BREAK_REVERT";
/** A paused run goes on by itself after this long, so a harness that died cannot leave it hanging. */
const MAX_PAUSE_MS = 10 * 60_000;

export function crashPoint(step: CrashPoint | CleanStep): void {
  if (process.env[CRASH_AT_ENV] === step) process.kill(process.pid, "SIGKILL");
}

/** crashPoint, then (when OPERATOR_CHAOS_PAUSE_AT names this step) wait for SIGUSR2. */
export async function testStep(step: CrashPoint | CleanStep): Promise<void> {
  crashPoint(step);
  if (process.env[PAUSE_AT_ENV] !== step) return;
  await new Promise<void>((resume) => {
    const timer = setTimeout(done, MAX_PAUSE_MS);
    function done() {
      clearTimeout(timer);
      process.removeListener("SIGUSR2", done);
      resume();
    }
    process.once("SIGUSR2", done);
    // Said only once the handler is in place: a signal sent on reading this line is never lost.
    process.stderr.write(`operator-chaos: test hook: paused at ${step}; send SIGUSR2 to continue\n`);
  });
}

/** TEST ONLY: whether OPERATOR_CHAOS_TEST_BREAK_REVERT asks for reverts of this fault type to be skipped. */
export function revertBrokenForTest(faultType: string): boolean {
  return process.env[BREAK_REVERT_ENV] === faultType;
}
