// Leader election (--leader-elect): replicas contend for one Lease; only its holder reconciles.
// The Lease is the engine's lock (OperatorLock: owner annotations, renewals, takeover of a dead
// holder as soon as it is judged dead) under the Go tool's election name.

import { LockContentionError, OperatorLock } from "../engine/lock.js";
import type { KubeRest } from "../kube/rest.js";
import { pause } from "../kube/transport.js";

/** The Go tool's LeaderElectionID. */
export const LEADER_LEASE = "operator-chaos-controller";
/** How often a standby tries again; a Lease cannot announce its holder's death, so this one wait is timed. */
export const STANDBY_RETRY_MS = 2_000;

class LeaderLease extends OperatorLock {
  override get name(): string {
    return LEADER_LEASE;
  }
}

/**
 * Resolves once this replica holds the Lease (it keeps renewing it); `onLost` is called if it is
 * lost later, after which this replica must stop reconciling.
 */
export async function becomeLeader(rest: KubeRest, namespace: string, identity: string, signal: AbortSignal, log: (line: string) => void, onLost: (reason: string) => void): Promise<OperatorLock> {
  let said = false;
  for (;;) {
    signal.throwIfAborted();
    const lease = new LeaderLease(rest, namespace, "controller", identity, onLost);
    try {
      await lease.acquire();
      return lease;
    } catch (error) {
      if (!(error instanceof LockContentionError)) log(`leader election: ${(error as Error).message}`);
      else if (!said) log(`standing by: the Lease ${namespace}/${LEADER_LEASE} is held by another replica`);
      said = true;
    }
    await pause(STANDBY_RETRY_MS, signal);
  }
}
