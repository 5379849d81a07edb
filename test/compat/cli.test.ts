// Compatibility through the built command: `operator-chaos validate` over the Go tool's whole corpus
// (run by `npm run test:compat`, after `npm test` has built dist/).

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CORPUS, ROOT } from "./paths.js";

const MAIN = path.join(ROOT, "dist", "src", "cli", "main.js");

function run(args: readonly string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("operator-chaos validate over the Go tool's corpus", () => {
  it("is built", () => {
    expect(existsSync(MAIN), `${MAIN} (run npm run build)`).toBe(true);
  });

  it("accepts the whole corpus, reporting the kueue fixtures as skipped", () => {
    const { status, stdout } = run(["validate", path.join(CORPUS, "experiments"), path.join(CORPUS, "knowledge")]);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^\d+ files, \d+ documents: \d+ valid, 0 invalid, 8 skipped \(0 errors, \d+ warnings\)$/);
    expect(lines.filter((line) => line.includes(": skipped: ")).every((line) => line.includes(`kueue${path.sep}fixtures`))).toBe(true);
  });

  it("exits 1 on the corpus's invalid file and prints file:line:col: path: message", () => {
    const file = path.join(CORPUS, "testdata", "experiments", "invalid-experiment.yaml");
    const { status, stdout } = run(["validate", file]);
    expect(status).toBe(1);
    expect(stdout).toContain(`${file}:4:9: metadata.name: must not be empty\n`);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("1 file, 1 document: 0 valid, 1 invalid, 0 skipped (6 errors, 2 warnings)");
  });

  it("expands quoted glob patterns itself", () => {
    const { status, stdout } = run(["validate", path.join(CORPUS, "experiments", "llama*", "*.yaml").split(path.sep).join("/")]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^12 files, 12 documents: 12 valid/m);
  });
});
