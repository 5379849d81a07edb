import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";

export const CLI = resolve(import.meta.dirname, "../../dist/src/cli/main.js");

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
  return spawn(process.execPath, [CLI, ...args], {
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
