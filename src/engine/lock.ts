import { isConflict, isNotFound, type KubeRest } from "../kube/rest.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../journal/labels.js";
import { OWNER_HOST_ANNOTATION, OWNER_PID_ANNOTATION, currentOwner, ownerIsDead, type RunOwner } from "./owner.js";

/** One experiment at a time per operator: a Lease named like the Go tool's. */
export const lockName = (operator: string) => `operator-chaos-lock-${operator}`;

/** Our leases are short and renewed while the run lives, so a crashed run frees the lock quickly. */
export const LOCK_DURATION_SECONDS = 30;
const RENEW_EVERY_MS = 10_000;

export class LockContentionError extends Error {}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
  };
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
const microTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

/** The process that holds a lease, when one of our runs wrote it. */
function leaseOwner(lease: Lease): Partial<RunOwner> | undefined {
  const annotations = lease.metadata.annotations ?? {};
  const host = annotations[OWNER_HOST_ANNOTATION];
  const pid = Number(annotations[OWNER_PID_ANNOTATION]);
  return host ? { host, pid } : undefined;
}

/** Live: renewed within its duration, and not held by a process on this machine that has died. */
export function leaseHolderIsLive(lease: Lease, now: Date): boolean {
  return leaseIsLive(lease.spec, now) && !ownerIsDead(leaseOwner(lease));
}

/** A lease is live while its last renewal (or acquisition) plus its duration lies in the future. */
export function leaseIsLive(spec: Lease["spec"] | undefined, now: Date): boolean {
  const since = spec?.renewTime ?? spec?.acquireTime;
  if (!since || !spec?.leaseDurationSeconds) return false;
  return Date.parse(since) + spec.leaseDurationSeconds * 1000 > now.getTime();
}

export class OperatorLock {
  private timer: NodeJS.Timeout | undefined;
  private lost: string | undefined;

  constructor(
    private readonly rest: KubeRest,
    readonly namespace: string,
    readonly operator: string,
    readonly holder: string,
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
      await this.rest.create(this.path, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.name, namespace: this.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: this.ownerAnnotations() },
        spec,
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
      const existing = await this.rest.get<Lease>(`${this.path}/${this.name}`);
      if (leaseHolderIsLive(existing, now)) {
        throw new LockContentionError(
          `operator ${this.operator} is locked by ${existing.spec.holderIdentity ?? "another run"} ` +
          `(Lease ${this.namespace}/${this.name}); wait for it to finish, or run \`operator-chaos clean\` if that run is dead`,
        );
      }
      // Expired: take it over, guarded by resourceVersion so only one contender wins.
      try {
        const metadata = { ...existing.metadata, annotations: { ...existing.metadata.annotations, ...this.ownerAnnotations() } };
        await this.rest.replace(`${this.path}/${this.name}`, { ...existing, metadata, spec });
      } catch (replaceError) {
        if (isConflict(replaceError)) throw new LockContentionError(`operator ${this.operator} was locked by another run at the same moment`);
        throw replaceError;
      }
    }
    this.timer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.timer.unref();
  }

  private ownerAnnotations(): Record<string, string> {
    const owner = currentOwner();
    return { [OWNER_HOST_ANNOTATION]: owner.host, [OWNER_PID_ANNOTATION]: String(owner.pid) };
  }

  private async renew(): Promise<void> {
    try {
      const lease = await this.rest.get<Lease>(`${this.path}/${this.name}`);
      if (lease.spec.holderIdentity !== this.holder) {
        this.lost = `the lock was taken over by ${lease.spec.holderIdentity}`;
        return;
      }
      lease.spec.renewTime = microTime(new Date());
      await this.rest.replace(`${this.path}/${this.name}`, lease);
    } catch (error) {
      // A transient failure is fine as long as a later renewal lands inside the lease duration.
      if (isNotFound(error)) this.lost = "the lock Lease was deleted during the run";
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    try {
      const lease = await this.rest.get<Lease>(`${this.path}/${this.name}`);
      if (lease.spec.holderIdentity !== this.holder) return;
      await this.rest.delete(`${this.path}/${this.name}`, {
        apiVersion: "v1", kind: "DeleteOptions", preconditions: { resourceVersion: lease.metadata.resourceVersion },
      });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}

/** Whether the run that wrote a journal record still holds its lock (so its records are its own). */
export async function lockHeldBy(rest: KubeRest, namespace: string, name: string, holder: string, now = new Date()): Promise<boolean> {
  try {
    const lease = await rest.get<Lease>(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`);
    return lease.spec.holderIdentity === holder && leaseHolderIsLive(lease, now);
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
