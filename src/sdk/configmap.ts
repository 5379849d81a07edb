// From the ConfigMap to the injector, and back to the cluster: each version of the ConfigMap an
// operator sees (from whatever watch it runs) is parsed and applied at once, and the change is
// announced as a Kubernetes Event on that ConfigMap, so the tool that wrote it can confirm the
// operator really applied it (and measure how fast) without reaching into the operator's pod.
import { createHash } from "node:crypto";
import type { ChaosInjector } from "./injector.js";
import { CONFIG_DATA_KEY, OPERATIONS, parseConfigData, type Operation, type SpecIssue } from "./spec.js";

export interface ConfigMapLike {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

/** Reasons of the Events the SDK records on its ConfigMap. */
export enum ChaosEventReason {
  Activated = "ChaosFaultsActivated",
  Deactivated = "ChaosFaultsDeactivated",
  Invalid = "ChaosConfigInvalid",
}

/** Annotations of those Events: which configuration (sha256 of data.config) and when, to the millisecond. */
export const DIGEST_ANNOTATION = "chaos.operatorchaos.io/config-digest";
export const APPLIED_AT_ANNOTATION = "chaos.operatorchaos.io/applied-at";
/** On a change: how many calls the previous configuration failed or delayed, per operation (JSON). */
export const INJECTED_ANNOTATION = "chaos.operatorchaos.io/injected";

export interface ChaosStatus {
  readonly active: boolean;
  readonly operations: readonly Operation[];
  /** Of data.config; "" when there is none. */
  readonly digest: string;
  readonly configMap: { readonly namespace: string; readonly name: string; readonly uid?: string; readonly resourceVersion?: string };
  readonly appliedAt: Date;
  /** Calls the previous configuration failed or delayed, per operation: evidence the faults bit. */
  readonly injectedBefore: Readonly<Partial<Record<Operation, number>>>;
  /** Why the configuration was refused (no faults are applied then). */
  readonly issues?: readonly SpecIssue[];
}

/** The digest the ClientFault driver compares with the one the SDK reports. */
export const configDigest = (text: string | undefined) => (text ? createHash("sha256").update(text).digest("hex").slice(0, 32) : "");

/**
 * Feeds ConfigMap versions into an injector. `apply` takes the ConfigMap as seen (undefined: it is
 * gone) and returns the new status when what is applied changed, else undefined.
 */
export class ChaosConfigFeed {
  private digest: string | undefined;
  private last: ChaosStatus | undefined;

  constructor(private readonly injector: ChaosInjector, private readonly namespace: string, private readonly now: () => Date = () => new Date()) {}

  get status(): ChaosStatus | undefined {
    return this.last;
  }

  apply(object: ConfigMapLike | undefined): ChaosStatus | undefined {
    const text = object?.data?.[CONFIG_DATA_KEY];
    const digest = configDigest(text);
    if (digest === this.digest) return undefined;
    this.digest = digest;
    const injectedBefore = this.injector.counts().injected;
    const parsed = parseConfigData(object?.data);
    // A configuration that does not parse applies no faults: failing closed never breaks an operator.
    if (parsed.ok) this.injector.configure(parsed.config);
    else this.injector.deactivate();
    const config = this.injector.current;
    const status: ChaosStatus = {
      active: config.active,
      operations: OPERATIONS.filter((operation) => config.faults[operation] !== undefined),
      digest,
      configMap: {
        namespace: object?.metadata?.namespace ?? this.namespace,
        name: object?.metadata?.name ?? this.injector.configMapName,
        ...(object?.metadata?.uid ? { uid: object.metadata.uid } : {}),
        ...(object?.metadata?.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}),
      },
      appliedAt: this.now(),
      injectedBefore,
      ...(parsed.ok ? {} : { issues: parsed.issues }),
    };
    const changed = this.last === undefined ? status.active || status.issues !== undefined : this.last.active !== status.active || this.last.digest !== status.digest;
    this.last = status;
    return changed ? status : undefined;
  }
}

/**
 * The Event announcing a status (core/v1 Event, `involvedObject` the ConfigMap). POST it to
 * /api/v1/namespaces/<ns>/events with the operator's own client, marked exempt.
 */
export function chaosEvent(status: ChaosStatus, reporter: { component: string; instance: string }): Record<string, unknown> {
  const reason = status.issues ? ChaosEventReason.Invalid : status.active ? ChaosEventReason.Activated : ChaosEventReason.Deactivated;
  const message = status.issues
    ? `chaos configuration refused, no faults applied: ${status.issues.filter((i) => i.severity === "error").map((i) => `${i.path}: ${i.message}`).join("; ")}`.slice(0, 1000)
    : status.active
      ? `chaos faults active on ${status.operations.length > 0 ? status.operations.join(", ") : "no operation"}`
      : "chaos faults inactive";
  const injected = Object.entries(status.injectedBefore).map(([operation, count]) => `${operation}×${count}`).join(", ");
  const time = status.appliedAt.toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    apiVersion: "v1", kind: "Event",
    metadata: {
      generateName: `${status.configMap.name}.`,
      namespace: status.configMap.namespace,
      annotations: {
        [DIGEST_ANNOTATION]: status.digest, [APPLIED_AT_ANNOTATION]: status.appliedAt.toISOString(), [INJECTED_ANNOTATION]: JSON.stringify(status.injectedBefore),
      },
    },
    involvedObject: {
      apiVersion: "v1", kind: "ConfigMap", name: status.configMap.name, namespace: status.configMap.namespace,
      ...(status.configMap.uid ? { uid: status.configMap.uid } : {}),
      ...(status.configMap.resourceVersion ? { resourceVersion: status.configMap.resourceVersion } : {}),
    },
    reason, message: injected ? `${message} (faulted before: ${injected})` : message, type: status.issues ? "Warning" : "Normal",
    source: { component: reporter.component },
    reportingComponent: reporter.component, reportingInstance: reporter.instance,
    firstTimestamp: time, lastTimestamp: time, count: 1,
  };
}
