import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Duration, DurationParseError, GO_DURATION_PATTERN } from "./duration.js";

describe("Duration.parse reads Go syntax", () => {
  it.each([
    ["300s", 300_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1.5h", 5_400_000],
    ["2h45m", 9_900_000],
    ["0", 0],
    ["-2s", -2000],
    ["+5s", 5000],
    [".5s", 500],
    ["5.s", 5000],
    ["100us", 0.1],
    ["100µs", 0.1],
    ["100μs", 0.1],
    ["1500ns", 0.0015],
  ])("%s is %d ms", (text, milliseconds) => {
    expect(Duration.parse(text).milliseconds).toBeCloseTo(milliseconds, 9);
  });

  it.each([
    ["", "empty"],
    ["300", "missing unit"],
    ["5 minutes", "unknown unit"],
    ["1d", "unknown unit \"d\""],
    [".s", "expected a number"],
    ["s", "expected a number"],
    ["--1s", "expected a number"],
    ["9223372036854775808ns", "too large"],
    ["3000000h", "too large"],
  ])("rejects %j (%s)", (text, reason) => {
    const result = Duration.tryParse(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
    expect(() => Duration.parse(text)).toThrow(DurationParseError);
  });

  it("accepts the most negative Go duration but not one more", () => {
    expect(Duration.parse("-9223372036854775808ns").nanoseconds).toBe(-(2n ** 63n));
    expect(Duration.tryParse("9223372036854775807ns").ok).toBe(true);
  });

  it("keeps whole nanoseconds and truncates below", () => {
    expect(Duration.parse("1.0000000019s").nanoseconds).toBe(1_000_000_001n);
  });
});

describe("Duration.toString prints like Go", () => {
  it.each([
    ["0s", "0s"],
    ["1h", "1h0m0s"],
    ["90s", "1m30s"],
    ["500ms", "500ms"],
    ["1.5s", "1.5s"],
    ["1500us", "1.5ms"],
    ["1500ns", "1.5µs"],
    ["12ns", "12ns"],
    ["-90s", "-1m30s"],
    ["26h3m4.005s", "26h3m4.005s"],
  ])("%s prints as %s", (text, printed) => {
    expect(Duration.parse(text).toString()).toBe(printed);
    expect(JSON.stringify({ d: Duration.parse(text) })).toBe(JSON.stringify({ d: printed }));
  });

  it("parses back what it prints, for any duration", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (nanoseconds) => {
        const duration = Duration.fromNanoseconds(nanoseconds);
        expect(Duration.parse(duration.toString()).nanoseconds).toBe(nanoseconds);
      }),
    );
  });

  it("matches the published pattern exactly when the parser accepts (within range)", () => {
    const pattern = new RegExp(GO_DURATION_PATTERN);
    fc.assert(
      fc.property(fc.stringMatching(/^[-+]?[0-9.]{0,4}(ns|us|ms|s|m|h|d)?([0-9.]{0,3}(s|m|h))?$/), (text) => {
        expect(pattern.test(text)).toBe(Duration.tryParse(text).ok);
      }),
    );
  });
});

describe("Duration values", () => {
  it("compare and convert", () => {
    expect(Duration.parse("61m").compare(Duration.HOUR)).toBe(1);
    expect(Duration.parse("60m").equals(Duration.HOUR)).toBe(true);
    expect(Duration.fromSeconds(1.5).toString()).toBe("1.5s");
    expect(Duration.fromMilliseconds(250).seconds).toBe(0.25);
    expect(Duration.parse("-1s").isNegative()).toBe(true);
    expect(Duration.parse("0").isZero()).toBe(true);
    expect(() => Duration.fromNanoseconds(2n ** 63n)).toThrow(RangeError);
  });
});
