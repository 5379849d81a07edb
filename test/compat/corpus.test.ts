// Compatibility: the Go tool's own files (the corpus, see paths.ts) are accepted, its invalid test
// file is rejected with positioned messages, and the llamastack experiments of the seed page are kept
// verbatim in experiments/llamastack/. Run by `npm run test:compat [DIR]`, never by `npm test`.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/experiment/diagnostic.js";
import { allDiagnostics, validateFile } from "../../src/experiment/validate.js";
import { CORPUS, ROOT, SEED } from "./paths.js";

function yamlFilesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? yamlFilesUnder(path.join(directory, entry.name)) : [path.join(directory, entry.name)]))
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}

const experimentFiles = yamlFilesUnder(path.join(CORPUS, "experiments"));
const fixtureDirectory = `${path.join(CORPUS, "experiments", "kueue", "fixtures")}${path.sep}`;

describe("the Go tool's corpus", () => {
  it("has the expected number of files (the corpus is in place)", () => {
    expect(experimentFiles.length).toBeGreaterThan(300);
  });

  it("validates every experiment file, and skips the kueue cluster fixtures", async () => {
    const problems: string[] = [];
    for (const file of experimentFiles) {
      const result = await validateFile(file);
      const expected = file.startsWith(fixtureDirectory) ? "skipped" : "valid";
      if (result.status !== expected) problems.push(`${file}: ${result.status}\n${allDiagnostics(result).map(formatDiagnostic).join("\n")}`);
      if (expected === "valid") expect(result.documents.every((document) => document.kind === "ChaosExperiment")).toBe(true);
    }
    expect(problems).toEqual([]);
  });

  it("validates every knowledge model", async () => {
    const files = [...yamlFilesUnder(path.join(CORPUS, "knowledge")), ...yamlFilesUnder(path.join(CORPUS, "testdata", "knowledge"))];
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const result = await validateFile(file);
      expect(result.status, `${file}\n${allDiagnostics(result).map(formatDiagnostic).join("\n")}`).toBe("valid");
      expect(result.documents[0]!.kind).toBe("OperatorKnowledge");
    }
  });

  it("accepts testdata/experiments/valid-experiment.yaml", async () => {
    expect((await validateFile(path.join(CORPUS, "testdata", "experiments", "valid-experiment.yaml"))).status).toBe("valid");
  });

  it("rejects testdata/experiments/invalid-experiment.yaml with positioned messages", async () => {
    const file = path.join(CORPUS, "testdata", "experiments", "invalid-experiment.yaml");
    const result = await validateFile(file);
    expect(result.status).toBe("invalid");
    const errors = allDiagnostics(result)
      .filter((diagnostic) => diagnostic.severity === "error")
      .map((diagnostic) => formatDiagnostic(diagnostic).slice(file.length + 1));
    expect(errors).toEqual([
      "4:9: metadata.name: must not be empty",
      "7:15: spec.target.operator: must not be empty",
      "8:16: spec.target.component: must not be empty",
      "10:18: spec.hypothesis.description: must not be empty",
      expect.stringMatching(/^13:11: spec\.injection\.type: must not be empty \(expected one of CRDMutation, ClientFault, .*WebhookLatency\)$/),
      "16:22: spec.blastRadius.maxPodsAffected: too small (expected at least 1, got integer 0)",
    ]);
  });
});

describe("the llamastack experiments of the seed page", () => {
  const names = ["config-drift", "network-partition", "pod-kill", "rbac-revoke"];

  it("are copied verbatim from the seed page", () => {
    const blocks = readFileSync(SEED, "utf8")
      .split("Experiment YAML\n")
      .slice(1)
      .map((block) => `${block.split("\n\n")[0]!.trimEnd()}\n`);
    expect(blocks).toHaveLength(names.length);
    names.forEach((name, index) => {
      expect(readFileSync(path.join(ROOT, "experiments", "llamastack", `${name}.yaml`), "utf8")).toBe(blocks[index]);
    });
  });

  it.each(names)("%s.yaml is valid, without warnings", async (name) => {
    const result = await validateFile(path.join(ROOT, "experiments", "llamastack", `${name}.yaml`));
    expect(allDiagnostics(result).map(formatDiagnostic)).toEqual([]);
    expect(result.documents[0]!.name).toBe(`llamastack-${name}`);
  });
});

describe("the project's own failure-modes fixture", () => {
  // test/fixtures/docs/llamastack-failure-modes.txt stands in for the seed page in `npm test`: it must
  // say what the seed says (title, coverage rows, details, YAML), blank lines and its header aside.
  const body = (text: string, title: string) => {
    const lines = text.split("\n");
    return lines.slice(lines.indexOf(title)).filter((line) => line.trim() !== "").map((line) => line.trimEnd());
  };

  it("says what the seed page says", () => {
    const fixture = readFileSync(path.join(ROOT, "test", "fixtures", "docs", "llamastack-failure-modes.txt"), "utf8");
    expect(body(fixture, "llamastack Failure Modes")).toEqual(body(readFileSync(SEED, "utf8"), "llamastack Failure Modes"));
  });
});
