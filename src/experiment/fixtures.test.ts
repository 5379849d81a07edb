// Acceptance against the Go tool's own files (../shared/corpus, beside the repository) and the
// llamastack experiments of the seed page, kept verbatim in experiments/llamastack/.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "./diagnostic.js";
import { packageRoot } from "./package-root.js";
import { allDiagnostics, validateFile } from "./validate.js";

const ROOT = packageRoot();
const CORPUS = path.resolve(ROOT, "../shared/corpus");
const SEED = path.resolve(ROOT, "../shared/seed/000_2e815f1451626d9f.txt");

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
