import { spawn } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "./paths.js";

export interface LabBinaries {
  dir: string;
  kube: string;
  kwok: string;
  kwokStages: string;
}

/**
 * Returns the control plane binaries, building them once from Go modules (lab/build.sh) into a
 * cache folder keyed by the pinned versions. A cache whose checksums do not match is rebuilt.
 */
export async function ensureLabBinaries(
  progress: (line: string) => void = () => {},
  environment: NodeJS.ProcessEnv = process.env,
): Promise<LabBinaries> {
  const script = join(projectRoot(), "lab", "build.sh");
  const output: string[] = [];
  const code = await new Promise<number>((resolveCode, reject) => {
    const child = spawn("bash", [script], { stdio: ["ignore", "pipe", "pipe"], env: environment });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    let pending = "";
    child.stderr.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        if (line.startsWith("lab build:")) progress(line);
      }
    });
    child.once("error", reject);
    child.once("close", (status) => {
      if (pending) output.push(pending);
      output.push(`::stdout::${stdout.trim()}`);
      resolveCode(status ?? 1);
    });
  });
  const dirLine = output.pop()?.replace("::stdout::", "").split("\n").pop() ?? "";
  if (code !== 0 || !dirLine) {
    const tail = output.filter((l) => l.trim()).slice(-15).join("\n");
    throw new Error(`building the lab's control plane failed (exit ${code}):\n${tail}`);
  }
  return { dir: dirLine, kube: join(dirLine, "kube"), kwok: join(dirLine, "kwok"), kwokStages: join(dirLine, "kwok-stages.yaml") };
}
