// One field of a Deployment changed and changed back, for the faults that break a Deployment in
// place (DeploymentScaleZero, CrashLoopInject, ImageCorrupt). Every write is a JSON Patch that
// touches that one field and starts with `test` operations, so the API server applies it only to
// the object we planned against (same UID) and, on revert, only while the field still holds the
// value we injected: whatever the operator repaired (or changed since) is left alone. Containers
// are addressed by index and checked by name; the rest of the containers array is never sent.
import { isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";
import { removeRecord, type JournalRecord } from "../journal/journal.js";
import { Duration } from "../experiment/duration.js";
import type { FaultContext, ObjectReference } from "./driver.js";

export interface DeploymentObject {
  metadata: { name: string; namespace: string; uid: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec: { replicas?: number; template: { spec: { containers: ContainerObject[] } } };
}

export interface ContainerObject {
  name: string;
  image?: string;
  command?: string[];
}

/** What a Deployment fault's journal record holds: enough to undo the one change. */
export interface FieldChangeRecord {
  /** The Deployment the change was made to; a same-named replacement is never touched. */
  uid: string;
  /** JSON Pointer of the field, e.g. /spec/template/spec/containers/0/image. */
  path: string;
  /** For a container field: the container's name, checked at that index before any write. */
  container?: { index: number; name: string };
  /** False when the field was absent (e.g. no command: the image's entrypoint ran). */
  hadOriginal: boolean;
  original?: unknown;
  injected: unknown;
}

export type RevertOutcome = "restored" | "healed" | "gone";

export const deploymentRef = (namespace: string, name: string): ObjectReference => ({ apiVersion: "apps/v1", kind: "Deployment", name, namespace });
export const deploymentPath = (namespace: string, name: string) => `/apis/apps/v1/namespaces/${namespace}/deployments/${encodeURIComponent(name)}`;
export const describeDeployment = (ref: ObjectReference) => `Deployment ${ref.namespace}/${ref.name}`;

/** Escapes one JSON Pointer segment (RFC 6901). */
export const pointerSegment = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

export async function readDeployment(rest: KubeRest, namespace: string, name: string): Promise<DeploymentObject> {
  try {
    return await rest.get<DeploymentObject>(deploymentPath(namespace, name));
  } catch (error) {
    if (isNotFound(error)) throw new Error(`Deployment ${namespace}/${name} does not exist`);
    throw error;
  }
}

/** The named container (or the first), with its index; a missing name is an error naming the ones there are. */
export function pickContainer(deployment: DeploymentObject, containerName: string | undefined): { index: number; container: ContainerObject } {
  const containers = deployment.spec.template.spec.containers;
  const index = containerName === undefined ? 0 : containers.findIndex((container) => container.name === containerName);
  if (index < 0 || !containers[index]) {
    throw new Error(`Deployment ${deployment.metadata.namespace}/${deployment.metadata.name} has no container ${JSON.stringify(containerName)} ` +
      `(its containers: ${containers.map((c) => c.name).join(", ") || "none"})`);
  }
  return { index, container: containers[index]! };
}

/** Refuses a Deployment that still carries the Go tool's rollback annotations of this fault: its original would be lost. */
export function refuseGoLeftover(deployment: DeploymentObject, keys: readonly string[]): void {
  const present = keys.filter((key) => deployment.metadata.annotations?.[key] !== undefined);
  if (present.length > 0) {
    throw new Error(`Deployment ${deployment.metadata.namespace}/${deployment.metadata.name} still carries the Go tool's rollback annotation ${present.join(", ")} ` +
      "(a fault of the Go tool is in effect): run `operator-chaos clean` first");
  }
}

/** Reads a JSON Pointer; undefined when absent. */
export function readPointer(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const raw of path.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function guards(change: FieldChangeRecord): object[] {
  const ops: object[] = [{ op: "test", path: "/metadata/uid", value: change.uid }];
  if (change.container) ops.push({ op: "test", path: `/spec/template/spec/containers/${change.container.index}/name`, value: change.container.name });
  return ops;
}

/**
 * Writes the journal record, then the injected value, guarded by the UID, the container's name and
 * the original value (all as planned). A guard that fails means the object changed after the plan:
 * the record is closed again and nothing was changed.
 */
export async function injectFieldChange(rest: KubeRest, target: ObjectReference, change: FieldChangeRecord, write: () => Promise<JournalRecord<FieldChangeRecord>>): Promise<JournalRecord<FieldChangeRecord>> {
  const record = await write();
  const ops = [
    ...guards(change),
    ...(change.hadOriginal ? [{ op: "test", path: change.path, value: change.original }, { op: "replace", path: change.path, value: change.injected }] : [{ op: "add", path: change.path, value: change.injected }]),
  ];
  try {
    await rest.jsonPatch(deploymentPath(target.namespace!, target.name), ops);
    return record;
  } catch (error) {
    await removeRecord(rest, record).catch(() => {});
    if (isNotFound(error)) throw new Error(`${describeDeployment(target)} was deleted after the plan; nothing was changed`);
    if (isUnprocessable(error)) throw new Error(`${describeDeployment(target)} changed after the plan (${change.path}); nothing was changed`);
    throw error;
  }
}

/**
 * Puts the original back only while the field still holds the injected value (a JSON Patch `test`),
 * on the same object: "healed" when the operator (or anyone) changed it meanwhile, "gone" when the
 * Deployment was deleted or replaced. Idempotent.
 */
export async function revertFieldChange(rest: KubeRest, target: ObjectReference, change: FieldChangeRecord): Promise<RevertOutcome> {
  const path = deploymentPath(target.namespace!, target.name);
  const ops = [
    ...guards(change),
    { op: "test", path: change.path, value: change.injected },
    change.hadOriginal ? { op: "replace", path: change.path, value: change.original } : { op: "remove", path: change.path },
  ];
  try {
    await rest.jsonPatch(path, ops);
    return "restored";
  } catch (error) {
    if (isNotFound(error)) return "gone";
    if (!isUnprocessable(error)) throw error;
    // A failed guard, or a real rejection? Look: only the former is an answer.
    let current: DeploymentObject;
    try {
      current = await rest.get<DeploymentObject>(path);
    } catch (readError) {
      if (isNotFound(readError)) return "gone";
      throw readError;
    }
    if (current.metadata.uid !== change.uid) return "gone";
    const name = change.container ? current.spec.template.spec.containers[change.container.index]?.name : undefined;
    if (change.container && name !== change.container.name) return "healed";
    if (!same(readPointer(current, change.path), change.injected)) return "healed";
    throw error;
  }
}

/**
 * A Go-tool leftover: the original is restored (only where `stillInjected` says the field still
 * holds what the Go tool set) and the Go tool's annotations are removed, in one guarded patch.
 */
export async function revertGoAnnotations(
  rest: KubeRest,
  target: ObjectReference,
  annotationKeys: readonly string[],
  restore: (deployment: DeploymentObject) => object[],
): Promise<void> {
  const path = deploymentPath(target.namespace!, target.name);
  for (let attempt = 1; ; attempt += 1) {
    let deployment: DeploymentObject;
    try {
      deployment = await rest.get<DeploymentObject>(path);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const present = annotationKeys.filter((key) => deployment.metadata.annotations?.[key] !== undefined);
    if (present.length === 0) return;
    const ops = [
      { op: "test", path: "/metadata/resourceVersion", value: deployment.metadata.resourceVersion },
      ...restore(deployment),
      ...present.map((key) => ({ op: "remove", path: `/metadata/annotations/${pointerSegment(key)}` })),
    ];
    try {
      await rest.jsonPatch(path, ops);
      return;
    } catch (error) {
      if (!isUnprocessable(error) || attempt >= 5) throw error;
    }
  }
}

/** Deployments carrying any of the annotations (in one namespace, or everywhere). */
export async function deploymentsAnnotated(rest: KubeRest, namespace: string | undefined, keys: (deployment: DeploymentObject) => boolean): Promise<DeploymentObject[]> {
  const list = await rest.get<{ items: DeploymentObject[] }>(namespace ? `/apis/apps/v1/namespaces/${namespace}/deployments` : "/apis/apps/v1/deployments");
  return list.items.filter(keys);
}

/** The journal record's expiry: the injection's ttl, past which any `clean` or run start reverts it. */
export function ttlOption(context: FaultContext): { ttlMs?: number } {
  const ttl = context.experiment.spec.injection.ttl;
  const ms = ttl ? Duration.parse(ttl).milliseconds : 0;
  return ms > 0 ? { ttlMs: ms } : {};
}

const isUnprocessable = (error: unknown) => (error as { status?: number } | null)?.status === 422;
