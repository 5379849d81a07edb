import { Duration } from "../experiment/duration.js";
import { InjectionType } from "../experiment/enums.js";
import { listRecords } from "../journal/journal.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL, TYPE_LABEL, managedBySelector } from "../journal/labels.js";
import type { KubeRest } from "../kube/rest.js";
import { defineFaultSpec, defineRunnableFault, type FaultContext, type RevertRecord } from "./driver.js";
import { deleteOwned, madeBy, readOptional, type OwnedObjectMeta } from "./owned-object.js";
import { checker } from "./parameters.js";
import { createServingCertificate, serviceDnsNames } from "./webhook-server/certificates.js";
// The server's deploy helpers watch the cluster (HTTP): loaded only when the fault runs (see src/experiment/purity.test.ts).
import {
  certificateSecretName, collectionPathOf, PROCESS_NODE_LABEL, PROCESS_NODE_VALUE, serverConfigMapName, webhookServerManifests, type WebhookRule,
} from "./webhook-server/manifests.js";

const MIN_DELAY = Duration.parse("1s");
/** The API server gives up on a webhook after 30s; the delay must stay below. */
const MAX_DELAY = Duration.parse("29s");

/** Registers a slow admission webhook for chosen resources, so the operator's writes take longer. */
export const webhookLatencySpec = defineFaultSpec({
  type: InjectionType.WebhookLatency,
  summary: "Deploys an admission webhook that delays CREATE/UPDATE of the chosen resources.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "high",
  defaultTier: 4,
  parameterDocs: [
    { name: "resources", required: true, description: "Comma-separated resource plurals, e.g. deployments,configmaps." },
    { name: "apiGroups", required: true, description: "Comma-separated API groups of those resources, e.g. apps; \"\" (two quotes) or core for the core group." },
    { name: "delay", required: false, description: "Delay per request, from 1s to 29s.", default: "25s" },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.WebhookLatency, parameters, context);
    for (const name of ["resources", "apiGroups"]) {
      const list = check.nonEmpty(name, name === "resources" ? "e.g. deployments,configmaps" : "e.g. apps");
      if (list !== undefined && list.split(",").some((item) => item !== item.trim())) {
        check.warn(name, "parameter.list-spaces", "items are not trimmed; spaces around commas become part of the names", {
          got: JSON.stringify(list),
        });
      }
    }
    const delay = check.value("delay");
    if (delay !== undefined) {
      const parsed = Duration.tryParse(delay);
      if (!parsed.ok) {
        check.report("delay", "parameter.duration", `invalid duration: ${parsed.error}`, { expected: "a duration from 1s to 29s" });
      } else if (parsed.value.compare(MIN_DELAY) < 0 || parsed.value.compare(MAX_DELAY) > 0) {
        check.report("delay", "parameter.duration", "the delay must stay under the API server's 30s webhook timeout", {
          expected: "a duration from 1s to 29s",
          got: delay,
        });
      }
    }
    check.requireHighDanger("WebhookLatency (its webhook slows every matching request in the namespace)");
    return check.issues;
  },
  skeleton: () => ({ resources: "deployments", apiGroups: "apps", delay: "25s" }),
});

/** The objects' name, by the Go tool's rule: chaos-webhook-latency-<resources, lower case, "," → "-", no spaces, ≤ 30>. */
export function latencyWebhookName(resources: string): string {
  let suffix = resources.toLowerCase().replace(/,/g, "-").replace(/\s+/g, "").slice(0, 30).replace(/-+$/, "");
  if (suffix === "") suffix = "default";
  return `chaos-webhook-latency-${suffix}`;
}

/** An item of apiGroups: `""` (two quotes) or `core` is the core group. */
const groupOf = (item: string) => (item === '""' || item === "core" ? "" : item);

/** Added latency within this fraction of the configured delay confirms the fault. */
const TOLERANCE = 0.2;
const SAMPLES = 3;

