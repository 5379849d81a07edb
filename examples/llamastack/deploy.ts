// Deploys the demo llamastack operator from examples/llamastack/deploy/*.yaml, the way one deploys
// a real operator: server-side apply of every manifest (create or update, idempotent), then wait
// (watches) until the Deployment is rolled out and Available and the operator has reconciled the
// sample LlamaStackDistribution. Switches set the break-switch variables of the Deployment; a
// change of switches rolls the operator (Recreate: the old pod releases the Lease first).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { KubeRest, isNotFound } from "../../src/kube/rest.js";
import { waitForCollection } from "../../src/kube/watcher.js";
import type { KubeObject } from "../../src/kube/watch.js";
import { projectRoot } from "../../src/lab/paths.js";
import { SWITCHES, type SwitchVariable } from "./switches.js";

export const LLAMASTACK = {
  namespace: "opendatahub",
  deployment: "llamastack-controller-manager",
  serviceAccount: "llamastack-controller-manager",
  podSelector: "control-plane=controller-manager,app.kubernetes.io/name=llamastack",
  configMap: "llamastack-serving-config",
  configKey: "config.yaml",
  clusterRoleBinding: "llamastack-controller-manager-rolebinding",
  lease: "llamastack-controller-manager-leader-election",
  sampleDistribution: "llamastack-sample",
  crd: "llamastackdistributions.llamastack.io",
  /** Made and kept by the operator itself (not in the manifests). */
  webhookConfiguration: "llamastack-validating-webhook-configuration",
} as const;

export const MANIFEST_DIR = join(projectRoot(), "examples", "llamastack", "deploy");

const FIELD_MANAGER = "llamastack-demo-deploy";
const WEBHOOK_CONFIGURATIONS = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
const SWITCH_VARIABLES = new Set<string>(Object.values(SWITCHES));

export interface DeployOptions {
  /** Break switches to set, e.g. { LLAMASTACK_DISABLE_DRIFT_REPAIR: "true" }; the rest stay "false". */
  switches?: Partial<Record<SwitchVariable, string>>;
  progress?: (line: string) => void;
  /** For the whole deploy; default 120 s. */
  timeoutMs?: number;
}

export interface Deployed {
  /** The operator's pod that is running now. */
  pod: string;
}

interface Manifest extends KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
}

/** Every manifest, in file order (namespace, CRD, RBAC, config, manager, sample). */
export function readManifests(dir = MANIFEST_DIR): Manifest[] {
  const files = readdirSync(dir).filter((name) => name.endsWith(".yaml")).sort();
  return files.flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), "utf8"))
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null));
}

/** REST collection of each kind the manifests use. */
function collectionPath(manifest: { apiVersion: string; kind: string; metadata: { namespace?: string } }): string {
  const table: Record<string, string> = {
    Namespace: "namespaces",
    ServiceAccount: "serviceaccounts",
    ConfigMap: "configmaps",
    Service: "services",
    Deployment: "deployments",
    ClusterRole: "clusterroles",
    ClusterRoleBinding: "clusterrolebindings",
    CustomResourceDefinition: "customresourcedefinitions",
    LlamaStackDistribution: "llamastackdistributions",
  };
  const plural = table[manifest.kind];
  if (!plural) throw new Error(`deploy: no REST path known for kind ${manifest.kind}`);
  const base = manifest.apiVersion === "v1" ? "/api/v1" : `/apis/${manifest.apiVersion}`;
  return manifest.metadata.namespace ? `${base}/namespaces/${manifest.metadata.namespace}/${plural}` : `${base}/${plural}`;
}

/** Sets the Deployment's switch variables: the given ones to their value, every other one to "false". */
export function withSwitches(deployment: Manifest, switches: Partial<Record<string, string>>): Manifest {
  for (const name of Object.keys(switches)) {
    if (!SWITCH_VARIABLES.has(name)) throw new Error(`deploy: unknown switch ${name} (known: ${[...SWITCH_VARIABLES].join(", ")})`);
  }
  const copy = structuredClone(deployment);
  const container = (copy.spec as { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } }).template.spec.containers[0]!;
  container.env = (container.env ?? []).map((variable) =>
    SWITCH_VARIABLES.has(variable.name) ? { name: variable.name, value: switches[variable.name] ?? "false" } : variable);
  return copy;
}

function restFor(kubeconfigPath: string): KubeRest {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return new KubeRest(config);
}

