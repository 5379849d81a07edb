import { KubeRest } from "../../src/kube/rest.js";
import type { KubeConfig } from "@kubernetes/client-node";

interface ApiResource { name: string; namespaced: boolean; verbs: string[] }

/** Kinds whose objects change on their own (controllers' heartbeats and event streams). */
const VOLATILE = new Set(["events", "leases"]);

/**
 * Every object of every listable resource in a namespace (or every cluster-scoped one when
 * namespace is undefined), keyed by resource/name, with the fields the server manages removed.
 * Labels, annotations, data and spec are kept: this is what "the cluster is as before" compares.
 */
export async function dumpObjects(config: KubeConfig, namespace: string | undefined): Promise<Record<string, unknown>> {
  const rest = new KubeRest(config);
  const groupVersions: string[] = ["v1"];
  const groups = await rest.get<{ groups: { preferredVersion: { groupVersion: string } }[] }>("/apis");
  for (const group of groups.groups) groupVersions.push(group.preferredVersion.groupVersion);
  const dump: Record<string, unknown> = {};
  for (const groupVersion of groupVersions) {
    const base = groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`;
    const list = await rest.get<{ resources: ApiResource[] }>(base);
    for (const resource of list.resources) {
      if (resource.name.includes("/") || !resource.verbs.includes("list") || VOLATILE.has(resource.name)) continue;
      if (resource.namespaced !== (namespace !== undefined)) continue;
      const path = namespace ? `${base}/namespaces/${namespace}/${resource.name}` : `${base}/${resource.name}`;
      const items = await rest.get<{ items: Record<string, unknown>[] }>(path).then((l) => l.items, () => []);
      for (const item of items) {
        const metadata = { ...(item.metadata as Record<string, unknown>) };
        for (const field of ["resourceVersion", "managedFields", "generation", "creationTimestamp", "uid"]) delete metadata[field];
        const { status: _status, ...rest2 } = item;
        dump[`${groupVersion}/${resource.name}/${metadata.name as string}`] = { ...rest2, metadata };
      }
    }
  }
  return dump;
}
