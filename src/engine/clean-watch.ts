import { ResourceWatcher } from "../kube/watcher.js";
import { journalSelector } from "../journal/labels.js";
import type { ClusterAccess } from "./context.js";
import { LOCK_DURATION_SECONDS } from "./lock.js";

/**
 * `clean --watch`: sweeps whenever a journal record appears or changes, at each record's TTL, and
 * when a run's lock could have lapsed (a lock lives LOCK_DURATION_SECONDS without renewal).
 * Runs until the signal fires.
 */
export async function watchCleanTriggers(
  access: ClusterAccess,
  namespace: string | undefined,
  signal: AbortSignal,
  sweep: () => Promise<unknown>,
): Promise<void> {
  let running = false;
  let again = false;
  const timers = new Set<NodeJS.Timeout>();
  const trigger = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await sweep();
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
  await trigger();
  for (const kind of ["configmaps", "secrets"]) {
    const path = namespace ? `/api/v1/namespaces/${namespace}/${kind}` : `/api/v1/${kind}`;
    const watcher = new ResourceWatcher(access.rest, { path, labelSelector: journalSelector, signal }, {
      onEvent: (type, object) => {
        if (type === "DELETED") return;
        const expires = (object.metadata?.annotations as Record<string, string> | undefined)?.["chaos.operatorchaos.io/expires"];
        if (expires) at(Date.parse(expires));
        at(Date.now() + LOCK_DURATION_SECONDS * 1000);
        void trigger();
      },
    });
    await watcher.start();
  }
  await new Promise<void>((resolveDone) => signal.addEventListener("abort", () => resolveDone(), { once: true }));
  for (const timer of timers) clearTimeout(timer);
}
