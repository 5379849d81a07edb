import type { KubeConfig } from "@kubernetes/client-node";
import { Discovery } from "../kube/discovery.js";
import { KubeRest } from "../kube/rest.js";
import { waitForCollection, type CollectionWaitOptions } from "../kube/watcher.js";
import type { KubeObject } from "../kube/watch.js";
import type { FaultContext, RevertContext } from "../faults/driver.js";

/**
 * What a fault gets to read, watch and change the cluster. Faults reach HTTP only through this
 * object, so their files import no client module and validation (which loads them) stays pure.
 */
export interface ClusterAccess {
  rest: KubeRest;
  discovery: Discovery;
  /** Watches a collection until `done` returns a value (see src/kube/watcher.ts), bounded by a deadline. */
  waitForCollection<T>(options: CollectionWaitOptions, done: (objects: ReadonlyMap<string, KubeObject>) => T | undefined): Promise<T>;
}

export function clusterAccess(config: KubeConfig): ClusterAccess {
  const rest = new KubeRest(config);
  return {
    rest,
    discovery: new Discovery(rest),
    waitForCollection: (options, done) => waitForCollection(rest, options, done),
  };
}

export type RunContext = FaultContext;
export type { RevertContext };
