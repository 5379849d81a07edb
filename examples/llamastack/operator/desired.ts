// What the operator wants the cluster to look like: pure functions, no I/O.
import { createHash, createHmac } from "node:crypto";
import { parse } from "yaml";
import { NAMES } from "./settings.js";
import type { KubeObject } from "./informer.js";

/**
 * The serving configuration the operator owns (ConfigMap llamastack-serving-config, key
 * config.yaml). The manifest ships the same text (a unit test keeps them equal); any other value
 * is drift, and the operator writes this back.
 */
export const DESIRED_SERVING_CONFIG = `# Serving configuration of LlamaStack distributions. Owned by the llamastack operator:
# edits are reverted on the next reconcile.
serving:
  endpoint: http://0.0.0.0:8321
  timeout: 30s
  maxConcurrentRequests: 16
inference:
  provider: remote::vllm
  url: http://vllm.opendatahub.svc.cluster.local:8000/v1
telemetry:
  enabled: true
`;

export interface ServingConfig {
  endpoint: string;
  timeout: string;
}

export type ConfigValidation = { valid: true; config: ServingConfig } | { valid: false; reason: string };

/** A positive duration such as 500ms, 30s or 2m. */
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;

export function validateServingConfig(text: string | undefined): ConfigValidation {
  if (text === undefined) return { valid: false, reason: `ConfigMap ${NAMES.servingConfig} has no key ${NAMES.servingConfigKey}` };
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    return { valid: false, reason: `not YAML: ${(error as Error).message.split("\n")[0]}` };
  }
  const serving = (document as { serving?: { endpoint?: unknown; timeout?: unknown } } | null)?.serving;
  if (typeof serving?.endpoint !== "string" || !/^https?:\/\/[^/\s]+/.test(serving.endpoint)) {
    return { valid: false, reason: `serving.endpoint must be an http(s) URL, got ${JSON.stringify(serving?.endpoint)}` };
  }
  const timeout = typeof serving.timeout === "string" ? DURATION.exec(serving.timeout) : null;
  if (!timeout || Number(timeout[1]) <= 0) {
    return { valid: false, reason: `serving.timeout must be a positive duration such as 30s, got ${JSON.stringify(serving.timeout)}` };
  }
  return { valid: true, config: { endpoint: serving.endpoint, timeout: serving.timeout as string } };
}

export const configHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

