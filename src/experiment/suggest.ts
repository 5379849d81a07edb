// "Did you mean …?" for misspelt field names, enum values and parameter names.

/** Optimal string alignment distance: Levenshtein plus transposition of neighbours ("tpye" → "type" costs 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/** The most letters a plausible typo changes. */
const MAX_TYPO = 3;

/**
 * The candidate closest to `input`, if it is close enough to be a plausible typo: a different letter
 * case, or at most a third of the word's letters changed (and never more than 3).
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  const lowered = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const other = candidate.toLowerCase();
    // The distance is at least the difference in length, and more than MAX_TYPO never counts: skip
    // the quadratic comparison (an input may be a 1 MiB string).
    if (other !== lowered && Math.abs(other.length - lowered.length) > MAX_TYPO) continue;
    const distance = other === lowered ? 0 : editDistance(lowered, other);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.min(MAX_TYPO, Math.max(1, Math.floor(Math.max(input.length, best.length) / 3)));
  return bestDistance <= allowed ? best : undefined;
}

/** `; did you mean "x"?` or "" — ready to append to a message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closestMatch(input, candidates);
  return match === undefined ? "" : `; did you mean ${JSON.stringify(match)}?`;
}
