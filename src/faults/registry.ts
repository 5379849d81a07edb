// Every fault type, in the order of the Go tool's InjectionType list. The validator, `types`, `init`,
// the JSON Schema, the run engine and `clean` all read these lists, so they cannot disagree. SPECS
// holds every type's parameter spec; RUNNABLE the types `run` can execute.

import { INJECTION_TYPES, type InjectionType } from "../experiment/enums.js";
import { clientFault, clientFaultSpec } from "./client-fault.js";
import { configDrift, configDriftSpec } from "./config-drift.js";
import { crashLoopInject, crashLoopInjectSpec } from "./crash-loop-inject.js";
import { crdMutation, crdMutationSpec } from "./crd-mutation.js";
import { deploymentScaleZero, deploymentScaleZeroSpec } from "./deployment-scale-zero.js";
import type { AnyRunnableFault, FaultSpec } from "./driver.js";
import { finalizerBlock, finalizerBlockSpec } from "./finalizer-block.js";
import { imageCorrupt, imageCorruptSpec } from "./image-corrupt.js";
import { labelStomping, labelStompingSpec } from "./label-stomping.js";
import { leaderElectionDisrupt, leaderElectionDisruptSpec } from "./leader-election-disrupt.js";
import { namespaceDeletion, namespaceDeletionSpec } from "./namespace-deletion.js";
import { networkPartition, networkPartitionSpec } from "./network-partition.js";
import { ownerRefOrphan, ownerRefOrphanSpec } from "./owner-ref-orphan.js";
import { pdbBlock, pdbBlockSpec } from "./pdb-block.js";
import { podKill, podKillSpec } from "./pod-kill.js";
import { quotaExhaustion, quotaExhaustionSpec } from "./quota-exhaustion.js";
import { rbacRevoke, rbacRevokeSpec } from "./rbac-revoke.js";
import { resourceDeletion, resourceDeletionSpec } from "./resource-deletion.js";
import { secretDeletion, secretDeletionSpec } from "./secret-deletion.js";
import { webhookDisrupt, webhookDisruptSpec } from "./webhook-disrupt.js";
import { webhookLatency, webhookLatencySpec } from "./webhook-latency.js";

const SPECS: readonly FaultSpec[] = [
  podKillSpec,
  networkPartitionSpec,
  crdMutationSpec,
  configDriftSpec,
  webhookDisruptSpec,
  rbacRevokeSpec,
  finalizerBlockSpec,
  clientFaultSpec,
  ownerRefOrphanSpec,
  quotaExhaustionSpec,
  webhookLatencySpec,
  namespaceDeletionSpec,
  labelStompingSpec,
  secretDeletionSpec,
  deploymentScaleZeroSpec,
  leaderElectionDisruptSpec,
  crashLoopInjectSpec,
  imageCorruptSpec,
  resourceDeletionSpec,
  pdbBlockSpec,
];

const RUNNABLE: readonly AnyRunnableFault[] = [podKill, networkPartition, configDrift, rbacRevoke, clientFault, deploymentScaleZero, crashLoopInject, imageCorrupt, leaderElectionDisrupt, namespaceDeletion, webhookDisrupt, ownerRefOrphan, labelStomping, secretDeletion, resourceDeletion, pdbBlock, quotaExhaustion, crdMutation, finalizerBlock, webhookLatency];

const BY_TYPE: ReadonlyMap<string, FaultSpec> = new Map(SPECS.map((spec) => [spec.type, spec]));
const RUNNABLE_BY_TYPE: ReadonlyMap<string, AnyRunnableFault> = new Map(RUNNABLE.map((fault) => [fault.spec.type, fault]));

// A missing or duplicated spec, or a runnable fault whose spec is not the registered one, is a
// programming error; fail at load time rather than at run time.
if (BY_TYPE.size !== SPECS.length || INJECTION_TYPES.some((type) => !BY_TYPE.has(type))
  || RUNNABLE_BY_TYPE.size !== RUNNABLE.length || RUNNABLE.some((fault) => BY_TYPE.get(fault.spec.type) !== fault.spec)) {
  throw new Error("fault registry is out of step with InjectionType");
}

/** Every type's spec, in the canonical order. */
export function faultSpecs(): readonly FaultSpec[] {
  return SPECS;
}

export function findFaultSpec(type: string): FaultSpec | undefined {
  return BY_TYPE.get(type);
}

export function getFaultSpec(type: InjectionType): FaultSpec {
  const spec = BY_TYPE.get(type);
  if (!spec) throw new Error(`no fault spec for ${type}`);
  return spec;
}

/** The faults `run` can execute, in the canonical order. */
export function runnableFaults(): readonly AnyRunnableFault[] {
  return SPECS.flatMap((spec) => RUNNABLE_BY_TYPE.get(spec.type) ?? []);
}

/** The runnable fault of a type; undefined for a type that can be validated but not run yet. */
export function findRunnableFault(type: string): AnyRunnableFault | undefined {
  return RUNNABLE_BY_TYPE.get(type);
}

export function isRunnable(type: string): boolean {
  return RUNNABLE_BY_TYPE.has(type);
}

// The names before runnable faults had their own type (kept for the library entry point and callers).
export const faultDrivers = faultSpecs;
export const findFaultDriver = findFaultSpec;
export const getFaultDriver = getFaultSpec;
