// Every fault type, in the order of the Go tool's InjectionType list. The validator, `types`, `init`,
// the JSON Schema and (later) the run engine and `clean` all read this list, so they cannot disagree.

import { INJECTION_TYPES, type InjectionType } from "../experiment/enums.js";
import { clientFault } from "./client-fault.js";
import { configDrift } from "./config-drift.js";
import { crashLoopInject } from "./crash-loop-inject.js";
import { crdMutation } from "./crd-mutation.js";
import { deploymentScaleZero } from "./deployment-scale-zero.js";
import type { FaultDriver } from "./driver.js";
import { finalizerBlock } from "./finalizer-block.js";
import { imageCorrupt } from "./image-corrupt.js";
import { labelStomping } from "./label-stomping.js";
import { leaderElectionDisrupt } from "./leader-election-disrupt.js";
import { namespaceDeletion } from "./namespace-deletion.js";
import { networkPartition } from "./network-partition.js";
import { ownerRefOrphan } from "./owner-ref-orphan.js";
import { pdbBlock } from "./pdb-block.js";
import { podKill } from "./pod-kill.js";
import { quotaExhaustion } from "./quota-exhaustion.js";
import { rbacRevoke } from "./rbac-revoke.js";
import { resourceDeletion } from "./resource-deletion.js";
import { secretDeletion } from "./secret-deletion.js";
import { webhookDisrupt } from "./webhook-disrupt.js";
import { webhookLatency } from "./webhook-latency.js";

const DRIVERS: readonly FaultDriver[] = [
  podKill,
  networkPartition,
  crdMutation,
  configDrift,
  webhookDisrupt,
  rbacRevoke,
  finalizerBlock,
  clientFault,
  ownerRefOrphan,
  quotaExhaustion,
  webhookLatency,
  namespaceDeletion,
  labelStomping,
  secretDeletion,
  deploymentScaleZero,
  leaderElectionDisrupt,
  crashLoopInject,
  imageCorrupt,
  resourceDeletion,
  pdbBlock,
];

const BY_TYPE: ReadonlyMap<string, FaultDriver> = new Map(DRIVERS.map((driver) => [driver.type, driver]));

// A missing or duplicated driver is a programming error; fail at load time rather than at run time.
if (BY_TYPE.size !== DRIVERS.length || INJECTION_TYPES.some((type) => !BY_TYPE.has(type))) {
  throw new Error("fault registry is out of step with InjectionType");
}

/** All drivers, in the canonical order. */
export function faultDrivers(): readonly FaultDriver[] {
  return DRIVERS;
}

export function findFaultDriver(type: string): FaultDriver | undefined {
  return BY_TYPE.get(type);
}

export function getFaultDriver(type: InjectionType): FaultDriver {
  return BY_TYPE.get(type)!;
}
