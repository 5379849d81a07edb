// Helpers the runnable faults share.
import { randomInt } from "node:crypto";

/** Fisher–Yates with a cryptographic source: which pods die must not be predictable or biased. */
export function randomSubset<T>(items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}
