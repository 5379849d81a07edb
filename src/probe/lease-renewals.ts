// An observed disconnect: a leader-election Lease held by a pod the fault cut off stops being
// renewed. controller-runtime and client-go holders name themselves `<pod>_<suffix>` (or the pod
// name), so the Lease is found by its holderIdentity, with no knowledge of the operator.
import type { ClusterAccess } from "../engine/context.js";
import { ResourceWatcher } from "../kube/watcher.js";
import { formatDuration } from "../verdict/format.js";

interface LeaseView {
  name: string;
  renewals: number[];
  durationMs: number;
}

export class LeaseRenewals {
  private readonly leases = new Map<string, LeaseView>();
  private readonly controller = new AbortController();

  constructor(
    private readonly access: ClusterAccess,
    private readonly namespace: string,
    private readonly pods: readonly string[],
    signal: AbortSignal,
  ) {
    signal.addEventListener("abort", () => this.controller.abort(), { once: true });
  }

  private heldByTarget(holder: string): boolean {
    return this.pods.some((pod) => holder === pod || holder.startsWith(`${pod}_`));
  }

  async start(): Promise<void> {
    const watcher = new ResourceWatcher(this.access.rest, { path: `/apis/coordination.k8s.io/v1/namespaces/${this.namespace}/leases`, signal: this.controller.signal }, {
      onEvent: (type, object, at) => {
        const spec = (object.spec ?? {}) as { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
        const name = object.metadata?.name ?? "";
        if (type === "DELETED" || !spec.holderIdentity || !this.heldByTarget(spec.holderIdentity)) return;
        const view = this.leases.get(name) ?? { name, renewals: [], durationMs: 0 };
        view.durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
        // The listed object's renewTime says when it was last renewed; later events arrive as renewals happen.
        const renewedAt = type === "ADDED" ? Date.parse(spec.renewTime ?? "") || at : at;
        if (view.renewals.at(-1) !== renewedAt) view.renewals.push(renewedAt);
        this.leases.set(name, view);
      },
    });
    await watcher.start();
  }

  /**
   * The effect, if seen between `from` and `to`: a Lease renewed before `from` whose last renewal
   * inside the window left a silence of at least its lease duration, and of three renewal intervals,
   * up to `to`. Undefined when no such Lease (none held by the targets, or it kept being renewed).
   */
  silence(from: number, to: number): string | undefined {
    for (const view of this.leases.values()) {
      const before = view.renewals.filter((at) => at < from);
      if (before.length === 0) continue;
      const interval = before.length >= 2 ? (before.at(-1)! - before[0]!) / (before.length - 1) : undefined;
      const threshold = Math.max(view.durationMs, interval === undefined ? 0 : 3 * interval);
      if (threshold <= 0) continue;
      const last = Math.max(from, ...view.renewals.filter((at) => at <= to));
      const silentMs = to - last;
      if (silentMs >= threshold) {
        const usual = interval === undefined ? `its lease duration is ${formatDuration(view.durationMs)}` : `renewed every ${formatDuration(interval)} before`;
        return `the leader Lease ${this.namespace}/${view.name} held by a cut-off pod was not renewed for ${formatDuration(silentMs)} (${usual})`;
      }
    }
    return undefined;
  }

  stop(): void {
    this.controller.abort();
  }
}
