// The operator-chaos SDK in the demo operator, as an operator author wires it: one injector that
// every request of the operator's own client consults (kube.ts), fed by a watch of the ConfigMap
// `operator-chaos-config` in the operator's namespace (the same informer machinery as everything
// else; the injector never faults that ConfigMap's own requests), and an Event on the ConfigMap for
// each change, which is how the ClientFault experiment confirms the faults were really applied.
import { ChaosConfigFeed, ChaosInjector, chaosEvent, DEFAULT_CONFIG_MAP_NAME } from "../../../src/sdk/index.js";
import { Informer } from "./informer.js";
import type { KubeClient } from "./kube.js";
import type { Logger } from "./log.js";

export function chaosInjector(env: NodeJS.ProcessEnv = process.env): ChaosInjector {
  return new ChaosInjector({ configMapName: env.OPERATOR_CHAOS_CONFIGMAP || DEFAULT_CONFIG_MAP_NAME });
}

export interface ChaosWatchOptions {
  namespace: string;
  podName: string;
  resyncMs: number;
  backoff: { baseMs: number; capMs: number };
}

/** An informer on the chaos ConfigMap; start it with the others. */
export function watchChaosConfig(client: KubeClient, log: Logger, injector: ChaosInjector, options: ChaosWatchOptions): Informer {
  const feed = new ChaosConfigFeed(injector, options.namespace);
  return new Informer(client, log, {
    name: "chaos-config", path: `/api/v1/namespaces/${options.namespace}/configmaps`, fieldSelector: `metadata.name=${injector.configMapName}`,
    resyncMs: options.resyncMs, backoff: options.backoff,
  }, (event, object) => {
    const status = feed.apply(event === "DELETED" ? undefined : object as never);
    if (!status) return;
    if (status.issues) log.warn("chaos configuration refused; no faults applied", { configMap: injector.configMapName, issues: status.issues.map((i) => `${i.path}: ${i.message}`).join("; ") });
    else if (status.active) log.info("chaos faults active", { configMap: injector.configMapName, operations: status.operations.join(",") });
    else log.info("chaos faults inactive", { configMap: injector.configMapName });
    const body = chaosEvent(status, { component: "llamastack-operator", instance: options.podName });
    client.request("POST", `/api/v1/namespaces/${status.configMap.namespace}/events`, { body, chaosExempt: true })
      .catch((error: unknown) => log.warn("could not record the chaos event", { error: (error as Error).message }));
  });
}
