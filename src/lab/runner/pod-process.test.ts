import { describe, expect, it } from "vitest";
import { backoffDelayMs, parseDurationMs } from "./pod-process.js";

describe("restart back-off", () => {
  it("restarts at once the first time, then doubles from the base up to 30× the base (10 s → 5 min by default)", () => {
    const delays = Array.from({ length: 9 }, (_, i) => backoffDelayMs(i, 10_000));
    expect(delays).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect(Array.from({ length: 5 }, (_, i) => backoffDelayMs(i, 1_000))).toEqual([0, 1_000, 2_000, 4_000, 8_000]);
  });
});

describe("parseDurationMs", () => {
  it("reads the back-off annotation's durations", () => {
    expect(parseDurationMs("500ms")).toBe(500);
    expect(parseDurationMs("2s")).toBe(2_000);
    expect(parseDurationMs("1.5s")).toBe(1_500);
    expect(parseDurationMs("1m")).toBe(60_000);
    expect(parseDurationMs("3")).toBe(3_000);
    expect(parseDurationMs("soon")).toBeUndefined();
    expect(parseDurationMs(undefined)).toBeUndefined();
  });
});
