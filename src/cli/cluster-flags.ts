// Parsing of the kubectl-like cluster flags (--request-timeout, -v); see output.ts for their declaration.

import { Duration } from "../experiment/duration.js";

/** A bad flag value; main.ts turns an error of this name into exit status 2. */
export class ClusterFlagError extends Error {
  override readonly name = "UsageError";
}

/** `--request-timeout`: milliseconds (0: no limit, as kubectl), or undefined when not given. */
export function requestTimeoutMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // kubectl accepts a bare number of seconds as well as a duration.
  const parsed = /^\d+$/.test(text) ? Duration.tryParse(`${text}s`) : Duration.tryParse(text);
  if (!parsed.ok || parsed.value.milliseconds < 0) {
    throw new ClusterFlagError(`--request-timeout: ${parsed.ok ? "must not be negative" : parsed.error} (expected a duration such as 5s, or 0 for no limit)`);
  }
  return parsed.value.milliseconds;
}
