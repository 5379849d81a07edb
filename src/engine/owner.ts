import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Which process holds a lock or claims a journal record. A host name alone is not an identity (two
 * machines, or containers, may share one; a pid is reused after a reboot or once the process is
 * gone), so the owner carries the kernel's boot id and the process's start time as well.
 */
export interface RunOwner {
  host: string;
  pid: number;
  /** /proc/sys/kernel/random/boot_id: changes at every boot; differs between machines. */
  bootId?: string;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat, field 22). */
  startTime?: string;
}

export const OWNER_HOST_ANNOTATION = "chaos.operatorchaos.io/owner-host";
export const OWNER_PID_ANNOTATION = "chaos.operatorchaos.io/owner-pid";
export const OWNER_BOOT_ID_ANNOTATION = "chaos.operatorchaos.io/owner-boot-id";
export const OWNER_START_TIME_ANNOTATION = "chaos.operatorchaos.io/owner-start-time";

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** This machine's boot id, or undefined where /proc does not have it. */
export const bootId = (): string | undefined => readText("/proc/sys/kernel/random/boot_id");

/** Field 22 of /proc/<pid>/stat (after the command name, which may itself hold spaces and parentheses). */
export function processStartTime(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); field 22 is fields[19].
  return fields[19];
}

let me: RunOwner | undefined;

export function currentOwner(): RunOwner {
  if (!me) {
    const boot = bootId();
    const start = processStartTime(process.pid);
    me = { host: hostname(), pid: process.pid, ...(boot ? { bootId: boot } : {}), ...(start ? { startTime: start } : {}) };
  }
  return me;
}

/** The owner as annotations of a Lease. */
export function ownerAnnotations(owner: RunOwner = currentOwner()): Record<string, string> {
  return {
    [OWNER_HOST_ANNOTATION]: owner.host,
    [OWNER_PID_ANNOTATION]: String(owner.pid),
    ...(owner.bootId ? { [OWNER_BOOT_ID_ANNOTATION]: owner.bootId } : {}),
    ...(owner.startTime ? { [OWNER_START_TIME_ANNOTATION]: owner.startTime } : {}),
  };
}

/** The owner named by a Lease's annotations, when one of our runs wrote it. */
export function ownerFromAnnotations(annotations: Record<string, string> | undefined): Partial<RunOwner> | undefined {
  const host = annotations?.[OWNER_HOST_ANNOTATION];
  if (!host) return undefined;
  const boot = annotations[OWNER_BOOT_ID_ANNOTATION];
  const start = annotations[OWNER_START_TIME_ANNOTATION];
  return { host, pid: Number(annotations[OWNER_PID_ANNOTATION]), ...(boot ? { bootId: boot } : {}), ...(start ? { startTime: start } : {}) };
}

/** Whether the owner ran on this machine (same host name and, when both are known, same boot). */
export function ownerIsLocal(owner: Partial<RunOwner> | undefined): boolean {
  if (!owner?.host || owner.host !== hostname()) return false;
  const mine = currentOwner().bootId;
  // A different boot id under the same name is another machine, or this one before a reboot:
  // either way not a process we can look up here.
  return !(owner.bootId && mine && owner.bootId !== mine);
}

/**
 * True only when we can be sure the owner is gone: it ran on this machine during an earlier boot,
 * or its process no longer exists, or its pid now belongs to a process started at another time. A
 * run on another machine is judged by its lock alone.
 */
export function ownerIsDead(owner: Partial<RunOwner> | undefined): boolean {
  if (!owner?.host || owner.host !== hostname()) return false;
  const mine = currentOwner().bootId;
  if (owner.bootId && mine && owner.bootId !== mine) {
    // Same name, other boot: dead if this machine rebooted since; unknown if it is another machine.
    return false;
  }
  if (!owner.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  // The pid exists: is it still the same process?
  if (owner.startTime) {
    const now = processStartTime(owner.pid);
    if (now !== undefined && now !== owner.startTime) return true;
  }
  return false;
}
