// The Go tool's suite output, line for line: `PASS  name (Resilient, 12s recovery, 0 deviations)`,
// `FAIL …`, `SKIP …`, `VALID name (Type)`, and `Suite summary: P passed, F failed, S skipped (total: N)
// | tiers: T1=a T2=b`. Pure.

export const SuiteStatus = { Pass: "pass", Fail: "fail", Skip: "skip" } as const;
export type SuiteStatus = (typeof SuiteStatus)[keyof typeof SuiteStatus];

const MIN_TIER = 1;
const MAX_TIER = 6;

/** Go's time.Duration.String() of a duration rounded to whole seconds, e.g. 0s, 45s, 1m5s, 2h0m3s. */
export function goSeconds(ms: number): string {
  const total = Math.round(Math.max(0, ms) / 1000);
  if (total === 0) return "0s";
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

export function verdictLine(name: string, verdict: string, recoveryMs: number | null, deviations: number): { line: string; status: SuiteStatus } {
  const detail = `${name} (${verdict}, ${goSeconds(recoveryMs ?? 0)} recovery, ${deviations} deviations)`;
  if (verdict === "Resilient") return { line: `PASS  ${detail}`, status: SuiteStatus.Pass };
  if (verdict === "Inconclusive") return { line: `SKIP  ${detail}`, status: SuiteStatus.Skip };
  return { line: `FAIL  ${detail}`, status: SuiteStatus.Fail };
}

export const loadSkipLine = (file: string, message: string) => `SKIP  ${file}: ${message}`;
export const tierSkipLine = (name: string, tier: number, maxTier: number) => `SKIP  ${name} (tier ${tier} > max-tier ${maxTier})`;
export const invalidSkipLine = (file: string, errors: number) => `SKIP  ${file}: ${errors} validation errors`;
export const validLine = (name: string, type: string) => `VALID ${name} (${type})`;
export const errorLine = (name: string, message: string) => `FAIL  ${name}: ${message}`;

export function summaryLine(statuses: readonly SuiteStatus[], tiers: readonly (number | undefined)[], total: number): string {
  const count = (status: SuiteStatus) => statuses.filter((s) => s === status).length;
  const perTier = new Map<number, number>();
  for (const tier of tiers) if (tier !== undefined && tier > 0) perTier.set(tier, (perTier.get(tier) ?? 0) + 1);
  let suffix = "";
  if (perTier.size > 0) {
    suffix = " | tiers:";
    for (let tier = MIN_TIER; tier <= MAX_TIER; tier++) if (perTier.has(tier)) suffix += ` T${tier}=${perTier.get(tier)}`;
  }
  return `Suite summary: ${count(SuiteStatus.Pass)} passed, ${count(SuiteStatus.Fail)} failed, ${count(SuiteStatus.Skip)} skipped (total: ${total})${suffix}`;
}
