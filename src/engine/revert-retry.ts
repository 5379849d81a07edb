// Reverts are retried: a fault must not stay on the cluster because the API server restarted, was
// briefly overloaded, or a connection dropped at the wrong moment. Every revert restores the state
// the journal recorded, so running it again is safe. Retries have their own deadline, independent
// of the run's (an interrupted or timed-out run still gets its full revert time).

import { KubeApiError } from "../kube/errors.js";
import { abortableDelay } from "./delay.js";

/** How long reverts may keep retrying, by default. */
export const DEFAULT_REVERT_TIMEOUT_MS = 60_000;

/** Error codes of connections that failed or broke: the server may be back a moment later. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN", "EAI_AGAIN",
  "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "ERR_STREAM_PREMATURE_CLOSE",
]);

/**
 * Whether an error may go away by itself: a network error, a request that got no answer in time,
 * 429 Too Many Requests, a 5xx, or a 409 Conflict (the object changed between read and write; the
 * revert reads it again). A 403, 404, 422 … is final.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof KubeApiError) return error.status === 429 || error.status === 409 || error.status >= 500;
  if (!(error instanceof Error)) return false;
  const { code, status } = error as Error & { code?: unknown; status?: unknown };
  if (typeof status === "number") return status === 429 || status >= 500;
  if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
  if (error.cause !== undefined && error.cause !== error) return isTransient(error.cause);
  return /no answer within|socket hang up|network socket disconnected/i.test(error.message);
}

/** The pause before attempt `attempt + 1`: 250 ms doubling to 4 s, with up to 20 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(4_000, 250 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + 0.2 * random()));
}

export interface RetryReport {
  /** Attempts made, the first included. */
  attempts: number;
  /** The errors of the failed attempts, oldest first. */
  failures: string[];
}

export interface RetryOptions {
  /** Ends the retries (the revert deadline). */
  signal: AbortSignal;
  /** Told about each failed attempt that will be retried. */
  onRetry?: (error: Error, attempt: number, delayMs: number) => void;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export class RetryExhaustedError extends Error {
  constructor(message: string, readonly report: RetryReport, readonly lastError: unknown) {
    super(message);
  }
}

/**
 * Runs `attempt` until it succeeds, the error is final, or the signal ends the retries (then the
 * last error is thrown as RetryExhaustedError, naming how many attempts were made).
 */
export async function retryTransient<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<{ value: T; report: RetryReport }> {
  const sleep = options.sleep ?? abortableDelay;
  const report: RetryReport = { attempts: 0, failures: [] };
  for (;;) {
    report.attempts += 1;
    try {
      return { value: await attempt(), report };
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      report.failures.push(message);
      const final = !isTransient(error);
      if (final || options.signal.aborted) {
        const why = final ? "" : " (revert deadline reached)";
        throw new RetryExhaustedError(`${message}${why}; ${report.attempts} attempt(s)`, report, error);
      }
      const delay = backoffMs(report.attempts);
      options.onRetry?.(error as Error, report.attempts, delay);
      try {
        await sleep(delay, options.signal);
      } catch {
        throw new RetryExhaustedError(`${message} (revert deadline reached); ${report.attempts} attempt(s)`, report, error);
      }
    }
  }
}
