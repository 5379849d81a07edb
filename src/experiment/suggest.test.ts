import { describe, expect, it } from "vitest";
import { closestMatch, didYouMean, editDistance } from "./suggest.js";

describe("suggestions", () => {
  it("measure edits, counting a swap of neighbours as one", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("tpye", "type")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("suggest only plausible typos", () => {
    expect(closestMatch("Podkill", ["PodKill", "PDBBlock"])).toBe("PodKill");
    expect(closestMatch("metdata", ["metadata", "spec"])).toBe("metadata");
    expect(closestMatch("xyz", ["metadata", "spec"])).toBeUndefined();
    expect(closestMatch("spec", ["spec"])).toBeUndefined();
    expect(didYouMean("tier", ["tiers"])).toBe('; did you mean "tiers"?');
    expect(didYouMean("q", ["tiers"])).toBe("");
  });
});
