// diff, diff-crds and validate-version as users run them (the built command), over the fixtures in testdata/.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { packageRoot } from "../experiment/package-root.js";
import { validateExperimentValue } from "../experiment/validate.js";

const ROOT = packageRoot();
const MAIN = path.join(ROOT, "dist", "src", "cli", "main.js");
const DATA = path.join(ROOT, "src", "upgrade", "testdata");

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? Math.max(latest, newest(full)) : entry.name.endsWith(".ts") ? Math.max(latest, statSync(full).mtimeMs) : latest;
  }, 0);

beforeAll(() => {
  const stale = !existsSync(MAIN) || ["upgrade", "cli"].some((part) => newest(path.join(ROOT, "src", part)) > statSync(MAIN).mtimeMs);
  if (stale) spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "ignore" });
  expect(existsSync(MAIN)).toBe(true);
}, 180_000);

const run = (...args: string[]) => {
  const result = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, KUBECONFIG: path.join(tmpdir(), "no-such-kubeconfig") } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe("operator-chaos diff", () => {
  it("exits 0 with no changes for a version against itself", () => {
    const result = run("diff", "--source", `${DATA}/v1/knowledge`, "--target", `${DATA}/v1/knowledge`, "-o", "json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sourceVersion: "1.0.0", targetVersion: "1.0.0", components: [], summary: { breakingChanges: 0 } });
  });

  it("finds the renamed Deployment, calls it breaking and exits 1 so CI can gate on it", () => {
    const result = run("diff", "--source", `${DATA}/v1/knowledge`, "--target", `${DATA}/v2/knowledge`, "--breaking", "-o", "json");
    expect(result.code).toBe(1);
    const diff = JSON.parse(result.stdout);
    expect(diff.components).toEqual([
      expect.objectContaining({ operator: "demo-operator", component: "stack", breaking: true, resources: [{ kind: "Deployment", name: "stack-api", changeType: "Renamed", renamedFrom: "stack-server" }] }),
    ]);
    const markdown = run("diff", "--source", `${DATA}/v1/knowledge`, "--target", `${DATA}/v2/knowledge`, "-o", "markdown");
    expect(markdown.stdout).toContain("### Upgrade Diff: Demo v1.0.0 → v2.0.0");
  });

  it("refuses a missing folder and a bad format with a clear error and exit 2", () => {
    const missing = run("diff", "--source", `${DATA}/nope`, "--target", `${DATA}/v2/knowledge`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--source .*nope: not a folder/);
    const format = run("diff", "--source", `${DATA}/v1/knowledge`, "--target", `${DATA}/v2/knowledge`, "-o", "xml");
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("Allowed choices are text, json, yaml, markdown");
  });

  it("reports an invalid knowledge model with file, line and column", () => {
    const result = run("diff", "--source", `${DATA}/v1/crds`, "--target", `${DATA}/v2/knowledge`);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/demostacks\.yaml:\d+:\d+:/);
  });
});

describe("operator-chaos diff-crds", () => {
  it("classifies the v2 CRD changes and exits 1 on breaking ones", () => {
    const result = run("diff-crds", "--source", `${DATA}/v1/crds`, "--target", `${DATA}/v2/crds/demostacks.yaml`, "-o", "json");
    expect(result.code).toBe(1);
    const diff = JSON.parse(result.stdout);
    expect(diff.crds[0].changes.map((c: { type: string; path?: string }) => `${c.type} ${c.path}`)).toEqual([
      "EnumValueRemoved spec.distribution",
      "FieldRemoved spec.image",
      "RequiredAdded spec.server",
    ]);
    expect(diff.summary).toEqual({ breaking: 3, warning: 0, info: 0 });
  });

  it("exits 0 when nothing changed, and renders Markdown for a PR comment", () => {
    const same = run("diff-crds", "--source", `${DATA}/v1/crds`, "--target", `${DATA}/v1/crds`, "-o", "markdown");
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("No changes.");
  });

  it("reports broken YAML with its position and changes nothing", () => {
    const result = run("diff-crds", "--source", `${DATA}/bad`, "--target", `${DATA}/v1/crds`);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+/);
  });
});

describe("operator-chaos validate-version", () => {
  it("refuses a missing knowledge dir before contacting any cluster", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "oc-empty-"));
    const missing = run("validate-version", "--knowledge-dir", `${DATA}/nope`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--knowledge-dir .*nope: not a folder/);
    const none = run("validate-version", "--knowledge-dir", empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no .yaml or .yml knowledge model in this folder");
  });
});

describe("operator-chaos simulate-upgrade --dry-run", () => {
  it("prints the experiments of the diff as YAML documents our validator accepts", () => {
    const result = run("simulate-upgrade", "--source", `${DATA}/v1/knowledge`, "--target", `${DATA}/v3/knowledge`, "--dry-run");
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Generated 2 upgrade simulation experiments");
    const documents = parseAllDocuments(result.stdout).map((document) => document.toJS());
    expect(documents.map((document) => [document.metadata.name, document.spec.injection.type])).toEqual([
      ["rename-stack-api", "PodKill"],
      ["webhook-vdemostack-demo-io", "WebhookDisrupt"],
    ]);
    expect(documents[0].spec.injection.parameters.labelSelector).toBe("app.kubernetes.io/component=server,app.kubernetes.io/name=stack");
    for (const document of documents) expect(validateExperimentValue(document).issues.filter((found) => found.severity === "error")).toEqual([]);
  });

  it("--component keeps one component's experiments; no change, no experiment", () => {
    expect(run("simulate-upgrade", "--source", `${DATA}/v1/knowledge`, "--target", `${DATA}/v3/knowledge`, "--dry-run", "--component", "other").stderr).toContain("Generated 0 upgrade");
    const same = run("simulate-upgrade", "--source", `${DATA}/v1/knowledge`, "--target", `${DATA}/v1/knowledge`, "--dry-run");
    expect([same.code, same.stdout]).toEqual([0, ""]);
  });
});
