// The built command (dist/src/cli/main.js), run as users run it. The build is refreshed first when
// any source is newer than it.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../experiment/package-root.js";
import { runnableFaults } from "../faults/registry.js";

const ROOT = packageRoot();
const MAIN = path.join(ROOT, "dist", "src", "cli", "main.js");
// The project's own fixtures; the Go tool's corpus is checked by `npm run test:compat` (test/compat).
const FIXTURES = path.join(ROOT, "test", "fixtures");

function newestSource(directory: string): number {
  return readdirSync(directory, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return Math.max(newest, newestSource(full));
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? Math.max(newest, statSync(full).mtimeMs) : newest;
  }, 0);
}

beforeAll(() => {
  const stale = !existsSync(MAIN) || ["cli", "experiment", "faults", "safety"].some((part) => newestSource(path.join(ROOT, "src", part)) > statSync(MAIN).mtimeMs);
  // Other parts of the project may not compile at every moment; what matters here is that ours is emitted.
  if (stale) spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "ignore" });
  expect(existsSync(MAIN)).toBe(true);
}, 180_000);

/** An ESM resolve hook (inline) that makes importing any of the listed packages fail. */
const FORBID_HOOK = `data:text/javascript,${encodeURIComponent(`
  const forbidden = JSON.parse(process.env.OC_FORBIDDEN_IMPORTS ?? "[]");
  export async function resolve(specifier, context, next) {
    if (forbidden.some((name) => specifier === name || specifier.startsWith(name + "/"))) throw new Error("forbidden import: " + specifier);
    return next(specifier, context);
  }
`)}`;
const REGISTER_HOOK = `data:text/javascript,${encodeURIComponent(`import { register } from "node:module"; register(${JSON.stringify(FORBID_HOOK)});`)}`;

