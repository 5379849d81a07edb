// Colours for people at a terminal, never for pipes, files or anyone who asked for none. picocolors
// does the escaping; the decision is ours because it is per stream (stdout may be piped while stderr
// is a terminal) and NO_COLOR must win over everything (https://no-color.org).

import picocolors from "picocolors";

type Colors = ReturnType<typeof picocolors.createColors>;

interface Stream {
  readonly isTTY?: boolean;
}

/** Whether to colour what goes to this stream, given the environment. */
export function colourEnabled(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "") return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return stream.isTTY === true && env.TERM !== "dumb";
}

const cache = new Map<Stream, Colors>();

/** The formatters for one stream (identity functions when colour is off). */
export function colours(stream: Stream = process.stdout): Colors {
  let found = cache.get(stream);
  if (found === undefined) {
    found = picocolors.createColors(colourEnabled(stream));
    cache.set(stream, found);
  }
  return found;
}

/** Formatters for a stream under a given environment (not cached). */
export function coloursFor(stream: Stream, env: NodeJS.ProcessEnv): Colors {
  return picocolors.createColors(colourEnabled(stream, env));
}

/** A verdict or status word, coloured by what it means. */
export function statusColour(word: string, c: Colors = colours()): string {
  if (/^(Resilient|valid|healthy|reverted|PASS|ok|present|low)$/i.test(word)) return c.green(word);
  if (/^(Degraded|warning|skipped|SKIP|Inconclusive|medium)$/i.test(word)) return c.yellow(word);
  if (/^(Failed|error|invalid|FAIL|failed|missing|denied|high|unhealthy)$/i.test(word)) return c.red(word);
  return word;
}
