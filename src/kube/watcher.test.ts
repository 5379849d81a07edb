import { describe, expect, it } from "vitest";
import { atLeast, MIN_WATCH_IDLE_TIMEOUT_MS, WATCH_IDLE_TIMEOUT_MS, watchTimeoutSeconds } from "./watcher.js";

describe("watch bounds", () => {
  it("asks the server to end a watch well inside its idle bound, so a healthy watch is never silent that long", () => {
    expect(watchTimeoutSeconds(WATCH_IDLE_TIMEOUT_MS)).toBe(22);
    expect(watchTimeoutSeconds(4_000)).toBe(3);
    for (const idle of [MIN_WATCH_IDLE_TIMEOUT_MS, 2_500, 4_000, 30_000, 120_000]) expect(watchTimeoutSeconds(idle) * 1000).toBeLessThan(idle);
  });
});

describe("atLeast (resourceVersion order)", () => {
  it("compares the API server's integer versions as numbers, beyond 2^53 too", () => {
    expect(atLeast("10", "9")).toBe(true);
    expect(atLeast("9", "10")).toBe(false);
    expect(atLeast("10", "10")).toBe(true);
    expect(atLeast("10", "10", true)).toBe(false);
    expect(atLeast("9007199254740993", "9007199254740992", true)).toBe(true);
  });
  it("treats other versions as opaque: equal or not", () => {
    expect(atLeast("abc", "abc")).toBe(true);
    expect(atLeast("abd", "abc")).toBe(false);
    expect(atLeast("abc", "abc", true)).toBe(false);
    expect(atLeast(undefined, "1")).toBe(false);
  });
});