const conditionTrue = (object: KubeObject | undefined, type: string) =>
  ((object?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === type && c.status === "True");

export async function deployLlamastack(kubeconfigPath: string, options: DeployOptions = {}): Promise<Deployed> {
  const progress = options.progress ?? (() => {});
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const remaining = () => Math.max(1_000, deadline - Date.now());
  const rest = restFor(kubeconfigPath);
  const switches = options.switches ?? {};
  const on = Object.entries(switches).filter(([, value]) => value === "true").map(([name]) => name);
  progress(`deploying the llamastack operator into ${LLAMASTACK.namespace} (${on.length > 0 ? `broken by ${on.join(", ")}` : "as shipped: resilient"})`);

  // A fresh install: a webhook configuration left from an earlier one points at a Service that is
  // gone, and (failurePolicy Fail) would refuse the sample distribution.
  const installed = await rest.get(`/api/v1/namespaces/${LLAMASTACK.namespace}`).then(() => true, (error: unknown) => {
    if (isNotFound(error)) return false;
    throw error;
  });
  if (!installed) {
    await rest.delete(`${WEBHOOK_CONFIGURATIONS}/${LLAMASTACK.webhookConfiguration}`).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
  for (const manifest of readManifests()) {
    const object = manifest.kind === "Deployment" && manifest.metadata.name === LLAMASTACK.deployment ? withSwitches(manifest, switches) : manifest;
    await rest.request("PATCH", `${collectionPath(object)}/${object.metadata.name}`, {
      body: object, contentType: "application/apply-patch+yaml", query: { fieldManager: FIELD_MANAGER, force: true },
    });
    if (object.kind === "CustomResourceDefinition") {
      await waitForCollection(rest, {
        path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", fieldSelector: `metadata.name=${object.metadata.name}`,
        timeoutMs: remaining(), what: `CRD ${object.metadata.name} Established`,
      }, (crds) => (conditionTrue(crds.get(`/${object.metadata.name}`), "Established") ? true : undefined));
    }
    if (object.kind === "ClusterRoleBinding") await authorized(rest, remaining());
  }

  progress("waiting for the operator's Deployment to roll out and be Available…");
  await waitForCollection(rest, {
    path: `/apis/apps/v1/namespaces/${LLAMASTACK.namespace}/deployments`, fieldSelector: `metadata.name=${LLAMASTACK.deployment}`,
    timeoutMs: remaining(), what: `Deployment ${LLAMASTACK.namespace}/${LLAMASTACK.deployment} rolled out and Available`,
  }, (deployments) => {
    const deployment = deployments.get(`${LLAMASTACK.namespace}/${LLAMASTACK.deployment}`);
    const status = deployment?.status as { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number } | undefined;
    const generation = (deployment?.metadata as { generation?: number } | undefined)?.generation ?? 0;
    return status && (status.observedGeneration ?? 0) >= generation && status.replicas === 1 && status.updatedReplicas === 1
      && status.availableReplicas === 1 && conditionTrue(deployment, "Available") ? true : undefined;
  });
  const pod = await operatorPod(rest, remaining());
  // A zombie (LLAMASTACK_ZOMBIE) reconciles nothing and sets nothing up: a Ready pod is all it ever is.
  if (switches.LLAMASTACK_ZOMBIE === "true") {
    progress(`operator pod ${pod} is Ready (a zombie: it will reconcile nothing)`);
    return { pod };
  }

  progress(`operator pod ${pod} is Ready; waiting for it to reconcile LlamaStackDistribution ${LLAMASTACK.sampleDistribution}…`);
  await waitForCollection(rest, {
    path: `/apis/llamastack.io/v1alpha1/namespaces/${LLAMASTACK.namespace}/llamastackdistributions`,
    fieldSelector: `metadata.name=${LLAMASTACK.sampleDistribution}`,
    timeoutMs: remaining(), what: `${pod} to reconcile LlamaStackDistribution ${LLAMASTACK.sampleDistribution} (status.phase Ready)`,
  }, (distributions) => {
    const distribution = distributions.get(`${LLAMASTACK.namespace}/${LLAMASTACK.sampleDistribution}`);
    const status = distribution?.status as { phase?: string; observedGeneration?: number; operatorInstance?: string } | undefined;
    const generation = (distribution?.metadata as { generation?: number } | undefined)?.generation;
    return status?.phase === "Ready" && status.observedGeneration === generation && status.operatorInstance === pod ? true : undefined;
  });
  await waitForCollection(rest, {
    path: WEBHOOK_CONFIGURATIONS, fieldSelector: `metadata.name=${LLAMASTACK.webhookConfiguration}`,
    timeoutMs: remaining(), what: `${pod} to set up ValidatingWebhookConfiguration ${LLAMASTACK.webhookConfiguration}`,
  }, (configurations) => {
    const webhooks = (configurations.get(`/${LLAMASTACK.webhookConfiguration}`) as { webhooks?: { failurePolicy?: string }[] } | undefined)?.webhooks;
    return webhooks?.length === 1 && webhooks[0]!.failurePolicy === "Fail" ? true : undefined;
  });
  progress(`the llamastack operator is up: pod ${pod}, LlamaStackDistribution ${LLAMASTACK.sampleDistribution} Ready`);
  return { pod };
}

/** The operator's current pod (e.g. after an experiment replaced it), once it is Ready. */
export function currentOperatorPod(kubeconfigPath: string, timeoutMs = 30_000): Promise<string> {
  return operatorPod(restFor(kubeconfigPath), timeoutMs);
}

/** The one live, Ready pod of the operator's Deployment (after a Recreate the old one is gone). */
export function operatorPod(rest: KubeRest, timeoutMs: number): Promise<string> {
  return waitForCollection(rest, {
    path: `/api/v1/namespaces/${LLAMASTACK.namespace}/pods`, labelSelector: LLAMASTACK.podSelector, timeoutMs,
    what: `exactly one Ready pod of ${LLAMASTACK.deployment}`,
  }, (pods) => {
    const live = [...pods.values()].filter((pod) => !(pod.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp);
    return live.length === 1 && conditionTrue(live[0], "Ready") ? String(live[0]!.metadata?.name) : undefined;
  });
}

/**
 * A new ClusterRoleBinding takes a moment to reach the API server's authorizer. Started before
 * that, the operator would get 403s; with LLAMASTACK_EXIT_ON_FORBIDDEN it would crash-loop at
 * birth. So ask (SubjectAccessReview) until the ServiceAccount may do its first request.
 */
async function authorized(rest: KubeRest, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const user = `system:serviceaccount:${LLAMASTACK.namespace}:${LLAMASTACK.serviceAccount}`;
  for (;;) {
    const review = await rest.create<{ status?: { allowed?: boolean } }>("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview",
      spec: {
        user, groups: ["system:serviceaccounts", `system:serviceaccounts:${LLAMASTACK.namespace}`, "system:authenticated"],
        resourceAttributes: { namespace: LLAMASTACK.namespace, verb: "update", group: "coordination.k8s.io", resource: "leases" },
      },
    });
    if (review.status?.allowed) return;
    if (Date.now() > deadline) throw new Error(`${user} is still not allowed to update leases in ${LLAMASTACK.namespace}: is the ClusterRoleBinding applied?`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Removes everything deployLlamastack created and waits until the namespace is gone. */
export async function undeployLlamastack(kubeconfigPath: string, options: { progress?: (line: string) => void; timeoutMs?: number } = {}): Promise<void> {
  const progress = options.progress ?? (() => {});
  const rest = restFor(kubeconfigPath);
  progress(`removing the llamastack operator and namespace ${LLAMASTACK.namespace}`);
  const ignoreMissing = (error: unknown) => {
    if (!isNotFound(error)) throw error;
  };
  // The namespace first: its pods (the operator's included) stop; then the cluster-scoped objects.
  const manifests = readManifests().filter((m) => !m.metadata.namespace);
  const order = [...manifests.filter((m) => m.kind === "Namespace"), ...manifests.filter((m) => m.kind !== "Namespace")];
  for (const manifest of order) {
    await rest.delete(`${collectionPath(manifest)}/${manifest.metadata.name}`).catch(ignoreMissing);
  }
  await waitForCollection(rest, {
    path: "/api/v1/namespaces", fieldSelector: `metadata.name=${LLAMASTACK.namespace}`, timeoutMs: options.timeoutMs ?? 120_000,
    what: `namespace ${LLAMASTACK.namespace} to be deleted`,
  }, (namespaces) => (namespaces.size === 0 ? true : undefined));
  // Last, once no operator is left to put it back: the webhook configuration it made (its Service is gone).
  await rest.delete(`${WEBHOOK_CONFIGURATIONS}/${LLAMASTACK.webhookConfiguration}`).catch(ignoreMissing);
}
