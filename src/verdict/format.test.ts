import { describe, expect, it } from "vitest";
import { formatDuration, formatInstant, plural } from "./format.js";

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [850, "850ms"],
    [1000, "1s"],
    [3200, "3.2s"],
    [59_940, "59.9s"],
    [59_960, "1m"],
    [60_000, "1m"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [3_660_000, "1h1m"],
    [3_723_000, "1h2m3s"],
    [-1500, "-1.5s"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("formatInstant", () => {
  it("gives RFC 3339 UTC with milliseconds", () => {
    expect(formatInstant(Date.UTC(2025, 0, 2, 3, 4, 5, 6))).toBe("2025-01-02T03:04:05.006Z");
  });
});

describe("plural", () => {
  it("uses the singular only for one", () => {
    expect([plural(0, "cycle"), plural(1, "cycle"), plural(2, "cycle")]).toEqual(["0 cycles", "1 cycle", "2 cycles"]);
  });
});
