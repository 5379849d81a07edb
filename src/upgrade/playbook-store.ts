// Where a playbook's progress lives: one ConfigMap per playbook on the cluster it upgrades, so a run
// killed on one machine can be resumed from another (the Go tool writes a local file). Every write
// carries the resourceVersion it read: two runs of one playbook cannot overwrite each other's progress.

import type { ClusterAccess } from "../engine/context.js";
import { isConflict, isNotFound } from "../kube/rest.js";
import { stateConfigMapName, type PlaybookState } from "./playbook-state.js";

const KEY = "state.json";

interface StateConfigMap {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

export class PlaybookStateStore {
  private resourceVersion: string | undefined;
  readonly name: string;

  constructor(private readonly access: ClusterAccess, readonly namespace: string, playbookName: string) {
    this.name = stateConfigMapName(playbookName);
  }

  private get collection(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/configmaps`;
  }

  /** The recorded state, or undefined when no run left one. */
  async load(): Promise<PlaybookState | undefined> {
    try {
      const map = await this.access.rest.get<StateConfigMap>(`${this.collection}/${this.name}`);
      this.resourceVersion = map.metadata.resourceVersion;
      const text = map.data?.[KEY];
      if (!text) return undefined;
      return JSON.parse(text) as PlaybookState;
    } catch (error) {
      if (isNotFound(error)) {
        this.resourceVersion = undefined;
        return undefined;
      }
      throw error;
    }
  }

  async save(state: PlaybookState): Promise<void> {
    const body: StateConfigMap = {
      metadata: {
        name: this.name, namespace: this.namespace,
        labels: { "app.kubernetes.io/managed-by": "operator-chaos", "chaos.operatorchaos.io/playbook-state": "true" },
        ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
      },
      data: { [KEY]: JSON.stringify(state, null, 2) },
    };
    try {
      const saved = this.resourceVersion
        ? await this.access.rest.replace<StateConfigMap>(`${this.collection}/${this.name}`, { apiVersion: "v1", kind: "ConfigMap", ...body })
        : await this.access.rest.create<StateConfigMap>(this.collection, { apiVersion: "v1", kind: "ConfigMap", ...body });
      this.resourceVersion = saved.metadata.resourceVersion;
    } catch (error) {
      if (isConflict(error)) throw new Error(`the state of playbook "${state.playbookName}" (ConfigMap ${this.namespace}/${this.name}) was changed by another run; stopping`);
      throw error;
    }
  }

  /** A finished playbook leaves no state behind (as the Go tool deletes its state file). */
  async remove(): Promise<void> {
    await this.access.rest.delete(`${this.collection}/${this.name}`).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
    this.resourceVersion = undefined;
  }
}
