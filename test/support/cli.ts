import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";

export const CLI = resolve(import.meta.dirname, "../../dist/src/cli/main.js");
/** Preloaded when a test hook variable is passed: without it the CLI ignores those variables. */
export const TEST_HOOKS = resolve(import.meta.dirname, "test-hooks.mjs");
const TEST_HOOK_VARIABLE = /^OPERATOR_CHAOS_(CRASH_AT|THROW_AT|PAUSE_AT|TEST_BREAK_REVERT|TEST_FAIL_REVERT_ONCE)$/;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (the test command compiles first) with the lab's kubeconfig. */
export function runCli(args: string[], kubeconfig: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawnCli(args, kubeconfig, env);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
}

export function spawnCli(args: string[], kubeconfig: string, env: Record<string, string> = {}): ChildProcess {
  const hooks = Object.keys(env).some((name) => TEST_HOOK_VARIABLE.test(name)) ? ["--import", TEST_HOOKS] : [];
  return spawn(process.execPath, [...hooks, CLI, ...args], {
    env: { ...process.env, KUBECONFIG: kubeconfig, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Writes a document to a fresh temporary file and returns its path. */
export function writeTemp(name: string, document: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "oc-test-"));
  const file = join(dir, name);
  writeFileSync(file, typeof document === "string" ? document : stringify(document));
  return file;
}
