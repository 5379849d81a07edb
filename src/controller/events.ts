// Kubernetes Events about ChaosExperiment objects (core/v1), with the Go tool's reasons.

import { randomBytes } from "node:crypto";
import type { KubeRest } from "../kube/rest.js";
import { rfc3339 } from "./status.js";

export const EventReason = {
  ExperimentStarted: "ExperimentStarted",
  PhaseTransition: "PhaseTransition",
  FaultInjected: "FaultInjected",
  FaultReverted: "FaultReverted",
  RevertFailed: "RevertFailed",
  VerdictReached: "VerdictReached",
  ExperimentComplete: "ExperimentComplete",
  ExperimentAborted: "ExperimentAborted",
  SpecMutated: "SpecMutated",
  CleanupError: "CleanupError",
  ValidationFailed: "ValidationFailed",
  RecoveredAfterCrash: "RecoveredAfterCrash",
  FinalizerForced: "FinalizerForced",
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

export const EventType = { Normal: "Normal", Warning: "Warning" } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** As the Go tool's recorder. */
export const COMPONENT = "chaosexperiment-controller";

export interface InvolvedObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export class EventRecorder {
  constructor(private readonly rest: KubeRest, private readonly onError: (message: string) => void = () => {}) {}

  /** Best effort: an Event that cannot be written never stops a run (it is said on the log). */
  async record(object: InvolvedObject, type: EventType, reason: EventReason, message: string): Promise<void> {
    const namespace = object.metadata.namespace ?? "default";
    const now = new Date();
    const body = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${object.metadata.name}.${Date.now().toString(16)}${randomBytes(2).toString("hex")}`, namespace },
      involvedObject: {
        apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace, uid: object.metadata.uid,
      },
      reason, message: message.slice(0, 1024), type,
      source: { component: COMPONENT },
      firstTimestamp: rfc3339(now), lastTimestamp: rfc3339(now), count: 1,
    };
    await this.rest.create(`/api/v1/namespaces/${namespace}/events`, body).catch((error: Error) => this.onError(`could not write Event ${reason}: ${error.message}`));
  }
}
