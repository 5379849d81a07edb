import { setTimeout as delay } from "node:timers/promises";

export interface WaitOptions {
  /** A hard deadline: the wait fails with a message naming `what` when it passes. */
  timeoutMs: number;
  /** How often to re-check a condition that has no event to wait on (process exit, HTTP health). */
  intervalMs: number;
  what: string;
  signal?: AbortSignal | undefined;
}

/**
 * Re-checks a condition until it holds. Only for things that cannot be watched (a process's
 * exit when it is not our child, an HTTP health endpoint); cluster state is observed with watches.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${reason}`);
    }
    await delay(options.intervalMs, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
