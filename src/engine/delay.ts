// Deliberate timers of a run's lifecycle (the hold, Go timing, backoff between retries, a suite's
// cooldown) — never polls. Each one ends early when its signal aborts, and removes its abort listener
// when it fires, so a long-lived signal does not collect listeners.

/** Waits `ms`; rejects with the signal's reason (an Error) as soon as it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveDelay, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolveDelay();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal.throwIfAborted();
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Waits `ms`, or less when the signal aborts; never rejects (the caller checks `signal.aborted`). */
export async function pauseUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) {
    await new Promise((resolvePause) => setTimeout(resolvePause, ms));
    return;
  }
  await abortableDelay(ms, signal).catch(() => undefined);
}
