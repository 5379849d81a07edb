// Reading and writing ChaosExperiment objects: paths, finalizer and status patches, validation.

import { API_VERSION } from "../experiment/enums.js";
import { formatPath } from "../experiment/diagnostic.js";
import type { ChaosExperiment } from "../experiment/types.js";
import { validateExperimentValue } from "../experiment/validate.js";
import { isNotFound, type KubeRest } from "../kube/rest.js";
import { addFinalizerPatch, removeFinalizerPatch, type ObjectView } from "./finalizer.js";
import type { ExperimentStatus } from "./status.js";

export const GROUP_VERSION = API_VERSION;

export interface ExperimentObject extends ObjectView {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectView["metadata"] & { name: string; namespace: string; uid?: string; resourceVersion?: string };
  spec?: ChaosExperiment["spec"];
  status?: ExperimentStatus;
}

/** The collection to watch: one namespace, or all of them. */
export const collectionPath = (namespace: string | undefined) =>
  namespace ? `/apis/${GROUP_VERSION}/namespaces/${namespace}/chaosexperiments` : `/apis/${GROUP_VERSION}/chaosexperiments`;
export const objectPath = (o: { metadata: { namespace: string; name: string } }) =>
  `/apis/${GROUP_VERSION}/namespaces/${o.metadata.namespace}/chaosexperiments/${o.metadata.name}`;
export const keyOf = (o: { metadata: { namespace: string; name: string } }) => `${o.metadata.namespace}/${o.metadata.name}`;

/**
 * The object as an experiment, or every error with its field path (the API server already checked
 * the CRD's schema; this is the same validation as `operator-chaos validate` and `run`).
 */
export function asExperiment(object: ExperimentObject): { experiment: ChaosExperiment } | { errors: string[] } {
  const { status: _status, ...document } = object;
  const checked = validateExperimentValue(document, { mode: "run" });
  if (checked.experiment) return { experiment: checked.experiment };
  const errors = checked.issues.filter((i) => i.severity === "error").map((i) => `${formatPath(i.path) || "(document)"}: ${i.message}`
    + `${i.expected ? ` (expected ${i.expected}${i.got ? `, got ${i.got}` : ""})` : ""}`);
  return { errors };
}

export class ExperimentClient {
  constructor(private readonly rest: KubeRest) {}

  /** Adds the finalizer (a no-op when present); returns the object as the server has it. */
  async addFinalizer(object: ExperimentObject, signal?: AbortSignal): Promise<ExperimentObject> {
    const ops = addFinalizerPatch(object.metadata.finalizers);
    if (ops.length === 0) return object;
    return this.rest.jsonPatch<ExperimentObject>(objectPath(object), [{ op: "test", path: "/metadata/uid", value: object.metadata.uid }, ...ops], { signal });
  }

  async removeFinalizer(object: ExperimentObject): Promise<void> {
    // Re-read: the cached copy's finalizer list may be stale by now.
    const fresh = await this.rest.get<ExperimentObject>(objectPath(object)).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!fresh || fresh.metadata.uid !== object.metadata.uid) return;
    const ops = removeFinalizerPatch(fresh.metadata.finalizers ?? []);
    if (ops.length > 0) await this.rest.jsonPatch(objectPath(fresh), ops);
  }

  /**
   * Replaces the status with `status` (keys absent in it are cleared: a merge patch with nulls for
   * every key the previous status had). Returns the new resourceVersion.
   */
  async writeStatus(object: ExperimentObject, previous: ExperimentStatus | undefined, status: ExperimentStatus): Promise<string | undefined> {
    const patch: Record<string, unknown> = { ...status };
    for (const key of Object.keys(previous ?? {})) if (!(key in status)) patch[key] = null;
    const written = await this.rest.mergePatch<ExperimentObject>(`${objectPath(object)}/status`, { status: patch });
    return written.metadata.resourceVersion;
  }
}
