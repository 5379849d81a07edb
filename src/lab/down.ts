import { existsSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { assertLabName, labDir, labsRoot } from "./paths.js";
import { markedPids, recordedPids, stopProcesses } from "./processes.js";
import { releaseRunnerNetwork } from "./runner/index.js";

export interface LabDownResult {
  name: string;
  stoppedProcesses: number;
  removed: boolean;
}

/**
 * Hooks that release what a lab created outside its folder (network namespaces, veths, nftables
 * tables of the process runner). Each must be idempotent and work after a crash.
 */
const releaseHooks: Array<(dir: string) => Promise<void>> = [releaseRunnerNetwork];
export function onLabDown(hook: (dir: string) => Promise<void>): void {
  releaseHooks.push(hook);
}

/**
 * Stops every process of the lab — those in its pid files and any other carrying its marker
 * (children, or processes a crashed `lab up` never recorded) — then removes its folder.
 */
export async function labDown(name = "default"): Promise<LabDownResult> {
  const dir = labDir(assertLabName(name));
  if (!existsSync(dir)) return { name, stoppedProcesses: 0, removed: false };
  const pids = new Set([...(await recordedPids(dir)).values(), ...markedPids(dir)]);
  await stopProcesses([...pids]);
  // Anything started in the meantime by a dying parent (a restarting runner) goes too.
  const late = markedPids(dir);
  if (late.length > 0) await stopProcesses(late, 1_000);
  for (const hook of releaseHooks) await hook(dir);
  await rm(dir, { recursive: true, force: true });
  return { name, stoppedProcesses: pids.size + late.length, removed: true };
}

/** Names of the labs that have a state folder. */
export function listLabs(): string[] {
  try {
    return readdirSync(labsRoot()).sort();
  } catch {
    return [];
  }
}
