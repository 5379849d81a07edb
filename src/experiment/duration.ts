// Durations written the way Go's time.ParseDuration reads them ("300s", "1m30s", "500ms", "1.5h",
// "-2s", "0"), kept as whole nanoseconds (bigint) so nothing is lost between parse and print, and
// printed the way Go prints them ("1h0m0s", "1m30s", "500ms") so reports match the Go tool.

const NANOSECOND = 1n;
const MICROSECOND = 1000n * NANOSECOND;
const MILLISECOND = 1000n * MICROSECOND;
const SECOND = 1000n * MILLISECOND;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

/** Go's Duration is an int64 of nanoseconds; anything outside is an overflow there, so here too. */
const MAX_NANOSECONDS = (1n << 63n) - 1n;
const MIN_NANOSECONDS = -(1n << 63n);

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", NANOSECOND],
  ["us", MICROSECOND],
  ["\u00b5s", MICROSECOND], // micro sign
  ["\u03bcs", MICROSECOND], // Greek mu
  ["ms", MILLISECOND],
  ["s", SECOND],
  ["m", MINUTE],
  ["h", HOUR],
]);

/**
 * The accepted syntax as a regular expression, for the JSON Schema (editors) and the CRD. The parser
 * below is the authority: it also rejects values that overflow.
 */
export const GO_DURATION_PATTERN = "^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$";

export class DurationParseError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid duration ${JSON.stringify(input)}: ${reason}`);
    this.name = "DurationParseError";
  }
}

export type DurationParseResult = { ok: true; value: Duration } | { ok: false; error: string };

export class Duration {
  static readonly ZERO = new Duration(0n);
  static readonly MILLISECOND = new Duration(MILLISECOND);
  static readonly SECOND = new Duration(SECOND);
  static readonly MINUTE = new Duration(MINUTE);
  static readonly HOUR = new Duration(HOUR);

  private constructor(readonly nanoseconds: bigint) {}

  static fromNanoseconds(nanoseconds: bigint): Duration {
    if (nanoseconds > MAX_NANOSECONDS || nanoseconds < MIN_NANOSECONDS) {
      throw new RangeError(`duration of ${nanoseconds}ns is out of range`);
    }
    return new Duration(nanoseconds);
  }

  static fromMilliseconds(milliseconds: number): Duration {
    if (!Number.isFinite(milliseconds)) throw new RangeError(`duration of ${milliseconds}ms is not finite`);
    return Duration.fromNanoseconds(BigInt(Math.trunc(milliseconds * 1e6)));
  }

  static fromSeconds(seconds: number): Duration {
    return Duration.fromMilliseconds(seconds * 1000);
  }

  /** Parses Go syntax; throws DurationParseError. */
  static parse(text: string): Duration {
    const result = Duration.tryParse(text);
    if (!result.ok) throw new DurationParseError(text, result.error);
    return result.value;
  }

  /** Parses Go syntax without throwing; `error` says what is wrong. */
  static tryParse(text: string): DurationParseResult {
    const fail = (error: string): DurationParseResult => ({ ok: false, error });
    let rest = text;
    let negative = false;
    if (rest.startsWith("-") || rest.startsWith("+")) {
      negative = rest.startsWith("-");
      rest = rest.slice(1);
    }
    if (rest === "0") return { ok: true, value: Duration.ZERO };
    if (rest === "") return fail("empty (write a number and a unit, e.g. 30s)");
    let total = 0n;
    while (rest !== "") {
      const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest);
      const whole = number?.[1] ?? "";
      const fraction = number?.[2];
      if (whole === "" && (fraction === undefined || fraction === "")) {
        return fail(`expected a number at ${JSON.stringify(rest)}`);
      }
      rest = rest.slice(number![0].length);
      const unitText = /^[^0-9.]*/.exec(rest)![0];
      if (unitText === "") return fail(`missing unit after ${JSON.stringify(number![0])} (use ns, us, ms, s, m or h)`);
      const unit = UNITS.get(unitText);
      if (unit === undefined) return fail(`unknown unit ${JSON.stringify(unitText)} (use ns, us, ms, s, m or h)`);
      rest = rest.slice(unitText.length);
      let part = BigInt(whole === "" ? "0" : whole) * unit;
      if (fraction !== undefined && fraction !== "") {
        // Truncates below a nanosecond, as Go does.
        part += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
      }
      total += part;
      if (total > -MIN_NANOSECONDS) return fail("too large (more than about 292 years)");
    }
    if (negative) total = -total;
    if (total > MAX_NANOSECONDS) return fail("too large (more than about 292 years)");
    return { ok: true, value: new Duration(total) };
  }

  get milliseconds(): number {
    return Number(this.nanoseconds) / 1e6;
  }

  get seconds(): number {
    return Number(this.nanoseconds) / 1e9;
  }

  isNegative(): boolean {
    return this.nanoseconds < 0n;
  }

  isZero(): boolean {
    return this.nanoseconds === 0n;
  }

  compare(other: Duration): -1 | 0 | 1 {
    return this.nanoseconds < other.nanoseconds ? -1 : this.nanoseconds > other.nanoseconds ? 1 : 0;
  }

  equals(other: Duration): boolean {
    return this.nanoseconds === other.nanoseconds;
  }

  /** Go's spelling: "0s", "1.5µs", "500ms", "1m30s", "1h0m0s". */
  toString(): string {
    const negative = this.nanoseconds < 0n;
    const magnitude = negative ? -this.nanoseconds : this.nanoseconds;
    const sign = negative ? "-" : "";
    if (magnitude === 0n) return "0s";
    if (magnitude < SECOND) {
      const [unitName, unitSize] =
        magnitude < MICROSECOND ? ["ns", NANOSECOND] : magnitude < MILLISECOND ? ["\u00b5s", MICROSECOND] : ["ms", MILLISECOND];
      return `${sign}${decimal(magnitude, unitSize)}${unitName}`;
    }
    const hours = magnitude / HOUR;
    const minutes = (magnitude % HOUR) / MINUTE;
    const seconds = decimal(magnitude % MINUTE, SECOND);
    if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
    if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
    return `${sign}${seconds}s`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** `value / unit` as a decimal without trailing zeros ("1.5", "2"). */
function decimal(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const remainder = value % unit;
  if (remainder === 0n) return whole.toString();
  const width = unit.toString().length - 1;
  const fraction = remainder.toString().padStart(width, "0").replace(/0+$/, "");
  return `${whole}.${fraction}`;
}