interface LatencyData {
  name: string;
  delayMs: number;
  rules: WebhookRule[];
  onProcessNode: boolean;
  /** An object of a matched resource the run times dry-run updates of (the webhook sees them; nothing is written). */
  probe: { path: string; what: string };
  baselineMs: number;
}
/** The objects this run created; revert deletes those still carrying its run label. */
type LatencyRecord = { name: string; namespace: string; runId: string } | { leftover: { uid: string; kind: string; path: string } };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timedDryRunUpdate(rest: KubeRest, path: string, signal?: AbortSignal): Promise<number> {
  const started = performance.now();
  await rest.mergePatch(path, { metadata: { annotations: { "chaos.operatorchaos.io/latency-probe": "dry-run" } } }, { query: { dryRun: "All" }, timeoutMs: 40_000, ...(signal ? { signal } : {}) });
  return performance.now() - started;
}

/** Every path of the objects of one run's webhook (the configuration first, so no call reaches a dying server). */
function objectPaths(name: string, namespace: string): { kind: string; path: string }[] {
  return [
    { kind: "ValidatingWebhookConfiguration", path: `${collectionPathOf("ValidatingWebhookConfiguration", namespace)}/${name}` },
    { kind: "Service", path: `${collectionPathOf("Service", namespace)}/${name}` },
    { kind: "Deployment", path: `${collectionPathOf("Deployment", namespace)}/${name}` },
    { kind: "Secret", path: `${collectionPathOf("Secret", namespace)}/${certificateSecretName(name)}` },
    { kind: "ConfigMap", path: `${collectionPathOf("ConfigMap", namespace)}/${serverConfigMapName(name)}` },
  ];
}

/**
 * Deploys our own latency webhook (assets/webhook-server.mjs: a Deployment of a public Node.js
 * image running the server from a ConfigMap, a generated serving certificate, a Service, a
 * ValidatingWebhookConfiguration) for the hold. Scoped to the experiment's namespace
 * (namespaceSelector) and never to this tool's own objects (objectSelector), so it slows neither
 * system namespaces nor the run's journal. Confirmed by timing a dry-run update through the API
 * server: the added latency must be the configured delay, within 20 %.
 */
