import { InjectionType } from "../experiment/enums.js";
import { CONFIG_MAP_PREFIX, DEFAULT_CONFIG_MAP_NAME, GO_OPERATIONS, OPERATIONS, Operation, parseFaults } from "../sdk/spec.js";
import { APPLIED_AT_ANNOTATION, ChaosEventReason, configDigest, DIGEST_ANNOTATION } from "../sdk/configmap.js";
import { configTextFor } from "../sdk/spec.js";
import { unwrapGoRollback } from "../journal/go-rollback.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, ROLLBACK_ANNOTATION, TYPE_LABEL } from "../journal/labels.js";
import { isConflict, isNotFound, KubeApiError } from "../kube/errors.js";
import type { ClusterAccess } from "../engine/context.js";
import { defineFaultSpec, defineRunnableFault, type ObjectReference } from "./driver.js";
import { ttlOf } from "./object-target.js";
import { checker, type ParameterChecker } from "./parameters.js";

/** Operations an SDK-wrapped operator client can be told to fail (the Go tool's nine). */
export const CLIENT_FAULT_OPERATIONS = GO_OPERATIONS;

/**
 * Writes a fault configuration into a ConfigMap that an operator built with the operator-chaos SDK
 * reads; the SDK then fails or delays the operator's own API calls. No effect on other operators.
 */
export const clientFaultSpec = defineFaultSpec({
  type: InjectionType.ClientFault,
  summary: "Makes an SDK-instrumented operator's own API calls fail or slow down, via a ConfigMap it watches.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "low",
  defaultTier: 3,
  parameterDocs: [
    {
      name: "faults",
      required: true,
      description:
        `JSON object: operation (${OPERATIONS.join(", ")}) → {"errorRate": 0..1, "error": "text", "delay": "500ms", "maxDelay": "2s"}; operator-chaos/sdk also reads code, reason, kind, retryAfter, resources, failAfter, maxCount (docs/sdk.md).`,
    },
    {
      name: "configMapName",
      required: false,
      description: "The ConfigMap the SDK watches; must start with operator-chaos-.",
      default: DEFAULT_CONFIG_MAP_NAME,
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.ClientFault, parameters, context);
    const faults = check.nonEmpty("faults", 'a JSON object such as {"get":{"errorRate":0.3,"error":"timeout"}}');
    if (faults !== undefined) checkFaultsJson(check, faults);
    const configMapName = check.value("configMapName");
    if (configMapName !== undefined && check.kubernetesName("configMapName", configMapName) && !configMapName.startsWith(CONFIG_MAP_PREFIX)) {
      check.report("configMapName", "parameter.config-map-prefix", `the SDK only reads ConfigMaps whose names start with ${CONFIG_MAP_PREFIX}`, {
        got: JSON.stringify(configMapName),
      });
    }
    return check.issues;
  },
  skeleton: () => ({ faults: '{"get":{"errorRate":0.3,"error":"chaos: injected get failure"}}' }),
});

/**
 * The SDK's own parser decides (src/sdk/spec.ts), so `validate` accepts exactly what an operator
 * will apply. What only our SDK understands (watch, delays in nanoseconds) is a warning: the Go
 * tool's validator refuses it.
 */
function checkFaultsJson(check: ParameterChecker, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    check.report("faults", "parameter.client-faults", `faults is not valid JSON: ${(error as Error).message}`);
    return;
  }
  for (const issue of parseFaults(parsed).issues) {
    const message = issue.path === "faults" ? issue.message : issue.message.startsWith(issue.path) ? issue.message : `${issue.path}: ${issue.message}`;
    check.report("faults", "parameter.client-faults", message, {
      ...(issue.expected ? { expected: issue.expected } : {}), ...(issue.got ? { got: issue.got } : {}), severity: issue.severity,
    });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return;
  for (const [operation, spec] of Object.entries(parsed as Record<string, unknown>)) {
    if (operation === Operation.Watch) {
      check.warn("faults", "parameter.client-faults", `"watch" is not an operation of the Go tool (its SDK counts watches as list); only operator-chaos/sdk faults it`);
    }
    if (spec === null || typeof spec !== "object") continue;
    for (const field of ["delay", "maxDelay", "retryAfter"]) {
      if (typeof (spec as Record<string, unknown>)[field] === "number") {
        check.warn("faults", "parameter.client-faults", `faults.${operation}.${field} in nanoseconds is read by operator-chaos/sdk and the Go SDK, but the Go tool's validator wants a duration string such as "500ms"`);
      }
    }
  }
}

