// The two reconcilers: the serving config (restore the owned content when it drifts) and each
// LlamaStackDistribution (its Deployment and Service exist and match; its status says so).
// They read from the informers' caches and write with the cached resourceVersion: a conflict
// means the cache is behind, and the retry after the next event gets it right.
import { randomBytes } from "node:crypto";
import {
  adoptFields, apiKeySecretName, configHash, derivedApiKey, desiredApiKeySecret, DESIRED_SERVING_CONFIG, deploymentDiffers, desiredDeployment, desiredService, distributionStatus,
  sameStatus, serviceDiffers, validateServingConfig, type AdoptedFields, type Distribution, type ServingConfig,
} from "./desired.js";
import { isAlreadyExists, type KubeClient } from "./kube.js";
import type { Informer, KubeObject } from "./informer.js";
import type { Logger } from "./log.js";
import { NAMES } from "./settings.js";

/** What the reconcilers use of the client and the informers (the fuzz harness gives in-memory ones). */
export type ReconcilerClient = Pick<KubeClient, "request">;
type Cache = Pick<Informer, "cache">;

export interface ReconcilerContext {
  client: ReconcilerClient;
  log: Logger;
  namespace: string;
  podName: string;
  disableDriftRepair: boolean;
  /** Deployment fields the operator leaves as it finds them (break switches). */
  adoptedFields?: AdoptedFields;
  /** The planted bug the reconciler fuzz harness must find (LLAMASTACK_DELETE_ON_NAME_CLASH). */
  deleteOnNameClash?: boolean;
  configs: Cache;
  distributions: Cache;
  deployments: Cache;
  services: Cache;
  /** The API-key Secrets it generates; without a cache none are generated. */
  secrets?: Cache;
  /** The key API keys are derived from (see derivedApiKey). */
  operatorKey?: string;
  /** Break switch: a deleted Service is never recreated. */
  noServiceRecreate?: boolean;
  /** Break switch: a deleted API-key Secret comes back with a new random value. */
  regenerateSecret?: boolean;
  /** Break switch: a Deployment seen being deleted is taken as the user's decision and never recreated. */
  forgetDeletedDeployment?: boolean;
}

const truncate = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

export class ServingConfigReconciler {
  driftRepairs = 0;
  /** The drifted value last reported while repair is disabled (reported once, not every resync). */
  private reportedDrift: string | undefined;

  constructor(private readonly context: ReconcilerContext) {}

  get key(): string {
    return `${this.context.namespace}/${NAMES.servingConfig}`;
  }

  readonly reconcile = async (key: string): Promise<void> => {
    const { client, log, configs, namespace } = this.context;
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    const current = configs.cache.get(key) as (KubeObject & { data?: Record<string, string> }) | undefined;
    if (!current) {
      try {
        await client.request("POST", path, { body: {
          apiVersion: "v1", kind: "ConfigMap",
          metadata: { name: NAMES.servingConfig, namespace, labels: { [NAMES.managedByLabel]: NAMES.managedByValue } },
          data: { [NAMES.servingConfigKey]: DESIRED_SERVING_CONFIG },
        } });
        log.info("created the serving config", { configMap: key });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      return;
    }
    const value = current.data?.[NAMES.servingConfigKey];
    if (value === DESIRED_SERVING_CONFIG) {
      this.reportedDrift = undefined;
      return;
    }
    if (this.context.disableDriftRepair) {
      if (this.reportedDrift !== value) {
        log.warn("serving config drifted; not repairing it (LLAMASTACK_DISABLE_DRIFT_REPAIR=true)", {
          configMap: key, key: NAMES.servingConfigKey, value: truncate(value ?? "<missing>"),
        });
        this.reportedDrift = value;
      }
      return;
    }
    await client.request("PUT", `${path}/${NAMES.servingConfig}`, {
      body: { ...current, data: { ...current.data, [NAMES.servingConfigKey]: DESIRED_SERVING_CONFIG } },
    });
    this.driftRepairs += 1;
    log.info("repaired drifted serving config", { configMap: key, key: NAMES.servingConfigKey, drifted: truncate(value ?? "<missing>") });
  };
}

export class DistributionReconciler {
  /** Services this process has seen, and (noServiceRecreate) those seen deleted, which stay gone. */
  private readonly seenServices = new Set<string>();
  private readonly goneServices = new Set<string>();
  /** Deployments seen being deleted while forgetDeletedDeployment is on: never recreated. */
  private readonly forgottenDeployments = new Set<string>();
  /** The last serving config that validated: an invalid one is never rolled out. */
  private lastValid: { config: ServingConfig; hash: string } | undefined;

  constructor(private readonly context: ReconcilerContext) {
    const initial = validateServingConfig(DESIRED_SERVING_CONFIG);
    if (initial.valid) this.lastValid = { config: initial.config, hash: configHash(DESIRED_SERVING_CONFIG) };
  }

