// kubectl-like conventions of every command that needs no cluster, run as users run them (the built
// command): `-o yaml` carries the same object as `-o json`, --help documents the exit statuses, NO_COLOR
// output has no escape codes. The cluster commands are checked against the lab in test/cli-conventions.test.ts.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageRoot } from "../experiment/package-root.js";

const ROOT = packageRoot();
const MAIN = path.join(ROOT, "dist", "src", "cli", "main.js");
const UPGRADE_DATA = path.join(ROOT, "src", "upgrade", "testdata");
const NO_CLUSTER = path.join(tmpdir(), "operator-chaos-no-such-kubeconfig");

beforeAll(() => {
  spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "ignore" });
  expect(existsSync(MAIN)).toBe(true);
}, 180_000);

function run(args: readonly string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, KUBECONFIG: NO_CLUSTER, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every offline command that prints a result object, with arguments that make it print one. */
const STRUCTURED: readonly (readonly string[])[] = [
  ["types"],
  ["validate", "experiments/llamastack/pod-kill.yaml", "test/fixtures/invalid/empty-fields.yaml"],
  ["diff", "--source", `${UPGRADE_DATA}/v1/knowledge`, "--target", `${UPGRADE_DATA}/v2/knowledge`],
  ["diff-crds", "--source", `${UPGRADE_DATA}/v1/crds`, "--target", `${UPGRADE_DATA}/v2/crds`],
  ["preflight", "--local", "--profile", "llamastack-demo"],
  ["lab", "status", "--name", "operator-chaos-never-started"],
  ["version"],
];

describe("-o yaml and -o json", () => {
  it.each(STRUCTURED.map((args) => [args.join(" "), args] as const))("%s: -o yaml parses back to the -o json object, with the same exit status", (_, args) => {
    const json = run([...args, "-o", "json"]);
    const yaml = run([...args, "-o", "yaml"]);
    expect(json.stderr).toBe(yaml.stderr);
    expect(yaml.status).toBe(json.status);
    const object = JSON.parse(json.stdout) as unknown;
    expect(object).not.toBeNull();
    expect(parse(yaml.stdout)).toEqual(object);
    expect(yaml.stdout.trimStart().startsWith("{")).toBe(false);
  });

  it("rejects a format the command does not have with status 2 and the allowed ones", () => {
    const result = run(["types", "-o", "xml"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Allowed choices are text, json, yaml, name");
  });

  it("types -o name prints one fault type per line", () => {
    const names = run(["types", "-o", "name"]).stdout.trimEnd().split("\n");
    const types = (JSON.parse(run(["types", "-o", "json"]).stdout) as { type: string }[]).map((entry) => entry.type);
    expect(names).toEqual(types);
  });
});

describe("--help", () => {
  const commands = [...new Set(STRUCTURED.map((args) => (args[0] === "lab" ? ["lab", "status"] : [args[0]!])).map((c) => c.join(" ")))];
  it.each([...commands, "run", "clean", "validate-version", "suite"])("%s documents its exit statuses", (command) => {
    const { status, stdout } = run([...command.split(" "), "--help"]);
    expect(status).toBe(0);
    const section = stdout.slice(stdout.indexOf("Exit status:"));
    expect(stdout).toContain("Exit status:");
    expect(section).toMatch(/^ +0 {2}\S/m);
    expect(section).toMatch(/^ +2 {2}usage error/m);
  });
});

describe("version", () => {
  it("reports an unreachable server instead of failing, quickly", () => {
    // A port nothing listens on: connection refused at once.
    const kubeconfig = path.join(ROOT, "test", "fixtures", "kubeconfig-unreachable.yaml");
    const { status, stdout } = run(["version", "--request-timeout", "2s"], { KUBECONFIG: kubeconfig });
    expect(status).toBe(0);
    expect(stdout).toMatch(/^operator-chaos version \d+\.\d+\.\d+\nserver: unreachable \(.+\)\n$/);
  });

  it("--client contacts no cluster", () => {
    const { status, stdout } = run(["version", "--client", "-o", "json"]);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ client: { version: expect.stringMatching(/^\d+\.\d+\.\d+/), node: process.version } });
  });

  it("refuses a malformed --request-timeout with status 2", () => {
    const { status, stderr } = run(["version", "--request-timeout", "soon"]);
    expect(status).toBe(2);
    expect(stderr).toContain("--request-timeout");
  });
});