function run(args: readonly string[], options: { forbid?: readonly string[]; cwd?: string } = {}) {
  const nodeArgs = options.forbid ? ["--import", REGISTER_HOOK, MAIN, ...args] : [MAIN, ...args];
  const result = spawnSync(process.execPath, nodeArgs, {
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    env: { ...process.env, OC_FORBIDDEN_IMPORTS: JSON.stringify(options.forbid ?? []) },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("operator-chaos validate", () => {
  it("accepts every fixture experiment and knowledge model, reporting a document of another kind as skipped", () => {
    const dirs = ["experiments", "knowledge", "skipped"].map((dir) => path.join(FIXTURES, dir));
    const { status, stdout } = run(["validate", ...dirs]);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("23 files, 23 documents: 22 valid, 0 invalid, 1 skipped (0 errors, 0 warnings)");
    expect(lines.filter((line) => line.includes(": skipped: "))).toEqual([
      `${path.join(FIXTURES, "skipped", "widget-set.yaml")}:3:1: skipped: widgets.example.org/v1 WidgetSet is not an operator-chaos document`,
    ]);
  });

  it("exits 1 on an invalid file and prints file:line:col: path: message", () => {
    const file = path.join(FIXTURES, "invalid", "empty-fields.yaml");
    const { status, stdout } = run(["validate", file]);
    expect(status).toBe(1);
    expect(stdout).toContain(`${file}:4:9: metadata.name: must not be empty\n`);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("1 file, 1 document: 0 valid, 1 invalid, 0 skipped (5 errors, 0 warnings)");
  });

  it("writes JSON with -o json", () => {
    const seed = ["config-drift", "network-partition", "pod-kill", "rbac-revoke"].map((name) => `experiments/llamastack/${name}.yaml`);
    const { status, stdout } = run(["validate", "-o", "json", ...seed, path.join(FIXTURES, "skipped", "widget-set.yaml")]);
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as { files: { file: string; status: string; documents: { kind: string | null; status: string }[] }[]; summary: Record<string, number> };
    expect(report.summary).toEqual({ files: 5, documents: 5, valid: 4, invalid: 0, skipped: 1, errors: 0, warnings: 0 });
    expect(report.files.map((file) => file.status)).toEqual(["valid", "valid", "valid", "valid", "skipped"]);
  });

  it("expands quoted glob patterns itself", () => {
    const { status, stdout } = run(["validate", path.join(FIXTURES, "exp*", "p*.yaml").split(path.sep).join("/")]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^2 files, 2 documents: 2 valid/m);
  });

  it("exits 1 when a path matches nothing", () => {
    const { status, stdout } = run(["validate", "no/such/file.yaml"]);
    expect(status).toBe(1);
    expect(stdout).toContain("no/such/file.yaml:1:1: no such file or directory");
  });

  it("exits 2 on usage errors", () => {
    expect(run(["validate"]).status).toBe(2);
    expect(run(["validate", "-o", "xml", "x.yaml"]).status).toBe(2);
    expect(run(["validate", "--no-such-flag", "x.yaml"]).status).toBe(2);
    expect(run(["validat", "x.yaml"]).stderr).toContain("Did you mean validate?");
    expect(run([]).status).toBe(2);
  });

  it("never loads the Kubernetes client, HTTP or child processes", () => {
    const forbid = ["@kubernetes/client-node", "node:http", "node:https", "node:child_process"];
    const { status, stderr } = run(["validate", "experiments/llamastack/pod-kill.yaml"], { forbid });
    expect(stderr).toBe("");
    expect(status).toBe(0);
  });

  it("answers --help without loading the validator", () => {
    const { status, stdout } = run(["validate", "--help"], { forbid: ["zod", "yaml", "@kubernetes/client-node"] });
    expect(status).toBe(0);
    expect(stdout).toContain("Usage: operator-chaos validate [options] <paths...>");
  });
});

describe("operator-chaos types", () => {
  it("lists the 20 fault types as JSON", () => {
    const { status, stdout } = run(["types", "-o", "json"], { forbid: ["@kubernetes/client-node"] });
    expect(status).toBe(0);
    const types = JSON.parse(stdout) as { type: string; dangerLevel: string; scope: string; persistence: string; requiredParameters: string[] }[];
    expect(types).toHaveLength(20);
    expect(types.find((entry) => entry.type === "RBACRevoke")).toMatchObject({ dangerLevel: "high", scope: "cluster", persistence: "sustained", requiredParameters: ["bindingName", "bindingType"] });
    // `runnable` is derived from the registry: exactly the types with a runtime.
    const runnable = JSON.parse(stdout) as { type: string; runnable: boolean }[];
    const withRuntime = new Set(runnableFaults().map((fault) => fault.spec.type as string));
    expect(runnable.find((entry) => entry.type === "PodKill")?.runnable).toBe(true);
    expect(runnable.filter((entry) => entry.runnable).map((entry) => entry.type).sort()).toEqual([...withRuntime].sort());
  });

  it("prints a table with one row per type", () => {
    const { stdout } = run(["types"]);
    const rows = stdout.split("\n").filter((line) => /^[A-Z][A-Za-z]+ +(low|medium|high) /.test(line));
    expect(rows).toHaveLength(20);
    expect(stdout.split("\n")[0]).toMatch(/^TYPE +DANGER +SCOPE +PERSISTENCE +RUN +REQUIRED PARAMETERS$/);
  });
});

describe("operator-chaos init", () => {
  it("writes a skeleton that validate accepts without warnings", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "oc-init-"));
    const file = path.join(directory, "webhook.yaml");
    const written = run(["init", "--type", "WebhookLatency", "--operator", "demo", "--component", "demo-manager", "--namespace", "demo", "-o", file]);
    expect(written.status).toBe(0);
    const checked = run(["validate", file]);
    expect(checked.stdout).toContain("1 valid, 0 invalid, 0 skipped (0 errors, 0 warnings)");
    expect(run(["init", "--type", "PodKill", "--operator", "demo", "--component", "x", "-o", file]).status).toBe(2);
  });

  it("refuses an unknown type or a bad name with status 2", () => {
    const unknown = run(["init", "--type", "Podkill", "--operator", "demo", "--component", "x"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('did you mean "PodKill"?');
    expect(run(["init", "--operator", "Demo", "--component", "x"]).status).toBe(2);
    expect(run(["init", "--component", "x"]).status).toBe(2);
  });

  it("points editors at the JSON Schema, relative to the output", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "oc-init-"));
    const file = path.join(directory, "x.yaml");
    writeFileSync(file, "");
    expect(run(["init", "--operator", "demo", "--component", "x", "-o", file, "--force"]).status).toBe(0);
    const expected = path.relative(directory, path.join(ROOT, "schema", "chaosexperiment.schema.json")).split(path.sep).join("/");
    expect(readFileSync(file, "utf8").split("\n")[0]).toBe(`# yaml-language-server: $schema=${expected}`);
  });
});
