import { spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { waitFor } from "./wait.js";

/**
 * Every process a lab starts carries this variable, set to the lab's folder. `lab down` finds
 * them through /proc even when a crashed `lab up` never wrote a pid file.
 */
export const LAB_MARKER_ENV = "OPERATOR_CHAOS_LAB_DIR";

export interface StartedProcess {
  component: string;
  pid: number;
  logFile: string;
}

/**
 * Starts a component in its own process group (so that stopping it stops its children too),
 * with stdout and stderr appended to `<labDir>/logs/<component>.log`. The pid file is written
 * before this returns.
 */
export async function startComponent(
  labDir: string,
  component: string,
  command: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<StartedProcess> {
  await mkdir(join(labDir, "logs"), { recursive: true });
  await mkdir(join(labDir, "pids"), { recursive: true });
  const logFile = join(labDir, "logs", `${component}.log`);
  const log = openSync(logFile, "a");
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, ...extraEnv, [LAB_MARKER_ENV]: labDir },
      cwd: labDir,
    });
    const pid = await new Promise<number>((resolvePid, reject) => {
      child.once("error", (error) => reject(new Error(`cannot start ${component} (${command}): ${error.message}`)));
      child.once("spawn", () => resolvePid(child.pid ?? 0));
    });
    child.unref();
    await writeFile(join(labDir, "pids", `${component}.pid`), `${pid}\n`);
    // Kept so a component can be restarted exactly as it was started (reliability tests restart
    // the API server and etcd mid-run).
    await writeFile(join(labDir, "pids", `${component}.command.json`), JSON.stringify({ command, args, extraEnv }));
    return { component, pid, logFile };
  } finally {
    closeSync(log);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

/** Pids recorded in the lab's pid files, by component. */
export async function recordedPids(labDir: string): Promise<Map<string, number>> {
  const pids = new Map<string, number>();
  let files: string[] = [];
  try {
    files = readdirSync(join(labDir, "pids"));
  } catch {
    return pids;
  }
  for (const file of files.filter((f) => f.endsWith(".pid"))) {
    const pid = Number.parseInt(await readFile(join(labDir, "pids", file), "utf8"), 10);
    if (Number.isInteger(pid) && pid > 1) pids.set(file.slice(0, -4), pid);
  }
  return pids;
}

/** Every live process whose environment carries this lab's marker (found via /proc). */
export function markedPids(labDir: string): number[] {
  const found: number[] = [];
  const wanted = `${LAB_MARKER_ENV}=${labDir}`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8");
      if (environ.split("\0").includes(wanted) && !isZombie(pid)) found.push(pid);
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig);
    } catch {
      // Already gone, or not a group leader: the other form covers it.
    }
  }
}

/**
 * Stops processes: SIGTERM to each process (and its group), then SIGKILL to whatever is still
 * alive after `graceMs`. Resolves once none of them is alive, or throws after the deadline.
 */
export async function stopProcesses(pids: number[], graceMs = 5_000, signalAbort?: AbortSignal): Promise<void> {
  const live = pids.filter(isAlive);
  if (live.length === 0) return;
  for (const pid of live) signal(pid, "SIGTERM");
  const allGone = () => live.every((pid) => !isAlive(pid));
  try {
    await waitFor(allGone, { timeoutMs: graceMs, intervalMs: 50, what: "processes to exit", signal: signalAbort });
  } catch {
    for (const pid of live) if (isAlive(pid)) signal(pid, "SIGKILL");
    await waitFor(allGone, { timeoutMs: 5_000, intervalMs: 50, what: "killed processes to exit", signal: signalAbort });
  }
}

export async function removePidFile(labDir: string, component: string): Promise<void> {
  await rm(join(labDir, "pids", `${component}.pid`), { force: true });
}

/**
 * Stops one component (SIGTERM, then SIGKILL after `graceMs`) and starts it again with the same
 * command line. Resolves once the new process is spawned; readiness is the caller's to wait for.
 */
export async function restartComponent(labDir: string, component: string, graceMs = 5_000): Promise<StartedProcess> {
  const pid = (await recordedPids(labDir)).get(component);
  const saved = JSON.parse(await readFile(join(labDir, "pids", `${component}.command.json`), "utf8")) as {
    command: string; args: string[]; extraEnv: Record<string, string>;
  };
  if (pid !== undefined) await stopProcesses([pid], graceMs);
  return startComponent(labDir, component, saved.command, saved.args, saved.extraEnv);
}