export interface Distribution extends KubeObject {
  spec?: {
    replicas?: number;
    server?: {
      distribution?: { name?: string; image?: string };
      containerSpec?: { port?: number };
    };
  };
  status?: DistributionStatus;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface DistributionStatus {
  phase?: "Initializing" | "Ready" | "Failed";
  observedGeneration?: number;
  availableReplicas?: number;
  serviceURL?: string;
  servingConfigHash?: string;
  /** The operator process (pod) that last reconciled this distribution. */
  operatorInstance?: string;
  conditions?: Condition[];
}

const IMAGES: Record<string, string> = {
  starter: "docker.io/llamastack/distribution-starter:0.2.15",
  "remote-vllm": "docker.io/llamastack/distribution-remote-vllm:0.2.15",
  ollama: "docker.io/llamastack/distribution-ollama:0.2.15",
};

export const DEFAULT_PORT = 8321;

export function operandLabels(distribution: Distribution): Record<string, string> {
  // Deliberately not the operator's own labels (control-plane, app.kubernetes.io/name=llamastack):
  // the seed experiments select the operator's pod by those, and must never pick an operand.
  return {
    "app.kubernetes.io/name": "llamastack-distribution",
    [NAMES.instanceLabel]: distribution.metadata?.name ?? "",
    [NAMES.managedByLabel]: NAMES.managedByValue,
  };
}

function ownerReference(distribution: Distribution) {
  return {
    apiVersion: `${NAMES.group}/${NAMES.version}`, kind: NAMES.kind, name: distribution.metadata?.name ?? "",
    uid: distribution.metadata?.uid ?? "", controller: true, blockOwnerDeletion: true,
  };
}

const portOf = (distribution: Distribution) => distribution.spec?.server?.containerSpec?.port ?? DEFAULT_PORT;

export function imageOf(distribution: Distribution): string {
  const distro = distribution.spec?.server?.distribution;
  return distro?.image ?? IMAGES[distro?.name ?? "starter"] ?? IMAGES.starter!;
}

/** How a distribution's server starts; the operator owns it like the image. */
export const SERVER_COMMAND = ["llama", "stack", "run", "/etc/llama-stack/run.yaml"] as const;

/** The Kubernetes default, set explicitly: the operator owns it. */
export const REVISION_HISTORY_LIMIT = 10;

export const serviceName = (distribution: Distribution) => `${distribution.metadata?.name}-service`;

export const apiKeySecretName = (distribution: Distribution) => `${distribution.metadata?.name}-api-key`;

/**
 * The distribution's API key, derived from its UID with the operator's key: a Secret deleted by
 * accident is recreated with the same value, so whoever holds the key keeps working.
 */
export function derivedApiKey(distribution: Distribution, operatorKey: string): string {
  return createHmac("sha256", operatorKey).update(distribution.metadata?.uid ?? "").digest("hex");
}

/** The generated Secret holding a distribution's API key; owned by the distribution. */
export function desiredApiKeySecret(distribution: Distribution, apiKey: string): KubeObject {
  return {
    apiVersion: "v1", kind: "Secret", type: "Opaque",
    metadata: { name: apiKeySecretName(distribution), namespace: distribution.metadata?.namespace, labels: operandLabels(distribution), ownerReferences: [ownerReference(distribution)] },
    data: { [NAMES.apiKeyKey]: Buffer.from(apiKey).toString("base64") },
  } as KubeObject;
}

/** The distribution's server Deployment, configured from the (last valid) serving config. */
export function desiredDeployment(distribution: Distribution, config: ServingConfig, hash: string): KubeObject {
  const labels = operandLabels(distribution);
  const selector = { "app.kubernetes.io/name": labels["app.kubernetes.io/name"]!, [NAMES.instanceLabel]: labels[NAMES.instanceLabel]! };
  return {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name: distribution.metadata?.name, namespace: distribution.metadata?.namespace, labels, ownerReferences: [ownerReference(distribution)] },
    spec: {
      replicas: distribution.spec?.replicas ?? 1,
      // Rollout settings it owns: old ReplicaSets kept for rollbacks.
      revisionHistoryLimit: REVISION_HISTORY_LIMIT,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels, annotations: { [NAMES.configHashAnnotation]: hash } },
        spec: {
          containers: [{
            name: "llama-stack",
            image: imageOf(distribution),
            command: [...SERVER_COMMAND],
            ports: [{ name: "http", containerPort: portOf(distribution), protocol: "TCP" }],
            env: [
              { name: "LLAMA_STACK_SERVING_ENDPOINT", value: config.endpoint },
              { name: "LLAMA_STACK_SERVING_TIMEOUT", value: config.timeout },
            ],
          }],
        },
      },
    },
  };
}

export function desiredService(distribution: Distribution): KubeObject {
  const labels = operandLabels(distribution);
  return {
    apiVersion: "v1", kind: "Service",
    metadata: { name: serviceName(distribution), namespace: distribution.metadata?.namespace, labels, ownerReferences: [ownerReference(distribution)] },
    spec: {
      selector: { "app.kubernetes.io/name": labels["app.kubernetes.io/name"]!, [NAMES.instanceLabel]: labels[NAMES.instanceLabel]! },
      ports: [{ name: "http", port: portOf(distribution), targetPort: portOf(distribution), protocol: "TCP" }],
    },
  };
}

type Spec = Record<string, unknown> & { replicas?: number; revisionHistoryLimit?: number; template?: { metadata?: KubeObject["metadata"]; spec?: { containers?: Record<string, unknown>[] } } };

/** The fields of a Deployment the operator owns; a difference in any of them is drift to repair. */
function deploymentFingerprint(object: KubeObject): string {
  const spec = (object.spec ?? {}) as Spec;
  const container = spec.template?.spec?.containers?.[0] ?? {};
  return canonical({
    replicas: spec.replicas ?? 1,
    revisionHistoryLimit: spec.revisionHistoryLimit ?? REVISION_HISTORY_LIMIT,
    labels: object.metadata?.labels ?? {},
    // Its owner (the distribution): an orphaned Deployment is adopted again.
    owners: (object.metadata?.ownerReferences ?? []).map((owner) => owner.uid),
    hash: spec.template?.metadata?.annotations?.[NAMES.configHashAnnotation],
    image: container.image,
    command: container.command ?? null,
    ports: ((container.ports ?? []) as { containerPort?: number }[]).map((p) => p.containerPort),
    env: container.env ?? [],
  });
}

