import { ResourceWatcher } from "../kube/watcher.js";
import { EXPIRES_ANNOTATION, journalSelector, managedBySelector } from "../journal/labels.js";
import type { KubeObject } from "../kube/watch.js";
import type { ClusterAccess } from "./context.js";
import type { LeaseJudge } from "./liveness.js";
import { LOCK_DURATION_SECONDS } from "./lock.js";

/** `clean --watch` sweeps at least this often, whatever it hears. */
export const RESWEEP_EVERY_MS = 10_000;

export interface CleanWatchOptions {
  /** One namespace, or undefined for all. */
  namespace: string | undefined;
  signal: AbortSignal;
  /** What is known of each lock Lease; shared with the sweeps, so a lease is timed across them. */
  judge: LeaseJudge;
  /** Told of a sweep (or watch) that failed; the watch goes on. */
  onError?: (error: Error) => void;
  resweepEveryMs?: number;
}

/**
 * `clean --watch`: sweeps at start, whenever a journal record appears or changes, at each record's
 * TTL, when a lock Lease changes and again once it could have lapsed (a lease renewed at that event
 * is dead a duration later if it is not renewed again), and every RESWEEP_EVERY_MS in any case (a run
 * SIGKILLed sends no event). A sweep that fails is reported and retried at the next occasion. Runs
 * until the signal fires.
 */
export async function watchCleanTriggers(
  access: ClusterAccess,
  options: CleanWatchOptions,
  sweep: () => Promise<unknown>,
): Promise<void> {
  const { namespace, signal, judge } = options;
  const onError = options.onError ?? (() => {});
  let running = false;
  let again = false;
  const timers = new Set<NodeJS.Timeout>();
  const trigger = async () => {
    if (signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        try {
          await sweep();
        } catch (error) {
          if (!signal.aborted) onError(error as Error);
        }
      } while (again && !signal.aborted);
    } finally {
      running = false;
    }
  };
  const at = (when: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void trigger();
    }, Math.max(0, when - Date.now()) + 100);
    timers.add(timer);
  };
  const periodic = setInterval(() => void trigger(), options.resweepEveryMs ?? RESWEEP_EVERY_MS);
  await trigger();
  const scope = (group: string, resource: string) => (namespace ? `${group}/namespaces/${namespace}/${resource}` : `${group}/${resource}`);
  const watches: { path: string; labelSelector: string; onEvent: (type: string, object: KubeObject) => void }[] = [
    ...["configmaps", "secrets"].map((resource) => ({
      path: scope("/api/v1", resource), labelSelector: journalSelector,
      onEvent: (type: string, object: KubeObject) => {
        if (type === "DELETED") return;
        const expires = (object.metadata?.annotations as Record<string, string> | undefined)?.[EXPIRES_ANNOTATION];
        if (expires) at(Date.parse(expires));
        at(Date.now() + LOCK_DURATION_SECONDS * 1000);
        void trigger();
      },
    })),
    {
      path: scope("/apis/coordination.k8s.io/v1", "leases"), labelSelector: managedBySelector,
      onEvent: (type: string, object: KubeObject) => {
        const lease = object as unknown as { metadata: { name: string; namespace: string; resourceVersion?: string }; spec?: { leaseDurationSeconds?: number } };
        if (type === "DELETED") {
          judge.forget(lease);
          return;
        }
        judge.observe(lease);
        // Unrenewed from here on, the lease is dead one duration later: sweep then.
        at(Date.now() + (lease.spec?.leaseDurationSeconds ?? LOCK_DURATION_SECONDS) * 1000 + 1_000);
      },
    },
  ];
  for (const watch of watches) {
    const watcher = new ResourceWatcher(access.rest, { path: watch.path, labelSelector: watch.labelSelector, signal }, {
      onEvent: (type, object) => watch.onEvent(type, object),
    });
    // A watch that cannot start (e.g. not allowed) leaves the periodic sweep: reported, not fatal.
    await watcher.start().catch((error: Error) => onError(new Error(`cannot watch ${watch.path}: ${error.message}; sweeping every ${(options.resweepEveryMs ?? RESWEEP_EVERY_MS) / 1000} s instead`)));
  }
  await new Promise<void>((resolveDone) => {
    if (signal.aborted) resolveDone();
    signal.addEventListener("abort", () => resolveDone(), { once: true });
  });
  clearInterval(periodic);
  for (const timer of timers) clearTimeout(timer);
}
