// Putting the webhook server's objects on a cluster and waiting (watches) until the API server can
// call it. Used by WebhookLatency (each step journaled by the fault) and by the lab's tests.
import { isNotFound } from "../../kube/errors.js";
import type { KubeRest } from "../../kube/rest.js";
import { waitForCollection } from "../../kube/watcher.js";
import { collectionPathOf, type WebhookServerManifests } from "./manifests.js";

/** The server's objects in creation order; the webhook configuration last, once a backend exists. */
export function creationOrder(manifests: WebhookServerManifests) {
  return [manifests.configMap, manifests.secret, manifests.deployment, manifests.service, manifests.webhookConfiguration];
}

export function objectPath(manifest: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${collectionPathOf(manifest.kind, manifest.metadata.namespace ?? "")}/${manifest.metadata.name}`;
}

/**
 * Until the Service has a ready endpoint: the API server (routing to endpoints) can reach the
 * server from then on.
 */
export async function waitForReadyEndpoint(rest: KubeRest, namespace: string, service: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<string> {
  return waitForCollection(rest, {
    path: `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, labelSelector: `kubernetes.io/service-name=${service}`,
    timeoutMs: options.timeoutMs, signal: options.signal, what: `a ready endpoint of Service ${namespace}/${service}`,
  }, (slices) => {
    for (const slice of slices.values()) {
      const endpoints = (slice as { endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[] }).endpoints ?? [];
      const ready = endpoints.find((endpoint) => endpoint.conditions?.ready !== false && (endpoint.addresses?.length ?? 0) > 0);
      if (ready) return ready.addresses![0]!;
    }
    return undefined;
  });
}

/** Creates every object (in order) and waits for a ready endpoint before registering the webhook. */
export async function applyWebhookServer(rest: KubeRest, manifests: WebhookServerManifests, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (const manifest of creationOrder(manifests)) {
    if (manifest === manifests.webhookConfiguration) {
      await waitForReadyEndpoint(rest, manifests.service.metadata.namespace!, manifests.service.metadata.name, {
        timeoutMs: Math.max(1_000, deadline - Date.now()), ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    await rest.create(collectionPathOf(manifest.kind, manifest.metadata.namespace ?? ""), manifest);
  }
}

/** Deletes every object, the webhook configuration first (so no request is sent to a dying server). */
export async function removeWebhookServer(rest: KubeRest, manifests: WebhookServerManifests): Promise<void> {
  for (const manifest of [...creationOrder(manifests)].reverse()) {
    await rest.delete(objectPath(manifest), { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background" }).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
}

/**
 * Repeats `attempt` until it returns a value or the deadline passes. For the one thing no watch
 * shows: when the API server's admission chain starts (or stops) calling a newly registered
 * webhook. Each attempt is a real (dry-run) request, spaced by `intervalMs`.
 */
export async function untilAdmission<T>(what: string, attempt: () => Promise<T | undefined>, options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${last ? ` (last: ${(last as Error).message})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
