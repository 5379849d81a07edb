import { readFile, writeFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { LabPorts } from "./components.js";

/** What `lab up` records about a lab, in `<labDir>/lab.json`. */
export interface LabState {
  name: string;
  dir: string;
  phase: "starting" | "ready";
  binariesDir: string;
  ports: LabPorts;
  server: string;
  kubeconfig: string;
  caFile: string;
  nodes: string[];
  startedAt: string;
  readyAt?: string;
  /** Seconds from the start of `lab up` to a Ready cluster (binaries already built). */
  startSeconds?: number;
}

export const stateFile = (dir: string) => join(dir, "lab.json");

export async function readLabState(dir: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir), "utf8")) as LabState;
  } catch {
    return undefined;
  }
}

export async function writeLabState(state: LabState): Promise<void> {
  const file = stateFile(state.dir);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
