// The workspace namespace the operator manages (llamastack-models) and the model catalog it keeps
// in it. Shipped by the manifests like the serving config; when the namespace is deleted the
// operator waits for it to finish terminating, then recreates it and its contents.
import { isAlreadyExists, isNotFound, type KubeClient } from "./kube.js";
import type { Informer, KubeObject } from "./informer.js";
import type { Logger } from "./log.js";
import { NAMES } from "./settings.js";

export const MODEL_CATALOG = `# Models LlamaStack distributions may serve. Owned by the llamastack operator.
models:
  - id: llama-3.2-3b-instruct
    provider: remote::vllm
`;

export const WORKSPACE_LABELS = {
  [NAMES.managedByLabel]: NAMES.managedByValue,
  "app.kubernetes.io/part-of": "llamastack-demo",
} as const;

export interface WorkspaceContext {
  client: KubeClient;
  log: Logger;
  namespaces: Informer;
  catalogs: Informer;
  /** The NamespaceDeletion switch: a deleted workspace is never recreated. */
  noNamespaceRecreate: boolean;
}

export class WorkspaceReconciler {
  readonly key = `/${NAMES.workspaceNamespace}`;
  namespaceRecreations = 0;
  private reportedMissing = false;

  constructor(private readonly context: WorkspaceContext) {}

  readonly reconcile = async (): Promise<void> => {
    const { client, log, namespaces, catalogs } = this.context;
    const namespace = namespaces.cache.get(this.key);
    if (!namespace) {
      if (this.context.noNamespaceRecreate) {
        if (!this.reportedMissing) log.warn("workspace namespace is gone; not recreating it (LLAMASTACK_NO_NAMESPACE_RECREATE=true)", { namespace: NAMES.workspaceNamespace });
        this.reportedMissing = true;
        return;
      }
      try {
        await client.request("POST", "/api/v1/namespaces", { body: {
          apiVersion: "v1", kind: "Namespace", metadata: { name: NAMES.workspaceNamespace, labels: { ...WORKSPACE_LABELS } },
        } });
        this.namespaceRecreations += 1;
        log.info("recreated the workspace namespace", { namespace: NAMES.workspaceNamespace });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      return; // its ADDED event brings us back for the contents
    }
    this.reportedMissing = false;
    // Terminating: nothing can be created in it; its DELETED event brings us back.
    if ((namespace as KubeObject).metadata?.deletionTimestamp) return;
    if (catalogs.cache.has(`${NAMES.workspaceNamespace}/${NAMES.modelCatalog}`)) return;
    try {
      await client.request("POST", `/api/v1/namespaces/${NAMES.workspaceNamespace}/configmaps`, { body: {
        apiVersion: "v1", kind: "ConfigMap",
        metadata: { name: NAMES.modelCatalog, namespace: NAMES.workspaceNamespace, labels: { ...WORKSPACE_LABELS } },
        data: { [NAMES.modelCatalogKey]: MODEL_CATALOG },
      } });
      log.info("created the model catalog", { configMap: `${NAMES.workspaceNamespace}/${NAMES.modelCatalog}` });
    } catch (error) {
      // Exists (our cache is behind), or the namespace went away meanwhile: the next event decides.
      if (!isAlreadyExists(error) && !isNotFound(error)) throw error;
    }
  };
}