/** The Deployment fields a broken operator may leave as it finds them (see the switches). */
export interface AdoptedFields {
  replicas?: boolean;
  command?: boolean;
  image?: boolean;
  /** The Deployment's own labels. */
  labels?: boolean;
  /** Its ownerReferences (an orphan stays an orphan). */
  owners?: boolean;
  /** Its rollout settings (revisionHistoryLimit). */
  rolloutSettings?: boolean;
}

/**
 * The desired Deployment with the `adopt`ed fields taken from the current one: an operator that
 * does not own a field neither notices nor undoes a change to it.
 */
export function adoptFields(desired: KubeObject, current: KubeObject | undefined, adopt: AdoptedFields): KubeObject {
  if (!current || (!adopt.replicas && !adopt.command && !adopt.image && !adopt.labels && !adopt.owners && !adopt.rolloutSettings)) return desired;
  const copy = structuredClone(desired);
  if (adopt.labels) copy.metadata = { ...copy.metadata, labels: { ...current.metadata?.labels } };
  if (adopt.owners) {
    const { ownerReferences: _owners, ...metadata } = copy.metadata ?? {};
    copy.metadata = current.metadata?.ownerReferences?.length ? { ...metadata, ownerReferences: current.metadata.ownerReferences } : metadata;
  }
  const spec = copy.spec as Spec;
  const currentSpec = (current.spec ?? {}) as Spec;
  if (adopt.replicas) spec.replicas = currentSpec.replicas;
  if (adopt.rolloutSettings) spec.revisionHistoryLimit = currentSpec.revisionHistoryLimit;
  const container = spec.template!.spec!.containers![0]!;
  const currentContainer = currentSpec.template?.spec?.containers?.find((c) => c.name === container.name);
  if (adopt.image && currentContainer) container.image = currentContainer.image;
  if (adopt.command && currentContainer) {
    if (currentContainer.command === undefined) delete container.command;
    else container.command = currentContainer.command;
  }
  return copy;
}

export const deploymentDiffers = (current: KubeObject, desired: KubeObject) => deploymentFingerprint(current) !== deploymentFingerprint(desired);

export function serviceDiffers(current: KubeObject, desired: KubeObject): boolean {
  const view = (object: KubeObject) => {
    const spec = (object.spec ?? {}) as { selector?: unknown; ports?: { port?: number; targetPort?: unknown }[] };
    return canonical({ labels: object.metadata?.labels ?? {}, selector: spec.selector, ports: (spec.ports ?? []).map((p) => [p.port, p.targetPort]) });
  };
  return view(current) !== view(desired);
}

function condition(previous: Condition[] | undefined, type: string, status: Condition["status"], reason: string, message: string, now: string): Condition {
  const before = previous?.find((c) => c.type === type);
  return { type, status, reason, message, lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now };
}

/** The distribution's status from what exists now; unchanged fields keep their transition times. */
export function distributionStatus(input: {
  distribution: Distribution;
  deployment: KubeObject | undefined;
  validation: ConfigValidation;
  hash: string;
  operatorInstance: string;
  now: string;
}): DistributionStatus {
  const { distribution, deployment, validation } = input;
  const previous = distribution.status?.conditions;
  const wanted = distribution.spec?.replicas ?? 1;
  const available = ((deployment?.status as { availableReplicas?: number } | undefined)?.availableReplicas) ?? 0;
  const ready = deployment !== undefined && available >= wanted;
  return {
    phase: ready ? "Ready" : "Initializing",
    observedGeneration: distribution.metadata?.generation ?? 0,
    availableReplicas: available,
    serviceURL: `http://${serviceName(distribution)}.${distribution.metadata?.namespace}.svc.cluster.local:${portOf(distribution)}`,
    servingConfigHash: input.hash,
    operatorInstance: input.operatorInstance,
    conditions: [
      condition(previous, "DeploymentReady", ready ? "True" : "False", ready ? "MinimumReplicasAvailable" : "Progressing",
        `${available}/${wanted} replicas available`, input.now),
      validation.valid
        ? condition(previous, "ServingConfigValid", "True", "Valid", `${NAMES.servingConfig} is valid`, input.now)
        : condition(previous, "ServingConfigValid", "False", "InvalidServingConfig",
          `${validation.reason}; new rollouts keep the last valid configuration`, input.now),
    ],
  };
}

/** JSON with object keys sorted: the API server returns custom resources with their keys sorted. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export const sameStatus = (a: DistributionStatus | undefined, b: DistributionStatus) => canonical(a ?? {}) === canonical(b);
