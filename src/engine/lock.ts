import { performance } from "node:perf_hooks";
import { isConflict, isNotFound, type KubeRest } from "../kube/rest.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../journal/labels.js";
import { LeaseJudge, LeaseState, leaseIsLive, leaseStateOf, type Lease } from "./liveness.js";
import { ownerAnnotations } from "./owner.js";

export { leaseIsLive, type Lease };

/** One experiment at a time per operator: a Lease named like the Go tool's. */
export const lockName = (operator: string) => `operator-chaos-lock-${operator}`;

/** Our leases are short and renewed while the run lives, so a crashed run frees the lock quickly. */
export const LOCK_DURATION_SECONDS = 30;
const RENEW_EVERY_MS = 10_000;
/** After a failed renewal, the next try comes sooner. */
const RENEW_RETRY_MS = 2_000;
/**
 * A run that could not renew for this long gives up (aborts and reverts): past its lease, others
 * may judge it dead and revert its fault under it. The margin leaves time to stop first.
 */
export const LOCK_LOST_AFTER_MS = LOCK_DURATION_SECONDS * 1000 - 5_000;

export class LockContentionError extends Error {}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
const microTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

/** Live: renewed within its duration (judged as src/engine/liveness.ts says), and not held by a process that has died. */
export function leaseHolderIsLive(lease: Lease, now: Date, judge: LeaseJudge = new LeaseJudge()): boolean {
  return judge.judge(lease, now) !== LeaseState.Dead;
}

export class OperatorLock {
  private timer: NodeJS.Timeout | undefined;
  private lost: string | undefined;
  private lastRenewed = 0;
  private released = false;
  /** The Lease as last written by us: renewals and the release write on its resourceVersion without reading first. */
  private current: Lease | undefined;

  constructor(
    private readonly rest: KubeRest,
    readonly namespace: string,
    readonly operator: string,
    readonly holder: string,
    /** Called once when the lock is lost (taken over, deleted, or not renewed in time): the run must stop. */
    private readonly onLost: (reason: string) => void = () => {},
  ) {}

  get name(): string {
    return lockName(this.operator);
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.namespace}/leases`;
  }

  /** Why renewing failed, if it did: the run must not claim a clean verdict after losing its lock. */
  get lostReason(): string | undefined {
    return this.lost;
  }

  /** Takes the lock or throws LockContentionError naming the holder; then keeps renewing it. */
  async acquire(): Promise<void> {
    const now = new Date();
    const spec = { holderIdentity: this.holder, leaseDurationSeconds: LOCK_DURATION_SECONDS, acquireTime: microTime(now), renewTime: microTime(now) };
    try {
      this.current = await this.rest.create<Lease>(this.path, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.name, namespace: this.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: this.ownerAnnotations() },
        spec,
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
      const { state, lease: existing } = await leaseStateOf(this.rest, new LeaseJudge(), this.namespace, this.name);
      if (!existing) return this.acquire(); // deleted meanwhile: try again
      if (state !== LeaseState.Dead) {
        throw new LockContentionError(
          `operator ${this.operator} is locked by ${existing.spec.holderIdentity ?? "another run"} ` +
          `(Lease ${this.namespace}/${this.name}); wait for it to finish, or run \`operator-chaos clean\` if that run is dead`,
        );
      }
      // Expired: take it over, guarded by resourceVersion so only one contender wins.
      try {
        const metadata = { ...existing.metadata, annotations: { ...existing.metadata.annotations, ...this.ownerAnnotations() } };
        this.current = await this.rest.replace<Lease>(`${this.path}/${this.name}`, { ...existing, metadata, spec });
      } catch (replaceError) {
        if (isConflict(replaceError)) throw new LockContentionError(`operator ${this.operator} was locked by another run at the same moment`);
        throw replaceError;
      }
    }
    this.lastRenewed = performance.now();
    this.schedule(RENEW_EVERY_MS);
  }

  private schedule(ms: number): void {
    if (this.released || this.lost) return;
    this.timer = setTimeout(() => void this.renew(), ms);
    this.timer.unref();
  }

  private ownerAnnotations(): Record<string, string> {
    return ownerAnnotations();
  }

  private lose(reason: string): void {
    if (this.lost || this.released) return;
    this.lost = reason;
    this.onLost(reason);
  }

  /** Our Lease as it is now: the one we last wrote, or read afresh (after a conflict, or when none is known). */
  private async read(): Promise<Lease> {
    this.current = await this.rest.get<Lease>(`${this.path}/${this.name}`, { timeoutMs: 5_000 });
    return this.current;
  }

  /**
   * One write per renewal: a replace on the resourceVersion we last wrote. A conflict means someone
   * else wrote the Lease: read it, and renew on top only if it is still ours.
   */
  private async renew(): Promise<void> {
    try {
      for (let attempt = 1; ; attempt += 1) {
        const lease = this.current ?? await this.read();
        if (lease.spec.holderIdentity !== this.holder) {
          this.lose(`the lock was taken over by ${lease.spec.holderIdentity}`);
          return;
        }
        try {
          this.current = await this.rest.replace<Lease>(`${this.path}/${this.name}`,
            { ...lease, spec: { ...lease.spec, renewTime: microTime(new Date()) } }, { timeoutMs: 5_000 });
          break;
        } catch (error) {
          if (!isConflict(error) || attempt >= 3) throw error;
          this.current = undefined;
        }
      }
      this.lastRenewed = performance.now();
      this.schedule(RENEW_EVERY_MS);
    } catch (error) {
      if (isNotFound(error)) {
        this.lose("the lock Lease was deleted during the run");
        return;
      }
      // A failure is fine as long as a later renewal lands inside the lease; past that, the run stops.
      const since = performance.now() - this.lastRenewed;
      if (since >= LOCK_LOST_AFTER_MS) {
        this.lose(`the lock could not be renewed for ${Math.round(since / 1000)} s (lease ${LOCK_DURATION_SECONDS} s): ${(error as Error).message}`);
        return;
      }
      this.schedule(Math.min(RENEW_RETRY_MS, LOCK_LOST_AFTER_MS - since));
    }
  }

  /** Deletes the Lease if it is still ours, guarded by resourceVersion (read afresh only after a conflict). */
  async release(): Promise<void> {
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        const lease = this.current ?? await this.read();
        if (lease.spec.holderIdentity !== this.holder) return;
        await this.rest.delete(`${this.path}/${this.name}`, {
          apiVersion: "v1", kind: "DeleteOptions", preconditions: { resourceVersion: lease.metadata.resourceVersion },
        });
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        if (!isConflict(error)) throw error;
        this.current = undefined;
      }
    }
  }
}

/** Whether the run that wrote a journal record still holds its lock (so its records are its own). */
export async function lockHeldBy(rest: KubeRest, namespace: string, name: string, holder: string, options: { now?: Date; judge?: LeaseJudge; signal?: AbortSignal } = {}): Promise<boolean> {
  const { state, lease } = await leaseStateOf(rest, options.judge ?? new LeaseJudge(), namespace, name, {
    now: () => options.now ?? new Date(), ...(options.signal ? { signal: options.signal } : {}),
  });
  return lease?.spec.holderIdentity === holder && state !== LeaseState.Dead;
}
