import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { switchesFrom, type Switches } from "../switches.js";

/** Names the operator and its manifests share (the knowledge model in the corpus uses the same ones). */
export const NAMES = {
  deployment: "llamastack-controller-manager",
  lease: "llamastack-controller-manager-leader-election",
  servingConfig: "llamastack-serving-config",
  servingConfigKey: "config.yaml",
  group: "llamastack.io",
  version: "v1alpha1",
  plural: "llamastackdistributions",
  kind: "LlamaStackDistribution",
  /** On every object the operator creates for a distribution. */
  managedByLabel: "app.kubernetes.io/managed-by",
  managedByValue: "llamastack-operator",
  /** Names the distribution an operand object belongs to. */
  instanceLabel: "app.kubernetes.io/instance",
  configHashAnnotation: "llamastack.io/serving-config-hash",
  /** The key of the API-key Secret the operator generates for each distribution (<name>-api-key). */
  apiKeyKey: "api-key",
  /** The namespace the operator manages for model assets, and the catalog it keeps there. */
  workspaceNamespace: "llamastack-models",
  modelCatalog: "llamastack-model-catalog",
  modelCatalogKey: "models.yaml",
} as const;

export interface OperatorSettings {
  namespace: string;
  podName: string;
  /** Leader-election identity: pod name plus a per-process suffix, as controller-runtime does. */
  identity: string;
  port: number;
  /** Every cached object is reconciled again this often, even without events. */
  resyncMs: number;
  /** Per request: a partitioned API server must not hang the operator for the kernel's TCP timeout. */
  requestTimeoutMs: number;
  lease: {
    durationMs: number;
    /** A leader that could not renew for this long stops reconciling. */
    renewDeadlineMs: number;
    retryMs: number;
  };
  /** Requeue and reconnect back-off: doubles from the base up to the cap. */
  backoff: { baseMs: number; capMs: number };
  switches: Switches;
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!match) throw new Error(`${name}: expected a duration such as 500ms or 10s, got "${text}"`);
  return Math.round(Number(match[1]) * (match[2] === "ms" ? 1 : 1000));
}

export function settingsFrom(env: NodeJS.ProcessEnv): OperatorSettings {
  const podName = env.POD_NAME || hostname();
  return {
    namespace: env.POD_NAMESPACE || "opendatahub",
    podName,
    identity: `${podName}_${randomBytes(4).toString("hex")}`,
    port: Number(env.LLAMASTACK_HTTP_PORT ?? 8080),
    resyncMs: milliseconds(env, "LLAMASTACK_RESYNC_PERIOD", 10_000),
    requestTimeoutMs: milliseconds(env, "LLAMASTACK_REQUEST_TIMEOUT", 2_000),
    lease: {
      durationMs: milliseconds(env, "LLAMASTACK_LEASE_DURATION", 6_000),
      renewDeadlineMs: milliseconds(env, "LLAMASTACK_RENEW_DEADLINE", 4_000),
      retryMs: milliseconds(env, "LLAMASTACK_RETRY_PERIOD", 1_000),
    },
    backoff: { baseMs: 100, capMs: 2_000 },
    switches: switchesFrom(env),
  };
}

/** Exponential back-off: base·2^(failures−1), capped; 0 before the first failure. */
export function backoffMs(failures: number, backoff: { baseMs: number; capMs: number }): number {
  if (failures <= 0) return 0;
  return Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(failures - 1, 20));
}
