import type { KubeConfig } from "@kubernetes/client-node";
import { Discovery } from "../kube/discovery.js";
import { KubeRest } from "../kube/rest.js";
import type { FaultRuntimeContext } from "../faults/driver.js";
import type { Journal } from "../journal/journal.js";

/** What a fault driver gets to read and change the cluster. */
export interface ClusterAccess {
  rest: KubeRest;
  discovery: Discovery;
}

export function clusterAccess(config: KubeConfig): ClusterAccess {
  const rest = new KubeRest(config);
  return { rest, discovery: new Discovery(rest) };
}

export type RunContext = FaultRuntimeContext<ClusterAccess, Journal>;
export type RevertContext = Omit<RunContext, "experiment">;