/** How long confirm waits for the operator's SDK to announce it applied the faults (its goal: within 1 s). */
const CONFIRM_TIMEOUT_MS = 5_000;
/** The Go tool's marker, inside its rollback data, for a ConfigMap it created. */
const GO_CREATED_MARKER = "chaos.operatorchaos.io/created";

/** A ConfigMap as it was before the fault: everything the revert puts back. */
interface ConfigMapSnapshot {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** The plan and the journal record: which ConfigMap, what was there, what the fault writes. */
interface ClientFaultData {
  configMap: string;
  /** data.config as written, and its digest (the SDK reports the digest of what it applied). */
  config: string;
  digest: string;
  /** The ConfigMap existed: the revert restores this snapshot exactly; otherwise it deletes the one it created. */
  original?: ConfigMapSnapshot;
  /** When inject sent the write, once the API server accepted it (not journaled). */
  writtenAt?: number;
}

/** A Go-tool leftover: its rollback annotation held the original data, or its created-marker. */
interface GoLeftoverData {
  goTool: { created: true } | { data: Record<string, string> };
}

type ClientFaultRecord = ClientFaultData | GoLeftoverData;

interface ConfigMapObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

const isAlreadyExists = (error: unknown) => error instanceof KubeApiError && error.status === 409 && error.reason === "AlreadyExists";
const collection = (namespace: string) => `/api/v1/namespaces/${namespace}/configmaps`;
const pathOf = (ref: ObjectReference) => `${collection(ref.namespace!)}/${ref.name}`;

/**
 * ClientFault, end to end. Unlike the Go tool, nothing is put on an existing ConfigMap but the
 * `config` key (no rollback annotation, no managed-by label): the whole original is journaled apart
 * and restored exactly. Confirmed only by the operator itself: its SDK records an Event on the
 * ConfigMap naming the digest of the configuration it applied (the Go SDK records none, so against a
 * Go operator the run is Inconclusive — the tool cannot tell whether anything reads the ConfigMap).
 */
export const clientFault = defineRunnableFault<ClientFaultData, ClientFaultRecord>(clientFaultSpec, {
  permissions: (_parameters, namespace) => [
    ...["get", "list", "watch", "create", "update", "delete"].map((verb) => ({ verb, group: "", resource: "configmaps", namespace })),
    ...["list", "watch"].map((verb) => ({ verb, group: "", resource: "events", namespace })),
  ],

  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const configMap = parameters.configMapName ?? DEFAULT_CONFIG_MAP_NAME;
    const config = configTextFor(parameters.faults ?? "{}");
    const target: ObjectReference = { apiVersion: "v1", kind: "ConfigMap", name: configMap, namespace: context.namespace };
    const current = await readConfigMap(context.cluster, target);
    const data: ClientFaultData = { configMap, config, digest: configDigest(config), ...(current ? { original: snapshotOf(current) } : {}) };
    const operations = Object.keys(JSON.parse(parameters.faults ?? "{}") as object).join(", ");
    return {
      type: InjectionType.ClientFault,
      targets: [target],
      summary: `fault the operator's own ${operations} calls via ConfigMap ${context.namespace}/${configMap} (key config; ${current ? "the existing ConfigMap is restored exactly afterwards" : "created, and deleted afterwards"})`,
      data,
    };
  },

  async inject(context, plan) {
    const data = plan.data;
    const target = plan.targets[0]!;
    const ttlMs = ttlOf(context);
    const { writtenAt: _unjournaled, ...journaled } = data;
    const record = await context.journal.write(InjectionType.ClientFault, target, journaled, ttlMs ? { ttlMs } : {});
    // Latency is measured from the moment the write is sent: a watching SDK may apply it before the answer arrives.
    const sentAt = Date.now();
    if (data.original) {
      await writeConfigMap(context.cluster, target, (object) => (object ? { ...object, data: { ...object.data, config: data.config } } : undefined));
    } else {
      try {
        await context.cluster.rest.create(collection(target.namespace!), {
          apiVersion: "v1", kind: "ConfigMap",
          metadata: { name: target.name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TYPE_LABEL]: InjectionType.ClientFault } },
          data: { config: data.config },
        });
      } catch (error) {
        // Created by someone since the plan: not ours to take over (the record deletes only what carries our label).
        if (isAlreadyExists(error)) throw new Error(`ConfigMap ${target.namespace}/${target.name} was created by someone else while planning; nothing was changed`);
        throw error;
      }
    }
    data.writtenAt = sentAt;
    return [record];
  },

  /**
   * Confirmed when the operator's SDK announces (an Event on the ConfigMap) that it applied exactly
   * this configuration; the evidence names the operator instance and how long it took.
   */
  async confirm(context, plan) {
    const data = plan.data;
    const target = plan.targets[0]!;
    if (data.writtenAt === undefined) return { confirmed: false, reason: "the fault configuration was not written" };
    type Seen = { outcome: "applied" | "refused"; instance: string; latencyMs: number; message: string };
    try {
      const seen = await context.cluster.waitForCollection<Seen>({
        path: `/api/v1/namespaces/${target.namespace}/events`,
        fieldSelector: `involvedObject.kind=ConfigMap,involvedObject.name=${target.name}`,
        timeoutMs: CONFIRM_TIMEOUT_MS, signal: context.signal,
        what: `an Event from the operator's SDK saying it applied the faults in ConfigMap ${target.namespace}/${target.name}`,
      }, (events) => {
        for (const event of events.values()) {
          const annotations = (event.metadata?.annotations ?? {}) as Record<string, string>;
          if (annotations[DIGEST_ANNOTATION] !== data.digest) continue;
          const reason = (event as { reason?: string }).reason;
          if (reason !== ChaosEventReason.Activated && reason !== ChaosEventReason.Invalid) continue;
          const appliedAt = Date.parse(annotations[APPLIED_AT_ANNOTATION] ?? "");
          return {
            outcome: reason === ChaosEventReason.Activated ? "applied" : "refused",
            instance: String((event as { reportingInstance?: string }).reportingInstance ?? "an operator"),
            latencyMs: Number.isFinite(appliedAt) ? Math.max(0, appliedAt - data.writtenAt!) : -1,
            message: String((event as { message?: string }).message ?? ""),
          };
        }
        return undefined;
      });
      if (seen.outcome === "refused") return { confirmed: false, reason: `the operator's SDK refused the configuration: ${seen.message}` };
      return { confirmed: true, evidence: `the operator's SDK (${seen.instance}) applied the faults ${seen.latencyMs} ms after the write (Event ${ChaosEventReason.Activated})` };
    } catch (error) {
      if (context.signal.aborted) throw error;
      return {
        confirmed: false,
        reason: `no operator announced that it applied the faults within ${CONFIRM_TIMEOUT_MS / 1000} s (no ${ChaosEventReason.Activated} Event on ConfigMap ${target.namespace}/${target.name}): is the operator built with operator-chaos/sdk and watching that ConfigMap in this namespace?`,
      };
    }
  },

  /** Restores the ConfigMap exactly as it was (or deletes the one the fault created); idempotent. */
  async revert(context, record) {
    const data = record.data;
    const target = record.target;
    if ("goTool" in data) {
      await revertGoLeftover(context.cluster, target, data.goTool);
      return;
    }
    if (data.original) {
      const original = data.original;
      const restored = await writeConfigMap(context.cluster, target, (object) => (object ? restore(object, original) : undefined));
      if (!restored) {
        // Deleted meanwhile: it existed before the fault, so it exists after.
        await context.cluster.rest.create(collection(target.namespace!), restore({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: target.name } }, original))
          .catch((error: unknown) => { if (!isAlreadyExists(error)) throw error; });
      }
      return;
    }
    const current = await readConfigMap(context.cluster, target);
    if (current?.metadata.labels?.[TYPE_LABEL] !== InjectionType.ClientFault) return; // gone, or not the one we created
    await context.cluster.rest.delete(pathOf(target)).catch((error: unknown) => { if (!isNotFound(error)) throw error; });
  },

  /** ConfigMaps the Go tool's ClientFault left: its type label and rollback annotation. */
  async leftovers(context, namespace) {
    const path = namespace ? collection(namespace) : "/api/v1/configmaps";
    const list = await context.cluster.rest.get<{ items: ConfigMapObject[] }>(path, { query: { labelSelector: `${TYPE_LABEL}=${InjectionType.ClientFault}` } });
    return list.items.flatMap((item) => {
      const annotation = item.metadata.annotations?.[ROLLBACK_ANNOTATION];
      if (!annotation) return [];
      const payload = unwrapGoRollback(annotation) as Record<string, string>;
      const goTool: GoLeftoverData["goTool"] = payload[GO_CREATED_MARKER] === "true" ? { created: true } : { data: payload };
      return [{ type: InjectionType.ClientFault, target: { apiVersion: "v1", kind: "ConfigMap", name: item.metadata.name, namespace: item.metadata.namespace! }, data: { goTool } }];
    });
  },
});

