// What the object faults (LabelStomping, OwnerRefOrphan, ResourceDeletion, SecretDeletion) share:
// finding the one object a fault names (any kind the API server serves, through discovery), a
// resourceVersion-guarded merge patch that re-decides on conflict, and owner references that still
// point at a live owner. Pure of HTTP: everything goes through the fault's cluster access.
import { Duration } from "../experiment/duration.js";
import type { ClusterAccess } from "../engine/context.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import type { FaultContext, ObjectReference, PermissionNeed } from "./driver.js";

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  deletionTimestamp?: string;
  [field: string]: unknown;
}

export interface KubeObjectBody {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The object a fault acts on, as found at plan time. */
export interface FoundObject {
  ref: ObjectReference;
  /** Its API path (journaled, so a revert needs no discovery). */
  path: string;
  object: KubeObjectBody;
}

/**
 * The resource (plural) of a kind, guessed as Kubernetes itself guesses it (UnsafeGuessKindToResource):
 * for the preflight, which runs before discovery. A wrong guess only makes the preflight ask about
 * a resource that does not exist, which the API server allows or denies like any other.
 */
export function guessResource(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === "") return lower;
  if (lower.endsWith("s")) return `${lower}es`;
  if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The API group of an apiVersion ("" for the core group). */
export const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "");

/** The permissions to read, watch and patch one kind in a namespace. */
export function objectPermissions(apiVersion: string, kind: string, namespace: string, verbs: readonly string[]): PermissionNeed[] {
  return verbs.map((verb) => ({ verb, group: groupOf(apiVersion), resource: guessResource(kind), namespace }));
}

export const describeObject = (ref: ObjectReference) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;

/** The injection's TTL in ms, if it has one. */
export function ttlOf(context: FaultContext): number | undefined {
  const ttl = context.experiment.spec.injection.ttl;
  return ttl ? Duration.parse(ttl).milliseconds || undefined : undefined;
}

/**
 * Finds a namespaced object by apiVersion, kind and name. Clear errors, before anything changes,
 * for a kind the API server does not serve, a cluster-scoped kind, and a missing object.
 */
export async function findNamespacedObject(cluster: ClusterAccess, apiVersion: string, kind: string, name: string, namespace: string): Promise<FoundObject> {
  let info;
  try {
    info = await cluster.discovery.resolve(apiVersion, kind);
  } catch (error) {
    if (isNotFound(error) || (error as Error).message.startsWith("the API server has no kind")) {
      throw new Error(`the API server does not serve kind ${kind} in ${apiVersion}; check apiVersion and kind`);
    }
    throw error;
  }
  if (!info.namespaced) throw new Error(`${kind} (${apiVersion}) is cluster-scoped; this fault acts on namespaced objects only`);
  const ref: ObjectReference = { apiVersion, kind, name, namespace };
  const path = await cluster.discovery.objectPath(apiVersion, kind, name, namespace);
  const object = await readObject(cluster, path);
  if (!object) throw new Error(`${describeObject(ref)} does not exist`);
  return { ref, path, object };
}

/**
 * Finds an object of any kind the API server serves, namespaced (in `namespace`) or cluster-scoped,
 * with the same clear errors as findNamespacedObject.
 */
export async function findAnyObject(cluster: ClusterAccess, apiVersion: string, kind: string, name: string, namespace: string): Promise<FoundObject> {
  let namespaced: boolean;
  try {
    namespaced = (await cluster.discovery.resolve(apiVersion, kind)).namespaced;
  } catch (error) {
    if (isNotFound(error) || (error as Error).message.startsWith("the API server has no kind")) {
      throw new Error(`the API server does not serve kind ${kind} in ${apiVersion}; check apiVersion and kind`);
    }
    throw error;
  }
  const ref: ObjectReference = { apiVersion, kind, name, ...(namespaced ? { namespace } : {}) };
  const path = await cluster.discovery.objectPath(apiVersion, kind, name, namespaced ? namespace : undefined);
  const object = await readObject(cluster, path);
  if (!object) throw new Error(`${describeObject(ref)} does not exist`);
  return { ref, path, object };
}

/**
 * Read, change, replace with the read resourceVersion (one write; the API server refuses it if
 * anyone wrote meanwhile, and the change is then computed again on fresh data). `change` returns
 * undefined for "nothing to write". Returns whether a write was accepted.
 */
export async function guardedReplace(
  cluster: ClusterAccess,
  path: string,
  change: (object: KubeObjectBody) => KubeObjectBody | undefined,
): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const object = await readObject(cluster, path);
    if (!object) return false;
    const next = change(structuredClone(object));
    if (!next) return false;
    try {
      await cluster.rest.replace(path, next);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}

export async function readObject(cluster: ClusterAccess, path: string): Promise<KubeObjectBody | undefined> {
  try {
    return await cluster.rest.get<KubeObjectBody>(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Read, decide, merge-patch with the read resourceVersion as precondition; on a conflict (the
 * operator wrote meanwhile) decide again on fresh data. `decide` returns undefined for "nothing to
 * write" (gone, or someone else's value now). Returns whether a patch was accepted.
 */
export async function guardedMergePatch(
  cluster: ClusterAccess,
  path: string,
  decide: (object: KubeObjectBody | undefined) => Record<string, unknown> | undefined,
): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const object = await readObject(cluster, path);
    const patch = decide(object);
    if (!patch || !object) return false;
    const metadata = { ...(patch.metadata as Record<string, unknown> | undefined), resourceVersion: object.metadata.resourceVersion };
    try {
      await cluster.rest.mergePatch(path, { ...patch, metadata });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}

/**
 * Owner references as they may be written again: a reference whose owner still exists under its
 * name keeps it, with the owner's current UID (a recreated owner has a new one); a reference whose
 * owner is gone is dropped, since the garbage collector would delete an object it points at.
 */
export async function liveOwnerReferences(cluster: ClusterAccess, namespace: string, references: readonly OwnerReference[]): Promise<OwnerReference[]> {
  const live: OwnerReference[] = [];
  for (const reference of references) {
    let path: string;
    try {
      const info = await cluster.discovery.resolve(reference.apiVersion, reference.kind);
      path = await cluster.discovery.objectPath(reference.apiVersion, reference.kind, reference.name, info.namespaced ? namespace : undefined);
    } catch {
      continue; // its kind is no longer served: the owner cannot exist
    }
    const owner = await readObject(cluster, path);
    if (owner?.metadata.uid) live.push({ ...reference, uid: owner.metadata.uid });
  }
  return live;
}

/** The fields the API server sets; an object re-created from a backup must not carry them. */
export function creatableCopy(object: KubeObjectBody): KubeObjectBody {
  const { status: _status, ...rest } = object;
  const metadata = { ...object.metadata };
  for (const field of ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"]) {
    delete metadata[field];
  }
  return { ...rest, metadata };
}
