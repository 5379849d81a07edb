import { hostname } from "node:os";

/** Which process holds a lock or wrote a journal record. */
export interface RunOwner {
  host: string;
  pid: number;
}

export const OWNER_HOST_ANNOTATION = "chaos.operatorchaos.io/owner-host";
export const OWNER_PID_ANNOTATION = "chaos.operatorchaos.io/owner-pid";

export function currentOwner(): RunOwner {
  return { host: hostname(), pid: process.pid };
}

/**
 * True only when we can be sure the owner is gone: it ran on this machine and its process no
 * longer exists. A run on another machine is judged by its lock's expiry alone.
 */
export function ownerIsDead(owner: Partial<RunOwner> | undefined): boolean {
  if (!owner?.host || !owner.pid || owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
