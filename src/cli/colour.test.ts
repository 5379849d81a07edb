import { describe, expect, it } from "vitest";
import { colourEnabled } from "./colour.js";

describe("colourEnabled", () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it("colours a terminal and not a pipe", () => {
    expect(colourEnabled(tty, { TERM: "xterm" })).toBe(true);
    expect(colourEnabled(pipe, { TERM: "xterm" })).toBe(false);
    expect(colourEnabled(tty, { TERM: "dumb" })).toBe(false);
  });
  it("lets NO_COLOR win over FORCE_COLOR, and an empty NO_COLOR count as unset", () => {
    expect(colourEnabled(tty, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: "" })).toBe(true);
    expect(colourEnabled(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(colourEnabled(tty, { FORCE_COLOR: "0" })).toBe(false);
  });
});
