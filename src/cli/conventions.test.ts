// kubectl-like conventions of every command that needs no cluster, run as users run them (the built
// command): `-o yaml` carries the same object as `-o json`, --help documents the exit statuses, NO_COLOR
// output has no escape codes. The cluster commands are checked against the lab in test/cli-conventions.test.ts.

import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageRoot } from "../experiment/package-root.js";

const ROOT = packageRoot();
const MAIN = path.join(ROOT, "dist", "src", "cli", "main.js");
const UPGRADE_DATA = path.join(ROOT, "src", "upgrade", "testdata");
const NO_CLUSTER = path.join(tmpdir(), "operator-chaos-no-such-kubeconfig");

function newestSource(directory: string): number {
  return readdirSync(directory, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return Math.max(newest, newestSource(full));
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? Math.max(newest, statSync(full).mtimeMs) : newest;
  }, 0);
}

beforeAll(async () => {
  // Built only when a source is newer than the command; asynchronously, so the test worker stays responsive.
  const stale = !existsSync(MAIN) || newestSource(path.join(ROOT, "src")) > statSync(MAIN).mtimeMs;
  if (stale) await promisify(execFile)("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT }).catch(() => undefined);
  expect(existsSync(MAIN)).toBe(true);
}, 180_000);

/** Runs the built command without blocking the test worker (a blocked worker misses vitest's own RPC deadlines). */
function spawnAsync(command: string, args: readonly string[], env: Record<string, string | undefined>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, KUBECONFIG: NO_CLUSTER, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function run(args: readonly string[], env: Record<string, string> = {}) {
  return spawnAsync(process.execPath, [MAIN, ...args], env);
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
  ["explain", "ChaosExperiment.spec.injection.parameters", "--type", "ConfigDrift"],
];

describe("-o yaml and -o json", () => {
  it.each(STRUCTURED.map((args) => [args.join(" "), args] as const))("%s: -o yaml parses back to the -o json object, with the same exit status", async (_, args) => {
    const json = await run([...args, "-o", "json"]);
    const yaml = await run([...args, "-o", "yaml"]);
    expect(json.stderr).toBe(yaml.stderr);
    expect(yaml.status).toBe(json.status);
    const object = JSON.parse(json.stdout) as unknown;
    expect(object).not.toBeNull();
    expect(parse(yaml.stdout)).toEqual(object);
    expect(yaml.stdout.trimStart().startsWith("{")).toBe(false);
  });

  it("rejects a format the command does not have with status 2 and the allowed ones", async () => {
    const result = await run(["types", "-o", "xml"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Allowed choices are text, json, yaml, name");
  });

  it("types -o name prints one fault type per line", async () => {
    const names = (await run(["types", "-o", "name"])).stdout.trimEnd().split("\n");
    const types = (JSON.parse((await run(["types", "-o", "json"])).stdout) as { type: string }[]).map((entry) => entry.type);
    expect(names).toEqual(types);
  });
});

describe("--help", () => {
  const commands = [...new Set(STRUCTURED.map((args) => (args[0] === "lab" ? ["lab", "status"] : [args[0]!])).map((c) => c.join(" ")))];
  it.each([...commands, "run", "clean", "validate-version", "suite", "completion"])("%s documents its exit statuses", async (command) => {
    const { status, stdout } = await run([...command.split(" "), "--help"]);
    expect(status).toBe(0);
    const section = stdout.slice(stdout.indexOf("Exit status:"));
    expect(stdout).toContain("Exit status:");
    expect(section).toMatch(/^ +0 {2}\S/m);
    expect(section).toMatch(/^ +2 {2}usage error/m);
  });
});

describe("version", () => {
  it("reports an unreachable server instead of failing, quickly", async () => {
    // A port nothing listens on: connection refused at once.
    const kubeconfig = path.join(ROOT, "test", "fixtures", "kubeconfig-unreachable.yaml");
    const { status, stdout } = await run(["version", "--request-timeout", "2s"], { KUBECONFIG: kubeconfig });
    expect(status).toBe(0);
    expect(stdout).toMatch(/^operator-chaos version \d+\.\d+\.\d+\nserver: unreachable \(.+\)\n$/);
  });

  it("--client contacts no cluster", async () => {
    const { status, stdout } = await run(["version", "--client", "-o", "json"]);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ client: { version: expect.stringMatching(/^\d+\.\d+\.\d+/), node: process.version } });
  });

  it("refuses a malformed --request-timeout with status 2", async () => {
    const { status, stderr } = await run(["version", "--request-timeout", "soon"]);
    expect(status).toBe(2);
    expect(stderr).toContain("--request-timeout");
  });
});

/** Runs the command in a pseudo-terminal (util-linux `script`), so that stdout and stderr are TTYs. */
async function runInTerminal(args: readonly string[], env: Record<string, string | undefined>) {
  const quoted = [process.execPath, MAIN, ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(" ");
  const result = await spawnAsync("script", ["-qfec", quoted, "/dev/null"], { TERM: "xterm", ...env });
  return { status: result.status, output: result.stdout };
}

const ESCAPE = /\x1b\[/;

describe("colours", () => {
  const unset = { NO_COLOR: undefined, FORCE_COLOR: undefined };
  it("are used in a terminal, and NO_COLOR=1 removes every escape code", async () => {
    const coloured = await runInTerminal(["types"], unset);
    expect(coloured.status).toBe(0);
    expect(coloured.output).toMatch(ESCAPE);
    for (const args of [["types"], ["validate", "test/fixtures/invalid/empty-fields.yaml"], ["version", "--client"]]) {
      const plain = await runInTerminal(args, { ...unset, NO_COLOR: "1" });
      expect(plain.output.length).toBeGreaterThan(0);
      expect(plain.output).not.toMatch(ESCAPE);
    }
  });

  it("are off in a pipe unless FORCE_COLOR asks for them; NO_COLOR wins over FORCE_COLOR", async () => {
    expect((await run(["types"], { NO_COLOR: "", FORCE_COLOR: "" })).stdout).not.toMatch(ESCAPE);
    expect((await spawnAsync(process.execPath, [MAIN, "types"], { NO_COLOR: "", FORCE_COLOR: "1" })).stdout).toMatch(ESCAPE);
    expect((await run(["types"], { NO_COLOR: "1", FORCE_COLOR: "1" })).stdout).not.toMatch(ESCAPE);
  });
});

describe("completion", () => {
  it("bash: the script loads and registers the function; it completes subcommands, nested commands, fault types and -o values", async () => {
    const script = path.join(tmpdir(), `operator-chaos-completion-${process.pid}.bash`);
    const generated = await run(["completion", "bash"]);
    expect(generated.status).toBe(0);
    writeFileSync(script, generated.stdout);
    const complete = async (words: string) => {
      const result = await spawnAsync("bash", ["-c", `source ${script}; COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _operator_chaos_complete; echo "\${COMPREPLY[*]}"`], {});
      expect(result.stderr).toBe("");
      return result.stdout.trim().split(" ");
    };
    const loaded = await spawnAsync("bash", ["-c", `source <(${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} completion bash); complete -p operator-chaos`], {});
    expect(loaded.status).toBe(0);
    expect(loaded.stdout.trim()).toBe("complete -o default -F _operator_chaos_complete operator-chaos");
    expect(await complete("operator-chaos va")).toEqual(["validate", "validate-version"]);
    expect(await complete("operator-chaos lab st")).toEqual(["status"]);
    expect(await complete("operator-chaos init --type Con")).toEqual(["ConfigDrift"]);
    expect(await complete("operator-chaos explain x --type Pod")).toEqual(["PodKill"]);
    expect(await complete("operator-chaos run x.yaml -o ''")).toEqual(["text", "json", "yaml"]);
    expect(await complete("operator-chaos types --out")).toEqual(["--output"]);
  });

  it("zsh and fish scripts name every command and the fault types", async () => {
    const zsh = (await run(["completion", "zsh"])).stdout;
    const fish = (await run(["completion", "fish"])).stdout;
    expect(zsh.startsWith("#compdef operator-chaos\n")).toBe(true);
    for (const command of ["validate", "run", "suite", "explain", "completion", "lab"]) {
      expect(zsh).toContain(`'${command}'`);
      expect(fish).toContain(`-a '${command}'`);
    }
    expect(fish).toContain("-l type -x -a 'PodKill NetworkPartition");
    expect((await run(["completion", "tcsh"])).status).toBe(2);
  });
});
