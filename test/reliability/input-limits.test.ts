// Bad input at the size limit (issue #8): documents of just under 1 MiB made of hundreds of
// thousands of tiny nodes — the most work a file the loader accepts can ask for. Each is answered
// (never an exception) in time linear in its size, keeps a bounded amount of memory alive, and
// leaves nothing behind. Two of these took minutes before the loader's duplicate-key check and
// its position lookup were made linear. (The corpus-mutation fuzzing is src/experiment/fuzz.test.ts.)
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { Limits } from "../../src/experiment/enums.js";
import { allDiagnostics, validateText, type FileResult } from "../../src/experiment/validate.js";

const LIMIT = Limits.maxFileBytes;
const MiB = 1024 * 1024;
/** 2 s plus 30 s per MiB: linear, with room for a loaded 2-core machine (the worst below takes about 11 s alone). */
const timeLimitMs = (bytes: number) => 2_000 + (30_000 * bytes) / MiB;
/** What an answer may keep alive (500 000 diagnostics are about 170 MiB), and what may stay once it is dropped. */
const RETAINED_LIMIT_BYTES = 256 * MiB;
const LEAK_LIMIT_BYTES = 32 * MiB;

v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

const header = "apiVersion: chaos.operatorchaos.io/v1alpha1\nkind: ChaosExperiment\n";

/** prefix, then as many items as fit under the limit, then suffix. */
function fill(prefix: string, item: (i: number) => string, separator: string, suffix: string): string {
  const items: string[] = [];
  let size = Buffer.byteLength(prefix + suffix);
  for (let i = 0; ; i++) {
    const next = item(i);
    size += next.length + separator.length;
    if (size > LIMIT) break;
    items.push(next);
  }
  return prefix + items.join(separator) + suffix;
}

const DOCUMENTS: [string, () => string][] = [
  ["a map of unknown keys (flow)", () => fill(`${header}metadata: {`, (i) => `k${i}: ${i}`, ", ", "}\n")],
  ["a map of unknown keys (block)", () => fill(`${header}spec:\n`, (i) => `  k${i}: ${i}`, "\n", "\n")],
  ["a map of one key repeated", () => fill(`${header}metadata:\n`, () => "  name: x", "\n", "\n")],
  ["a list of wrong steady-state checks", () => fill(`${header}spec:\n  steadyState:\n    checks: [`, (i) => String(i % 10), ",", "]\n")],
  ["a knowledge model with a list of bad components", () => fill("operator: {name: x, namespace: y}\ncomponents: [", (i) => `{name: c${i}}`, ",", "]\nrecovery: {}\n")],
  ["a list of documents", () => fill("", (i) => `a${i}: 1`, "\n---\n", "\n")],
  ["a 1 MiB key", () => `${header}metadata:\n  ${"k".repeat(LIMIT - 200)}: 1\n`],
  ["a 1 MiB enum value", () => `${header}spec:\n  injection:\n    type: ${"PodKil".repeat(Math.floor((LIMIT - 200) / 6))}\n`],
  ["a 1 MiB label selector", () => `${header}spec:\n  injection:\n    type: PodKill\n    parameters:\n      labelSelector: "${"a=b,".repeat(Math.floor((LIMIT - 200) / 4))}"\n`],
];

interface Answer {
  ms: number;
  status: FileResult["status"];
  diagnostics: number;
  duplicateKeys: number;
  misplaced: string[];
  retained: number;
}

/** In a function of its own, so that no variable of the caller's frame holds the answer afterwards. */
function answer(text: string, heapBefore: number): Answer {
  const started = performance.now();
  const result = validateText(text, "limit.yaml");
  const ms = performance.now() - started;
  const lines = text.split("\n").length;
  const diagnostics = allDiagnostics(result);
  collectGarbage();
  return {
    ms, status: result.status, diagnostics: diagnostics.length,
    duplicateKeys: diagnostics.filter((d) => d.code === "yaml.DUPLICATE_KEY").length,
    misplaced: diagnostics.filter((d) => !(d.line >= 1 && d.line <= lines && d.column >= 1)).slice(0, 3).map((d) => `${d.line}:${d.column} ${d.code}`),
    retained: process.memoryUsage().heapUsed - heapBefore,
  };
}

describe("documents at the 1 MiB limit made of tiny nodes", () => {
  for (const [what, make] of DOCUMENTS) {
    it(`${what}: answered in linear time, every problem positioned, memory bounded and released`, () => {
      const text = make();
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(LIMIT);
      expect(Buffer.byteLength(text)).toBeGreaterThan(LIMIT - 64 * 1024);
      collectGarbage();
      const before = process.memoryUsage().heapUsed;
      const result = answer(text, before);
      collectGarbage();
      const left = process.memoryUsage().heapUsed - before;
      console.log(`${what}: ${result.ms.toFixed(0)} ms, ${result.diagnostics} diagnostics, ${(result.retained / MiB).toFixed(0)} MiB kept by the answer, ${(left / MiB).toFixed(1)} MiB left after it`);
      expect(result.ms).toBeLessThan(timeLimitMs(Buffer.byteLength(text)));
      expect(result.status).toBe("invalid");
      expect(result.diagnostics).toBeGreaterThan(0);
      expect(result.misplaced).toEqual([]);
      expect(result.retained).toBeLessThan(RETAINED_LIMIT_BYTES);
      expect(left).toBeLessThan(LEAK_LIMIT_BYTES);
      if (what.includes("repeated")) expect(result.duplicateKeys).toBeGreaterThan(50_000);
    }, 120_000);
  }
});
