// Acceptance against the project's own fixtures (test/fixtures, written for these tests): an experiment
// for every fault type, knowledge models, invalid documents with their positioned errors, a document of
// another kind; and the llamastack experiments, kept verbatim from the seed page (the fixture page
// test/fixtures/docs stands in for it; `npm run test:compat` checks that fixture against the real seed
// page and the Go tool's corpus).

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "./diagnostic.js";
import { INJECTION_TYPES } from "./enums.js";
import { packageRoot } from "./package-root.js";
import { allDiagnostics, validateFile } from "./validate.js";

const ROOT = packageRoot();
const FIXTURES = path.join(ROOT, "test", "fixtures");
const SEED = path.join(FIXTURES, "docs", "llamastack-failure-modes.txt");

function yamlFilesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? yamlFilesUnder(path.join(directory, entry.name)) : [path.join(directory, entry.name)]))
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}

const errorsOf = async (file: string) =>
  allDiagnostics(await validateFile(file))
    .filter((diagnostic) => diagnostic.severity === "error")
    .map((diagnostic) => formatDiagnostic(diagnostic).slice(file.length + 1));

describe("the project's experiment fixtures", () => {
  const files = yamlFilesUnder(path.join(FIXTURES, "experiments"));

  it("are valid, without warnings, and each is a ChaosExperiment", async () => {
    const problems: string[] = [];
    for (const file of files) {
      const result = await validateFile(file);
      const diagnostics = allDiagnostics(result).map(formatDiagnostic);
      if (result.status !== "valid" || diagnostics.length > 0) problems.push(`${file}: ${result.status}\n${diagnostics.join("\n")}`);
      expect(result.documents.map((document) => document.kind)).toEqual(["ChaosExperiment"]);
    }
    expect(problems).toEqual([]);
  });

  it("cover every one of the 20 fault types exactly once", async () => {
    const types: string[] = [];
    for (const file of files) types.push((await validateFile(file)).documents[0]!.experiment!.spec.injection.type);
    expect(types.sort()).toEqual([...INJECTION_TYPES].sort());
    expect(types).toHaveLength(20);
  });

  it("are valid in run mode too (every safety rule of a run)", async () => {
    for (const file of files) expect((await validateFile(file, { mode: "run" })).status, file).toBe("valid");
  });
});

describe("the project's knowledge fixtures", () => {
  it("are valid OperatorKnowledge documents", async () => {
    const files = yamlFilesUnder(path.join(FIXTURES, "knowledge"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const result = await validateFile(file);
      expect(result.status, `${file}\n${allDiagnostics(result).map(formatDiagnostic).join("\n")}`).toBe("valid");
      expect(result.documents[0]!.kind).toBe("OperatorKnowledge");
    }
  });
});

describe("the project's invalid fixtures", () => {
  it("empty-fields.yaml: every empty or wrong field, at its line and column", async () => {
    expect(await errorsOf(path.join(FIXTURES, "invalid", "empty-fields.yaml"))).toEqual([
      "4:9: metadata.name: must not be empty",
      "7:15: spec.target.operator: must not be empty",
      "10:18: spec.hypothesis.description: must not be empty",
      expect.stringMatching(/^13:11: spec\.injection\.type: unknown injection type; did you mean "PodKill"\? \(expected one of CRDMutation, .*WebhookLatency, got "PodKil"\)$/),
      "16:22: spec.blastRadius.maxPodsAffected: too small (expected at least 1, got integer 0)",
    ]);
  });

  it("wrong-values.yaml: limits, a missing fault parameter, an unknown field", async () => {
    expect(await errorsOf(path.join(FIXTURES, "invalid", "wrong-values.yaml"))).toEqual([
      "11:22: spec.hypothesis.recoveryTimeout: exceeds the maximum of 1h0m0s (expected at most 1h0m0s, got 2h)",
      '14:5: spec.injection.parameters.key: ConfigDrift needs the parameter "key" (expected the data key to overwrite)',
      '23:5: spec.blastRadius.unknownField: unknown field "unknownField"',
    ]);
  });

  it("a document of another kind is skipped, with the reason", async () => {
    const result = await validateFile(path.join(FIXTURES, "skipped", "widget-set.yaml"));
    expect(result.status).toBe("skipped");
    expect(result.documents[0]!.reason).toContain("WidgetSet");
  });
});

describe("the llamastack experiments of the seed page", () => {
  const names = ["config-drift", "network-partition", "pod-kill", "rbac-revoke"];

  it("are the ones on the (fixture) seed page, verbatim", () => {
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