function snapshotOf(object: ConfigMapObject): ConfigMapSnapshot {
  const { labels, annotations } = object.metadata;
  return {
    ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}),
    ...(object.data ? { data: object.data } : {}), ...(object.binaryData ? { binaryData: object.binaryData } : {}),
  };
}

/** The object with its labels, annotations and data replaced by the snapshot's (absent ones removed). */
function restore(object: ConfigMapObject, original: ConfigMapSnapshot): ConfigMapObject {
  const { labels: _labels, annotations: _annotations, ...metadata } = object.metadata;
  const { data: _data, binaryData: _binaryData, ...rest } = object;
  return {
    ...rest,
    metadata: { ...metadata, ...(original.labels ? { labels: original.labels } : {}), ...(original.annotations ? { annotations: original.annotations } : {}) },
    ...(original.data ? { data: original.data } : {}), ...(original.binaryData ? { binaryData: original.binaryData } : {}),
  };
}

async function readConfigMap(cluster: ClusterAccess, target: ObjectReference): Promise<ConfigMapObject | undefined> {
  try {
    return await cluster.rest.get<ConfigMapObject>(pathOf(target));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Read-modify-replace guarded by resourceVersion, again on fresh data after a conflict. False when there is nothing to write. */
async function writeConfigMap(cluster: ClusterAccess, target: ObjectReference, change: (object: ConfigMapObject | undefined) => ConfigMapObject | undefined): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const next = change(await readConfigMap(cluster, target));
    if (!next) return false;
    try {
      await cluster.rest.replace(pathOf(target), next);
      return true;
    } catch (error) {
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}

/** What the Go tool's own revert does: delete what it created, or put the data back and drop its annotation and labels. */
async function revertGoLeftover(cluster: ClusterAccess, target: ObjectReference, goTool: GoLeftoverData["goTool"]): Promise<void> {
  if ("created" in goTool) {
    await cluster.rest.delete(pathOf(target)).catch((error: unknown) => { if (!isNotFound(error)) throw error; });
    return;
  }
  await writeConfigMap(cluster, target, (object) => {
    if (!object) return undefined;
    const annotations = { ...object.metadata.annotations };
    delete annotations[ROLLBACK_ANNOTATION];
    const labels = { ...object.metadata.labels };
    delete labels[MANAGED_BY_LABEL];
    delete labels[TYPE_LABEL];
    return { ...object, metadata: { ...object.metadata, labels, annotations }, data: goTool.data };
  });
}
