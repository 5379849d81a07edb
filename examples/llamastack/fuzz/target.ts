// The demo operator's distribution reconciler as a fuzz target (operator-chaos/sdk/fuzz): its own
// reconcile code, its own client error types (errorForInjected, as in kube.ts), an in-memory
// cluster, the changes other actors make to what it manages, and the properties it promises.
import { ChaosInjector, chaosDelay } from "../../../src/sdk/index.js";
import type { FuzzTarget } from "../../../src/sdk/fuzz/index.js";
import {
  configHash, deploymentDiffers, DESIRED_SERVING_CONFIG, desiredDeployment, serviceDiffers, desiredService, validateServingConfig, type Distribution,
} from "../operator/desired.js";
import { errorForInjected, type RequestOptions } from "../operator/kube.js";
import type { KubeObject } from "../operator/informer.js";
import type { Logger } from "../operator/log.js";
import { DistributionReconciler, type ReconcilerClient } from "../operator/reconcilers.js";
import { NAMES } from "../operator/settings.js";
import { MemoryCluster } from "./memory-cluster.js";

const NAMESPACE = "opendatahub";
const NAME = "llamastack-sample";
const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

function seeded(): MemoryCluster {
  const cluster = new MemoryCluster();
  cluster.put("configmaps", {
    apiVersion: "v1", kind: "ConfigMap", metadata: { name: NAMES.servingConfig, namespace: NAMESPACE, labels: { [NAMES.managedByLabel]: NAMES.managedByValue } },
    data: { [NAMES.servingConfigKey]: DESIRED_SERVING_CONFIG },
  });
  cluster.put(NAMES.plural, {
    apiVersion: `${NAMES.group}/${NAMES.version}`, kind: NAMES.kind, metadata: { name: NAME, namespace: NAMESPACE, generation: 1 },
    spec: { replicas: 1, server: { distribution: { name: "starter" }, containerSpec: { port: 8321 } } },
  });
  return cluster;
}

/** The operator's client: every request consults the SDK's injector first, exactly as kube.ts does. */
function chaosClient(cluster: MemoryCluster, injector: ChaosInjector): ReconcilerClient {
  return {
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
      if (injector.active) {
        const decision = injector.decideRequest({ method, path, ...(options.query ? { query: options.query } : {}) });
        await chaosDelay(decision.delayMs);
        if (decision.failure) throw errorForInjected(decision.failure, `${method} ${path}`);
      }
      return cluster.request<T>(method, path, options);
    },
  };
}

const distribution = (cluster: MemoryCluster) => cluster.get(NAMES.plural, NAMESPACE, NAME) as Distribution;
const ownedByDistribution = (object: KubeObject, cluster: MemoryCluster) =>
  (object.metadata?.ownerReferences ?? []).some((ref) => ref.controller && ref.kind === NAMES.kind && ref.uid === distribution(cluster)?.metadata?.uid);

/** The reconciler of one distribution; `deleteOnNameClash` plants the bug the harness must find. */
export function distributionFuzzTarget(options: { deleteOnNameClash?: boolean } = {}): FuzzTarget<MemoryCluster, DistributionReconciler> {
  const serviceName = desiredService(seeded().get(NAMES.plural, NAMESPACE, NAME) as Distribution).metadata!.name!;
  return {
    name: `llamastack distribution reconciler${options.deleteOnNameClash ? " (LLAMASTACK_DELETE_ON_NAME_CLASH)" : ""}`,
    world: seeded,
    start: (cluster, injector) => new DistributionReconciler({
      client: chaosClient(cluster, injector), log: silent, namespace: NAMESPACE, podName: "llamastack-controller-manager-fuzz",
      disableDriftRepair: false, deleteOnNameClash: options.deleteOnNameClash ?? false, ...cluster.caches,
    }),
    async reconcile(reconciler, cluster) {
      for (const key of [...cluster.caches.distributions.cache.keys()]) await reconciler.reconcile(key);
    },
    version: (cluster) => cluster.resourceVersion,
    changes: {
      "a user deletes the Deployment": (cluster) => cluster.remove("deployments", NAMESPACE, NAME),
      "a user scales the Deployment to 3": (cluster) => {
        const deployment = cluster.get("deployments", NAMESPACE, NAME);
        if (deployment) cluster.put("deployments", { ...deployment, spec: { ...(deployment.spec as object), replicas: 3 } });
      },
      "a user deletes the Service": (cluster) => cluster.remove("services", NAMESPACE, serviceName),
      "another team's Service takes the Service's name": (cluster) => cluster.put("services", {
        apiVersion: "v1", kind: "Service", metadata: { name: serviceName, namespace: NAMESPACE, labels: { team: "other" } },
        spec: { selector: { app: "other" }, ports: [{ port: 80, targetPort: 8080 }] },
      }),
      "the distribution asks for 2 replicas": (cluster) => {
        const current = distribution(cluster);
        cluster.put(NAMES.plural, { ...current, metadata: { ...current.metadata, generation: (current.metadata?.generation ?? 1) + 1 }, spec: { ...current.spec, replicas: 2 } });
      },
    },
    properties: [
      {
        name: "never deletes what it does not own",
        when: "always",
        check: (cluster) => {
          const foreign = cluster.deletions.find((deletion) => deletion.by === "operator" && !ownedByDistribution(deletion.object, cluster));
          return foreign ? `the operator deleted ${foreign.key}, which has no owner reference to ${NAMES.kind} ${NAME}` : undefined;
        },
      },
      {
        name: "converges to the desired state",
        when: "settled",
        check: (cluster) => {
          const current = distribution(cluster);
          const valid = validateServingConfig(DESIRED_SERVING_CONFIG);
          if (!valid.valid) return "the desired serving config is invalid";
          const deployment = cluster.get("deployments", NAMESPACE, NAME);
          if (!deployment) return `Deployment ${NAME} is missing`;
          if (!ownedByDistribution(deployment, cluster)) return `Deployment ${NAME} is not owned by the distribution`;
          if (deploymentDiffers(deployment, desiredDeployment(current, valid.config, configHash(DESIRED_SERVING_CONFIG)))) return `Deployment ${NAME} differs from the desired one`;
          const service = cluster.get("services", NAMESPACE, serviceName);
          if (!service) return `Service ${serviceName} is missing`;
          // A Service of that name owned by someone else is theirs: the operator must leave it (and say so), not converge it.
          if (ownedByDistribution(service, cluster) && serviceDiffers(service, desiredService(current))) return `Service ${serviceName} differs from the desired one`;
          return undefined;
        },
      },
    ],
  };
}
