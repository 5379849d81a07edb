// Leader election on a coordination.k8s.io Lease, client-go style: the leader renews every retry
// period and stops leading when it could not renew within the renew deadline; a candidate takes the
// Lease when it is free, or when its holder let it expire. Unlike controller-runtime (which exits
// when leadership is lost) this operator keeps campaigning, so it leads again once the API is back,
// without a restart. On SIGTERM the Lease is released so a successor need not wait for it to expire.
import { ApiError, isConflict, isNotFound, type KubeClient } from "./kube.js";
import type { Logger } from "./log.js";

interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string> };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  durationMs: number;
  renewDeadlineMs: number;
  retryMs: number;
  /** The PodKill switch: never take over a Lease another identity let expire. */
  noLeaderRecovery: boolean;
  /** The LeaderElectionDisrupt switch: a leader whose Lease was deleted keeps leading without one. */
  ignoreLostLease?: boolean;
  /** The WebhookLatency switch: a deadline for Lease requests shorter than the client's (a slow webhook makes them time out). */
  requestTimeoutMs?: number;
}

/** A Lease's MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

export class LeaderElector {
  private leading = false;
  private lastRenewAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** What we last logged about a foreign holder ("waiting:<holder>"…): logged once per situation, not every retry. */
  private reported: string | undefined;
  transitions = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly options: LeaderElectionOptions,
    private readonly callbacks: { started(): void; stopped(): void },
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  private path(name = ""): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases${name ? `/${name}` : ""}`;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.tryAcquireOrRenew();
    } catch (error) {
      // ApiHealth logged the failure. A leader that cannot renew in time must stop acting as one:
      // another candidate may take the Lease once it expires.
      if (!(error instanceof ApiError) || !isConflict(error)) this.checkDeadline();
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.options.retryMs);
  }

  private checkDeadline(): void {
    if (this.leading && Date.now() - this.lastRenewAt > this.options.renewDeadlineMs) {
      this.leading = false;
      this.log.warn("stopped leading: could not renew the lease", {
        lease: this.options.name, lastRenewed: `${((Date.now() - this.lastRenewAt) / 1000).toFixed(1)}s ago`,
      });
      this.callbacks.stopped();
    }
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = Date.now();
    let lease: Lease;
    try {
      lease = await this.client.request<Lease>("GET", this.path(this.options.name), this.requestOptions());
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (this.leading && this.options.ignoreLostLease) {
        // Nothing to renew, so nothing fails: it goes on reconciling with no Lease to arbitrate.
        this.reportOnce("lease-gone", () => this.log.warn("the lease is gone; leading on without it (LLAMASTACK_IGNORE_LOST_LEASE=true)", { lease: this.options.name }));
        this.lastRenewAt = now;
        return;
      }
      const lost = this.leading;
      await this.client.request<Lease>("POST", this.path(), { ...this.requestOptions(), body: this.newLease(now) });
      this.becameLeader(now, lost ? "recreated its deleted lease" : "created the lease");
      return;
    }
    const holder = lease.spec.holderIdentity ?? "";
    const renewedAt = Date.parse(lease.spec.renewTime ?? lease.spec.acquireTime ?? "") || 0;
    const expiresAt = renewedAt + (lease.spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder === this.options.identity) {
      await this.write(lease, { ...lease.spec, renewTime: microTime(now), leaseDurationSeconds: this.seconds() });
      if (!this.leading) this.becameLeader(now, "renewed its own lease");
      this.lastRenewAt = now;
      return;
    }
    if (this.leading) {
      this.leading = false;
      this.log.warn("stopped leading: another identity holds the lease", { lease: this.options.name, holder });
      this.callbacks.stopped();
    }
    if (holder !== "" && now < expiresAt) {
      this.reportOnce(`waiting:${holder}`, () => this.log.info("waiting for the current leader", { holder, expiresIn: `${((expiresAt - now) / 1000).toFixed(1)}s` }));
      return;
    }
    // Free (released), or expired: the holder stopped renewing, most likely because it died.
    // The lab runs on one machine, so comparing the Lease's renewTime with our clock is sound.
    if (holder !== "" && this.options.noLeaderRecovery) {
      this.reportOnce(`not-taking-over:${holder}`, () => this.log.warn("not taking over the expired lease (LLAMASTACK_NO_LEADER_RECOVERY=true); waiting for its holder to come back", {
        holder, expiredFor: `${((now - expiresAt) / 1000).toFixed(1)}s`,
      }));
      return;
    }
    await this.write(lease, {
      holderIdentity: this.options.identity, leaseDurationSeconds: this.seconds(),
      acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1,
    });
    this.becameLeader(now, holder === "" ? "acquired the released lease" : `took over the lease from ${holder}, expired ${((now - expiresAt) / 1000).toFixed(1)}s ago`);
  }

  private reportOnce(situation: string, report: () => void): void {
    if (this.reported === situation) return;
    this.reported = situation;
    report();
  }

  private becameLeader(now: number, how: string): void {
    this.lastRenewAt = now;
    this.reported = undefined;
    this.transitions += 1;
    this.leading = true;
    this.log.info("became leader", { lease: this.options.name, identity: this.options.identity, how });
    this.callbacks.started();
  }

  private seconds(): number {
    return Math.max(1, Math.round(this.options.durationMs / 1000));
  }

  private newLease(now: number): Lease {
    return {
      apiVersion: "coordination.k8s.io/v1", kind: "Lease",
      metadata: { name: this.options.name, namespace: this.options.namespace },
      spec: { holderIdentity: this.options.identity, leaseDurationSeconds: this.seconds(), acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
    };
  }

  private write(lease: Lease, spec: Lease["spec"]): Promise<Lease> {
    return this.client.request<Lease>("PUT", this.path(this.options.name), { ...this.requestOptions(), body: { ...lease, spec } });
  }

  private requestOptions(): { timeoutMs?: number } {
    return this.options.requestTimeoutMs === undefined ? {} : { timeoutMs: this.options.requestTimeoutMs };
  }

  /** Stops campaigning and renewing, and leaves the Lease to expire (a process that gave up). */
  halt(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.leading) {
      this.leading = false;
      this.callbacks.stopped();
    }
  }

  /** Stops campaigning; releases the Lease if we hold it (as LeaderElectionReleaseOnCancel does). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    try {
      const lease = await this.client.request<Lease>("GET", this.path(this.options.name));
      if (lease.spec.holderIdentity !== this.options.identity) return;
      await this.write(lease, { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(Date.now()) });
      this.log.info("released the lease", { lease: this.options.name });
    } catch {
      // Best effort: the successor waits for the Lease to expire instead.
    }
  }
}