export const webhookLatency = defineRunnableFault<LatencyData, LatencyRecord>(webhookLatencySpec, {
  permissions: (parameters, namespace) => [
    ...["configmaps", "secrets", "services"].flatMap((resource) => ["create", "get", "delete"].map((verb) => ({ verb, group: "", resource, namespace }))),
    ...["create", "get", "delete"].map((verb) => ({ verb, group: "apps", resource: "deployments", namespace })),
    ...["create", "get", "delete", "list"].map((verb) => ({ verb, group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations" })),
    ...["list", "watch"].map((verb) => ({ verb, group: "discovery.k8s.io", resource: "endpointslices", namespace })),
    { verb: "list", group: "", resource: "nodes" },
    ...(parameters.resources ?? "").split(",").map((resource) => ({ verb: "patch", group: groupOf((parameters.apiGroups ?? "").split(",")[0] ?? ""), resource, namespace })),
  ],

  /**
   * Refuses names already taken, and resources with nothing to time in the namespace. Times the
   * baseline (median of 3 dry-run updates) before anything changes.
   */
  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const { rest } = context.cluster;
    const resources = (parameters.resources ?? "").split(",");
    const groups = (parameters.apiGroups ?? "").split(",").map(groupOf);
    const delay = Duration.parse(parameters.delay ?? "25s").milliseconds;
    const name = latencyWebhookName(parameters.resources ?? "");
    for (const { kind, path } of objectPaths(name, context.namespace)) {
      const existing = await readOptional<OwnedObjectMeta>(rest, path);
      if (existing) {
        throw new Error(`the ${kind} ${existing.metadata.namespace ? `${existing.metadata.namespace}/` : ""}${existing.metadata.name} already exists (made by ${madeBy(existing)}); ` +
          "WebhookLatency neither shares nor replaces it. If it is a leftover, `operator-chaos clean` removes it");
      }
    }
    let probe: LatencyData["probe"] | undefined;
    for (const group of groups) {
      let base = "/api/v1";
      if (group !== "" && group !== "*") {
        const info = await readOptional<{ preferredVersion?: { groupVersion: string } }>(rest, `/apis/${group}`);
        if (!info?.preferredVersion) continue;
        base = `/apis/${info.preferredVersion.groupVersion}`;
      }
      for (const resource of resources) {
        if (resource === "*" || resource.includes("/")) continue;
        const list = await rest.get<{ items: OwnedObjectMeta[] }>(`${base}/namespaces/${context.namespace}/${resource}`, { query: { limit: 20 } }).catch(() => ({ items: [] as OwnedObjectMeta[] }));
        const item = list.items.find((object) => object.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE);
        if (item) {
          probe = { path: `${base}/namespaces/${context.namespace}/${resource}/${item.metadata.name}`, what: `${resource}/${item.metadata.name}` };
          break;
        }
      }
      if (probe) break;
    }
    if (!probe) {
      throw new Error(`WebhookLatency: no object of ${resources.join(", ")} (apiGroups ${parameters.apiGroups}) in ${context.namespace} to time the webhook with; ` +
        "the delay could not be confirmed, so nothing was changed");
    }
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i += 1) samples.push(await timedDryRunUpdate(rest, probe.path, context.signal));
    const nodes = await rest.get<{ items: unknown[] }>("/api/v1/nodes", { query: { labelSelector: `${PROCESS_NODE_LABEL}=${PROCESS_NODE_VALUE}` } });
    const rules: WebhookRule[] = [{ operations: ["CREATE", "UPDATE"], apiGroups: groups, apiVersions: ["*"], resources, scope: "Namespaced" }];
    return {
      type: InjectionType.WebhookLatency,
      // What the blast radius counts: the one webhook that slows requests (the server's four objects only serve it).
      targets: [{ apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", name }],
      summary: `delay CREATE/UPDATE of ${resources.join(", ")} in ${context.namespace} by ${delay} ms with the webhook ${name} ` +
        `(and its ConfigMap, Secret, Deployment and Service in ${context.namespace}; timed on ${probe.what}, baseline ${Math.round(median(samples))} ms)`,
      data: { name, delayMs: delay, rules, onProcessNode: nodes.items.length > 0, probe, baselineMs: median(samples) },
    };
  },

  /** One journal record for the five objects, then the server, its endpoint, and last the webhook configuration. */
  async inject(context, plan) {
    const data = plan.data;
    const runId = context.journal.owner.runId;
    const record = await context.journal.write<LatencyRecord>(InjectionType.WebhookLatency,
      { apiVersion: "apps/v1", kind: "Deployment", name: data.name, namespace: context.namespace }, { name: data.name, namespace: context.namespace, runId },
      ttlOf(context) ? { ttlMs: ttlOf(context)! } : {});
    const manifests = webhookServerManifests({
      name: data.name, namespace: context.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TYPE_LABEL]: InjectionType.WebhookLatency, [RUN_LABEL]: runId },
      certificate: createServingCertificate(serviceDnsNames(data.name, context.namespace)),
      delayMs: data.delayMs, mode: "allow", rules: data.rules,
      // Ignore: a webhook pod that dies must not block the namespace; the timing confirms it works.
      failurePolicy: "Ignore", timeoutSeconds: Math.min(30, Math.ceil(data.delayMs / 1000) + 1),
      namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [context.namespace] }] },
      objectSelector: { matchExpressions: [{ key: MANAGED_BY_LABEL, operator: "NotIn", values: [MANAGED_BY_VALUE] }] },
      onProcessNode: data.onProcessNode,
    });
    const { applyWebhookServer } = await import("./webhook-server/deploy.js");
    await applyWebhookServer(context.cluster.rest, manifests, { timeoutMs: 120_000, signal: context.signal });
    return [record];
  },

  /** Times dry-run updates until the webhook is called (the API server picks it up within ~1 s), then measures. */
  async confirm(context, plan) {
    const { delayMs, baselineMs, probe } = plan.data;
    const { rest } = context.cluster;
    const { untilAdmission } = await import("./webhook-server/deploy.js");
    try {
      await untilAdmission("the latency webhook to be called", async () => ((await timedDryRunUpdate(rest, probe.path, context.signal)) - baselineMs >= delayMs * (1 - TOLERANCE) ? true : undefined),
        { timeoutMs: 30_000 + delayMs, intervalMs: 200, signal: context.signal });
    } catch (error) {
      return { confirmed: false, reason: `no added latency on ${probe.what}: ${(error as Error).message}` };
    }
    const measured = await timedDryRunUpdate(rest, probe.path, context.signal);
    const added = measured - baselineMs;
    const text = `a dry-run update of ${probe.what} took ${Math.round(measured)} ms (baseline ${Math.round(baselineMs)} ms): ${Math.round(added)} ms added for a configured delay of ${delayMs} ms`;
    if (Math.abs(added - delayMs) > delayMs * TOLERANCE) return { confirmed: false, reason: `${text}, not within ${TOLERANCE * 100}%` };
    return { confirmed: true, evidence: `${text} (within ${TOLERANCE * 100}%)` };
  },

  /** Deletes this run's objects (the configuration first); a Go leftover, the very object found. Idempotent. */
  async revert(context, record) {
    const data = record.data;
    const { rest } = context.cluster;
    if ("leftover" in data) {
      await deleteOwned(rest, data.leftover.path, { leftover: { uid: data.leftover.uid } });
      return;
    }
    for (const { path } of objectPaths(data.name, data.namespace)) await deleteOwned(rest, path, { runId: data.runId });
  },

  /** Objects labelled WebhookLatency (ours whose record was lost, and the Go tool's four, which its `clean` never removes). */
  async leftovers(context, namespace) {
    const { rest } = context.cluster;
    const selector = `${managedBySelector},${TYPE_LABEL}=WebhookLatency`;
    const journaled = new Set((await listRecords(rest, namespace)).filter((r) => r.faultType === InjectionType.WebhookLatency)
      .map((r) => (r.data as { name?: string }).name));
    const found: RevertRecord<LatencyRecord>[] = [];
    const add = (kind: string, path: string, object: OwnedObjectMeta, owner: string) => {
      if (journaled.has(owner)) return;
      found.push({
        type: InjectionType.WebhookLatency,
        target: { apiVersion: "v1", kind, name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) },
        data: { leftover: { uid: object.metadata.uid, kind, path } },
      });
    };
    const hooks = await rest.get<{ items: OwnedObjectMeta[] }>(collectionPathOf("ValidatingWebhookConfiguration", ""), { query: { labelSelector: selector } });
    for (const hook of hooks.items) {
      const service = (hook as unknown as { webhooks?: { clientConfig?: { service?: { namespace?: string } } }[] }).webhooks?.[0]?.clientConfig?.service?.namespace;
      if (namespace && service !== namespace) continue;
      add("ValidatingWebhookConfiguration", `${collectionPathOf("ValidatingWebhookConfiguration", "")}/${hook.metadata.name}`, hook, hook.metadata.name);
    }
    for (const kind of ["Service", "Deployment", "Secret", "ConfigMap"]) {
      const path = namespace ? collectionPathOf(kind, namespace) : collectionPathOf(kind, "").replace("/namespaces//", "/");
      const items = await rest.get<{ items: OwnedObjectMeta[] }>(path, { query: { labelSelector: selector } });
      for (const item of items.items) {
        const owner = item.metadata.labels?.app ?? item.metadata.name;
        add(kind, `${collectionPathOf(kind, item.metadata.namespace!)}/${item.metadata.name}`, item, owner);
      }
    }
    return found;
  },
});

const ttlOf = (context: FaultContext) => {
  const ttl = context.experiment.spec.injection.ttl;
  return ttl ? Duration.parse(ttl).milliseconds || undefined : undefined;
};
