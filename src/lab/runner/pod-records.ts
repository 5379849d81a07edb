import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LAB_MARKER_ENV } from "../processes.js";

/**
 * What survives the runner: each pod process carries the lab marker and its pod's UID in its
 * environment, and <labDir>/runner/pods/<uid>/record.json names its main pid and address slot.
 * A restarted runner adopts from these, so a pod UID never gets a second process.
 */
export const POD_UID_ENV = "OPERATOR_CHAOS_POD_UID";

export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  slot?: number;
  pid?: number;
  startedAt?: string;
}

/** The pod's private files: record.json, its ServiceAccount token and kubeconfig. */
export const podStateDir = (labDir: string, uid: string) => join(labDir, "runner", "pods", uid);
/** Its containers' logs (kept until `lab down`, also after the pod is gone). */
export const podLogDir = (labDir: string, namespace: string, name: string, uid: string) =>
  join(labDir, "pods", `${namespace}_${name}_${uid}`);

export async function readPodRecord(labDir: string, uid: string): Promise<PodRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(podStateDir(labDir, uid), "record.json"), "utf8")) as PodRecord;
  } catch {
    return undefined;
  }
}

/** UIDs with a record. */
export function listPodRecords(labDir: string): string[] {
  try {
    return readdirSync(join(labDir, "runner", "pods"));
  } catch {
    return [];
  }
}

/** Live processes of this lab's pods, by pod UID (from /proc). */
export function podProcesses(labDir: string): Map<string, number[]> {
  const found = new Map<string, number[]>();
  const labMarker = `${LAB_MARKER_ENV}=${labDir}`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (!environ.includes(labMarker)) continue;
      const uid = environ.find((e) => e.startsWith(`${POD_UID_ENV}=`))?.slice(POD_UID_ENV.length + 1);
      if (!uid || isZombie(Number(entry))) continue;
      found.set(uid, [...(found.get(uid) ?? []), Number(entry)]);
    } catch {
      // gone, or not readable
    }
  }
  return found;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !isZombie(pid);
}

/** Signals a process, or its whole process group. */
export function kill(pid: number, signal: NodeJS.Signals, group = false): void {
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    // gone
  }
}

/** SIGKILLs every process of the pod: what tearing down a container's cgroup does. */
export function killPodProcesses(labDir: string, uid: string): number[] {
  const pids = podProcesses(labDir).get(uid) ?? [];
  for (const pid of pids) {
    kill(pid, "SIGKILL", true);
    kill(pid, "SIGKILL");
  }
  return pids;
}
