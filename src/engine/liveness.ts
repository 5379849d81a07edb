// Is the run that holds a lock Lease alive? Its renewTime was written with the HOLDER's clock, so
// comparing it with ours is only safe when both are the same clock (a holder on this machine). A
// holder elsewhere is judged by what we see ourselves: a Lease that has not changed (same
// resourceVersion) for a whole leaseDuration, timed by our own monotonic clock, is dead — whatever
// the two clocks say.

import { performance } from "node:perf_hooks";
import { isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";
import type { KubeObject } from "../kube/watch.js";
import { waitForCollection } from "../kube/watcher.js";
import { ownerFromAnnotations, ownerIsDead, ownerIsLocal } from "./owner.js";

export interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
  };
}

export const LeaseState = { Live: "live", Dead: "dead", Unknown: "unknown" } as const;
export type LeaseState = (typeof LeaseState)[keyof typeof LeaseState];

/** A lease is live while its last renewal (or acquisition) plus its duration lies in the future — by one clock. */
export function leaseIsLive(spec: Lease["spec"] | undefined, now: Date): boolean {
  const since = spec?.renewTime ?? spec?.acquireTime;
  if (!since || !spec?.leaseDurationSeconds) return false;
  return Date.parse(since) + spec.leaseDurationSeconds * 1000 > now.getTime();
}

const leaseKey = (lease: Pick<Lease, "metadata">) => `${lease.metadata.namespace}/${lease.metadata.name}`;

/**
 * Remembers, per Lease, when we first saw its current version (monotonic clock). Keep one for as
 * long as a process judges leases (`clean --watch` keeps it across sweeps).
 */
export class LeaseJudge {
  private readonly seen = new Map<string, { version: string; since: number }>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Notes a version of a lease (from a get, a list or a watch event). */
  observe(lease: Pick<Lease, "metadata">): void {
    const key = leaseKey(lease);
    const version = lease.metadata.resourceVersion ?? "";
    const known = this.seen.get(key);
    if (!known || known.version !== version) this.seen.set(key, { version, since: this.clock() });
  }

  forget(lease: Pick<Lease, "metadata">): void {
    this.seen.delete(leaseKey(lease));
  }

  /**
   * Live, dead, or not known yet (a holder on another machine whose Lease we have not watched for
   * a whole duration). `now` is the local wall clock, used only for a holder on this machine.
   */
  judge(lease: Lease, now: Date): LeaseState {
    this.observe(lease);
    const owner = ownerFromAnnotations(lease.metadata.annotations);
    if (ownerIsDead(owner)) return LeaseState.Dead;
    const durationMs = (lease.spec.leaseDurationSeconds ?? 0) * 1000;
    if (durationMs <= 0) return LeaseState.Dead;
    // Same machine, same boot: the renewTime was written with our clock.
    if (owner && ownerIsLocal(owner) && owner.bootId) return leaseIsLive(lease.spec, now) ? LeaseState.Live : LeaseState.Dead;
    const unchangedFor = this.clock() - this.seen.get(leaseKey(lease))!.since;
    if (unchangedFor >= durationMs) return LeaseState.Dead;
    // Looks live by the clocks: taken as live (the safe side; if its clock runs ahead of ours, it
    // is found dead once we have seen it unchanged for a duration). Looks expired: that may be the
    // holder's clock running behind ours, so not known until we have watched it.
    return leaseIsLive(lease.spec, now) ? LeaseState.Live : LeaseState.Unknown;
  }

  /** How long, at most, until `judge` can answer for this lease (0 once it can). */
  undecidedForMs(lease: Lease): number {
    const known = this.seen.get(leaseKey(lease));
    const durationMs = (lease.spec.leaseDurationSeconds ?? 0) * 1000;
    return known ? Math.max(0, known.since + durationMs - this.clock()) : durationMs;
  }
}

/**
 * Judges a lease, watching it (at most one leaseDuration and a second) when the holder is on another
 * machine, until it is renewed (live) or has stayed unchanged for a whole duration (dead). A lease
 * that does not exist is dead.
 */
export async function leaseStateOf(
  rest: KubeRest, judge: LeaseJudge, namespace: string, name: string,
  options: { now?: () => Date; signal?: AbortSignal; wait?: boolean } = {},
): Promise<{ state: LeaseState; lease?: Lease }> {
  const now = options.now ?? (() => new Date());
  let lease: Lease;
  try {
    lease = await rest.get<Lease>(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`, { signal: options.signal });
  } catch (error) {
    if (isNotFound(error)) return { state: LeaseState.Dead };
    throw error;
  }
  const first = judge.judge(lease, now());
  if (first !== LeaseState.Unknown || options.wait === false) return { state: first, lease };
  const version = lease.metadata.resourceVersion;
  const renewed = await waitForCollection(rest, {
    path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, fieldSelector: `metadata.name=${name}`,
    timeoutMs: judge.undecidedForMs(lease) + 1_000, signal: options.signal, what: `a renewal of the Lease ${namespace}/${name}`,
  }, (objects: ReadonlyMap<string, KubeObject>) => {
    const current = objects.get(`${namespace}/${name}`);
    if (!current) return "deleted";
    return current.metadata?.resourceVersion !== version ? "renewed" : undefined;
  }).catch(() => "unchanged");
  if (renewed === "deleted") return { state: LeaseState.Dead };
  if (renewed === "renewed") return { state: LeaseState.Live, lease };
  // Still undecided (the watch itself failed): treated as live, the safe side.
  return { state: judge.judge(lease, now()) === LeaseState.Dead ? LeaseState.Dead : LeaseState.Live, lease };
}
