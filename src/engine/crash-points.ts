/**
 * Test hooks of the reliability harness (test/reliability). They take TWO keys: the process must
 * have been started with the harness's preload module (`node --import test/support/test-hooks.mjs`,
 * which sets TEST_HOOKS_KEY on globalThis), and a variable must name the step. The shipped CLI never
 * loads that module, so a stray variable in a user's environment cannot switch the safety net off.
 *
 * - OPERATOR_CHAOS_CRASH_AT=<step>: the CLI SIGKILLs itself right at that step, so the harness can
 *   prove that `clean` (or the next run) restores everything.
 * - OPERATOR_CHAOS_THROW_AT=<step>: the step throws an error instead (e.g. right after the journal
 *   write), as an API call that times out would; `after-mutation` makes the first cluster change
 *   after a journal write throw once the server has applied it (a lost answer).
 * - OPERATOR_CHAOS_PAUSE_AT=<step>: the CLI stops at that step, says so on stderr, and goes on
 *   when it receives SIGUSR2 (e.g. once the harness has taken the API server down mid-revert).
 * - OPERATOR_CHAOS_TEST_BREAK_REVERT=<faultType>: reverts of journal records of that fault type do
 *   nothing, yet the record is removed as if they had worked — a deliberately broken revert, so
 *   the harness can show that it detects one.
 * - OPERATOR_CHAOS_TEST_FAIL_REVERT_ONCE=<faultType>: the first revert attempt of that fault type
 *   fails with a 503, as an API server that is restarting answers; the retry must then succeed.
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

/** OPERATOR_CHAOS_THROW_AT=after-mutation: see the module comment. */
export const AFTER_MUTATION = "after-mutation";

export const CRASH_AT_ENV = "OPERATOR_CHAOS_CRASH_AT";
export const THROW_AT_ENV = "OPERATOR_CHAOS_THROW_AT";
export const PAUSE_AT_ENV = "OPERATOR_CHAOS_PAUSE_AT";
export const BREAK_REVERT_ENV = "OPERATOR_CHAOS_TEST_BREAK_REVERT";
export const FAIL_REVERT_ONCE_ENV = "OPERATOR_CHAOS_TEST_FAIL_REVERT_ONCE";
export const TEST_HOOK_ENVS = [CRASH_AT_ENV, THROW_AT_ENV, PAUSE_AT_ENV, BREAK_REVERT_ENV, FAIL_REVERT_ONCE_ENV] as const;
/** The second key: set on globalThis by test/support/test-hooks.mjs, and by nothing else. */
export const TEST_HOOKS_KEY = Symbol.for("operator-chaos.reliability-harness.test-hooks");
/** A paused run goes on by itself after this long, so a harness that died cannot leave it hanging. */
const MAX_PAUSE_MS = 10 * 60_000;

/** Whether this process was started by the harness (the preload module ran). */
export function testHooksEnabled(): boolean {
  return (globalThis as Record<symbol, unknown>)[TEST_HOOKS_KEY] === true;
}

/** The value of a hook variable, or undefined unless the harness started this process. */
function hook(name: (typeof TEST_HOOK_ENVS)[number]): string | undefined {
  return testHooksEnabled() ? process.env[name] : undefined;
}

/** The error a THROW_AT hook throws: looks like a request whose answer never came. */
export class TestHookError extends Error {}

let mutationTrapArmed = false;

export function crashPoint(step: CrashPoint | CleanStep): void {
  if (!testHooksEnabled()) return;
  if (hook(CRASH_AT_ENV) === step) process.kill(process.pid, "SIGKILL");
  if (step === CrashPoint.JournalWritten && hook(THROW_AT_ENV) === AFTER_MUTATION) mutationTrapArmed = true;
  if (hook(THROW_AT_ENV) === step) throw new TestHookError(`test hook: ${step}: no answer within 30000 ms (simulated)`);
}

interface RequestSender {
  request(method: string, path: string, params?: { body?: unknown }): Promise<unknown>;
}

/**
 * For THROW_AT=after-mutation: makes the first successful cluster write after a journal write that
 * is not bookkeeping (journal records, the lock Lease, the result ConfigMap) throw, once the server has applied it. Does nothing
 * unless the harness started this process with that hook.
 */
export function instrumentForTest(rest: RequestSender): void {
  if (hook(THROW_AT_ENV) !== AFTER_MUTATION) return;
  const send = rest.request.bind(rest);
  rest.request = async (method, path, params) => {
    const answer = await send(method, path, params);
    const name = (params?.body as { metadata?: { name?: string } } | undefined)?.metadata?.name ?? "";
    // Ours: the lock Lease, journal records, the result ConfigMap (by path, or by the body's name for a create).
    const bookkeeping = /\/(operator-chaos-lock-|operator-chaos-journal-|chaos-result-)/.test(path) || /^(operator-chaos-lock-|operator-chaos-journal-|chaos-result-)/.test(name);
    if (mutationTrapArmed && method !== "GET" && !bookkeeping) {
      mutationTrapArmed = false;
      throw new TestHookError(`test hook: ${method} ${path}: the server applied the change, its answer was lost (simulated)`);
    }
    return answer;
  };
}

/** crashPoint, then (when OPERATOR_CHAOS_PAUSE_AT names this step) wait for SIGUSR2. */
export async function testStep(step: CrashPoint | CleanStep): Promise<void> {
  crashPoint(step);
  if (hook(PAUSE_AT_ENV) !== step) return;
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
  return hook(BREAK_REVERT_ENV) === faultType;
}

const failedOnce = new Set<string>();

/** TEST ONLY: throws a 503-like error on the first revert attempt of the fault type OPERATOR_CHAOS_TEST_FAIL_REVERT_ONCE names. */
export function failRevertOnceForTest(faultType: string): void {
  if (hook(FAIL_REVERT_ONCE_ENV) !== faultType || failedOnce.has(faultType)) return;
  failedOnce.add(faultType);
  throw Object.assign(new TestHookError(`test hook: revert of ${faultType}: the server is restarting (HTTP 503, simulated)`), { status: 503 });
}