  readonly reconcile = async (key: string): Promise<void> => {
    const { client, log, distributions, deployments, services, configs, namespace } = this.context;
    const distribution = distributions.cache.get(key) as Distribution | undefined;
    // Deleted: its Deployment and Service go with it (owner references, garbage collector).
    if (!distribution || distribution.metadata?.deletionTimestamp) return;
    const configText = (configs.cache.get(`${namespace}/${NAMES.servingConfig}`) as { data?: Record<string, string> } | undefined)?.data?.[NAMES.servingConfigKey];
    const validation = validateServingConfig(configText);
    if (validation.valid) this.lastValid = { config: validation.config, hash: configHash(configText!) };
    const { config, hash } = this.lastValid!;
    const ns = distribution.metadata!.namespace!;
    const name = distribution.metadata!.name!;

    const currentDeployment = deployments.cache.get(`${ns}/${name}`);
    const deployment = adoptFields(desiredDeployment(distribution, config, hash), currentDeployment, this.context.adoptedFields ?? {});
    const deploymentKey = `${ns}/${name}`;
    if (currentDeployment?.metadata?.deletionTimestamp) {
      // Being deleted (finalizers may hold it): recreated once it is gone, unless the switch forgets it.
      if (this.context.forgetDeletedDeployment && !this.forgottenDeployments.has(deploymentKey)) {
        this.forgottenDeployments.add(deploymentKey);
        log.warn("deployment is being deleted; it will not be recreated (LLAMASTACK_FORGET_DELETED_DEPLOYMENT=true)", { distribution: key, deployment: deploymentKey });
      }
    } else if (!currentDeployment && this.forgottenDeployments.has(deploymentKey)) {
      // stays gone
    } else if (!currentDeployment) {
      if (await this.create(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment)) {
        log.info("created deployment", { distribution: key, deployment: `${ns}/${name}` });
      }
    } else if (deploymentDiffers(currentDeployment, deployment)) {
      await client.request("PUT", `/apis/apps/v1/namespaces/${ns}/deployments/${name}`, {
        // Finalizers are others' (a PUT without them would drop them).
        body: { ...deployment, metadata: { ...deployment.metadata, resourceVersion: currentDeployment.metadata?.resourceVersion, finalizers: (currentDeployment.metadata as { finalizers?: string[] } | undefined)?.finalizers } },
      });
      log.info("updated deployment", { distribution: key, deployment: `${ns}/${name}` });
    }

    const service = desiredService(distribution);
    const serviceKey = `${ns}/${service.metadata!.name}`;
    const currentService = services.cache.get(serviceKey);
    if (currentService) this.seenServices.add(serviceKey);
    if (!currentService && this.context.noServiceRecreate && (this.seenServices.has(serviceKey) || this.goneServices.has(serviceKey))) {
      if (this.seenServices.delete(serviceKey)) {
        this.goneServices.add(serviceKey);
        log.warn("service was deleted; not recreating it (LLAMASTACK_NO_SERVICE_RECREATE=true)", { distribution: key, service: serviceKey });
      }
    } else if (!currentService) {
      if (await this.create(`/api/v1/namespaces/${ns}/services`, service)) log.info("created service", { distribution: key, service: serviceKey });
    } else if (serviceDiffers(currentService, service)) {
      const spec = currentService.spec as { clusterIP?: string; clusterIPs?: string[] };
      await client.request("PUT", `/api/v1/namespaces/${ns}/services/${service.metadata!.name}`, {
        body: {
          ...service,
          metadata: { ...service.metadata, resourceVersion: currentService.metadata?.resourceVersion },
          // Immutable once allocated.
          spec: { ...(service.spec as object), clusterIP: spec.clusterIP, clusterIPs: spec.clusterIPs },
        },
      });
      log.info("updated service", { distribution: key, service: serviceKey });
    }

    await this.reconcileApiKey(distribution, key);

    const status = distributionStatus({
      distribution, deployment: deployments.cache.get(`${ns}/${name}`), validation, hash,
      operatorInstance: this.context.podName, now: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    if (!sameStatus(distribution.status, status)) {
      await client.request("PUT", `/apis/${NAMES.group}/${NAMES.version}/namespaces/${ns}/${NAMES.plural}/${name}/status`, {
        body: { ...distribution, status },
      });
      if (distribution.status?.phase !== status.phase) log.info("distribution phase changed", { distribution: key, phase: status.phase });
      for (const condition of status.conditions ?? []) {
        const before = distribution.status?.conditions?.find((c) => c.type === condition.type);
        if (before && before.status !== condition.status) {
          log.info("distribution condition changed", { distribution: key, condition: condition.type, status: condition.status, message: condition.message });
        }
      }
    }
  };

  /** The distribution's API-key Secret exists; a missing one is recreated with the derived (same) value. */
  private async reconcileApiKey(distribution: Distribution, key: string): Promise<void> {
    const { secrets, operatorKey, log } = this.context;
    if (!secrets || operatorKey === undefined) return;
    const ns = distribution.metadata!.namespace!;
    const secretKey = `${ns}/${apiKeySecretName(distribution)}`;
    if (secrets.cache.get(secretKey)) return;
    const value = this.context.regenerateSecret ? randomBytes(32).toString("hex") : derivedApiKey(distribution, operatorKey);
    if (await this.create(`/api/v1/namespaces/${ns}/secrets`, desiredApiKeySecret(distribution, value))) {
      log.info("created api-key secret", { distribution: key, secret: secretKey, regenerated: this.context.regenerateSecret === true });
    }
  }

  /** True when created; false when it existed already (our cache had not seen it: its event brings it). */
  private async create(path: string, object: KubeObject): Promise<boolean> {
    try {
      await this.context.client.request("POST", path, { body: object });
      return true;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // The name is taken by an object our (label-selected) cache does not show: not ours, so it is left alone.
      if (!this.context.deleteOnNameClash) return false;
      this.context.log.warn("name taken; deleting the object and creating ours (LLAMASTACK_DELETE_ON_NAME_CLASH=true)", { object: `${path}/${object.metadata?.name}` });
      await this.context.client.request("DELETE", `${path}/${object.metadata?.name}`);
      await this.context.client.request("POST", path, { body: object });
      return true;
    }
  }
}
