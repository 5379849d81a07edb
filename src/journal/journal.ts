import { randomBytes } from "node:crypto";
import { CrashPoint, crashPoint } from "../engine/crash-points.js";
import type { ObjectReference } from "../faults/driver.js";
import { KubeApiError, isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";
import {
  EXPIRES_ANNOTATION, JOURNAL_DATA_KEY, JOURNAL_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, OPERATOR_LABEL,
  RUN_LABEL, TYPE_LABEL, journalSelector, labelValue,
} from "./labels.js";

/**
 * One write-ahead record: everything needed to undo one mutation, stored on the cluster BEFORE
 * the mutation is made, and removed only after the revert is confirmed. A record holding secret
 * material is stored as a Secret; every other record as a ConfigMap.
 */
export interface JournalRecord<Data = unknown> {
  /** Name of the ConfigMap or Secret holding the record. */
  id: string;
  namespace: string;
  storedAs: "ConfigMap" | "Secret";
  runId: string;
  experiment: string;
  operator: string;
  faultType: string;
  target: ObjectReference;
  data: Data;
  createdAt: string;
  /** The injection's TTL: past it, any `clean` or run start reverts the record. */
  expiresAt?: string;
  /** The run's lock; while that Lease is live the run is, and its records are its own. */
  lock?: { namespace: string; name: string; holder: string };
}

export interface JournalOwner {
  runId: string;
  experiment: string;
  operator: string;
  lock?: JournalRecord["lock"];
}

export const newRunId = () => randomBytes(4).toString("hex");

const collection = (kind: "ConfigMap" | "Secret", namespace: string) =>
  `/api/v1/namespaces/${namespace}/${kind === "Secret" ? "secrets" : "configmaps"}`;

/**
 * The journal of one run, in one namespace. It keeps its own list of the records this run wrote and
 * has not closed yet, so whatever way a run ends (a fault's inject that throws after its write
 * included) it reverts every one of them.
 */
export class Journal {
  private sequence = 0;
  private readonly open = new Map<string, JournalRecord>();

  constructor(
    private readonly rest: KubeRest,
    readonly namespace: string,
    readonly owner: JournalOwner,
  ) {}

  /** Stores a record on the cluster; call this before the mutation it describes. */
  async write<Data>(
    faultType: string,
    target: ObjectReference,
    data: Data,
    options: { sensitive?: boolean; ttlMs?: number; now?: Date } = {},
  ): Promise<JournalRecord<Data>> {
    this.sequence += 1;
    const now = options.now ?? new Date();
    const record: JournalRecord<Data> = {
      id: `operator-chaos-journal-${this.owner.runId}-${this.sequence}`,
      namespace: this.namespace,
      storedAs: options.sensitive ? "Secret" : "ConfigMap",
      runId: this.owner.runId,
      experiment: this.owner.experiment,
      operator: this.owner.operator,
      faultType,
      target,
      data,
      createdAt: now.toISOString(),
      ...(options.ttlMs ? { expiresAt: new Date(now.getTime() + options.ttlMs).toISOString() } : {}),
      ...(this.owner.lock ? { lock: this.owner.lock } : {}),
    };
    const json = JSON.stringify(record);
    const body = {
      apiVersion: "v1",
      kind: record.storedAs,
      metadata: {
        name: record.id,
        namespace: this.namespace,
        labels: {
          [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
          [JOURNAL_LABEL]: "record",
          [TYPE_LABEL]: labelValue(faultType),
          [OPERATOR_LABEL]: labelValue(this.owner.operator),
          [RUN_LABEL]: this.owner.runId,
        },
        annotations: record.expiresAt ? { [EXPIRES_ANNOTATION]: record.expiresAt } : {},
      },
      ...(record.storedAs === "Secret"
        ? { type: "Opaque", data: { [JOURNAL_DATA_KEY]: Buffer.from(json).toString("base64") } }
        : { data: { [JOURNAL_DATA_KEY]: json } }),
    };
    // Listed before the request: a create whose answer is lost (timeout, 5xx) may have been stored.
    this.open.set(record.id, record);
    try {
      await this.rest.create(collection(record.storedAs, this.namespace), body);
    } catch (error) {
      // A definite refusal (403, 409, 422 …) stored nothing, and the fault makes no change without it.
      if (error instanceof KubeApiError && error.status < 500 && error.status !== 429) this.open.delete(record.id);
      throw error;
    }
    crashPoint(CrashPoint.JournalWritten);
    return record;
  }

  /** The records this run wrote and has not closed, in the order they were written. */
  openRecords(): readonly JournalRecord[] {
    return [...this.open.values()];
  }

  /** Removes a record whose revert is done, from the cluster and from the list. */
  async close(record: Pick<JournalRecord, "id" | "namespace" | "storedAs">): Promise<void> {
    await removeRecord(this.rest, record);
    this.open.delete(record.id);
  }
}

/** The API path of the object holding a record. */
export function recordPath(record: Pick<JournalRecord, "id" | "namespace" | "storedAs">): string {
  return `${collection(record.storedAs, record.namespace)}/${record.id}`;
}

/** Removes a record once its revert is confirmed (a record already gone is fine). */
export async function removeRecord(rest: KubeRest, record: Pick<JournalRecord, "id" | "namespace" | "storedAs">): Promise<void> {
  try {
    await rest.delete(`${collection(record.storedAs, record.namespace)}/${record.id}`);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

interface StoredObject {
  metadata: { name: string; namespace: string };
  data?: Record<string, string>;
}

/** Parses a stored record; undefined when the object is not a readable record. */
export function parseRecord(object: StoredObject, storedAs: "ConfigMap" | "Secret"): JournalRecord | undefined {
  const raw = object.data?.[JOURNAL_DATA_KEY];
  if (!raw) return undefined;
  try {
    const json = storedAs === "Secret" ? Buffer.from(raw, "base64").toString("utf8") : raw;
    const record = JSON.parse(json) as JournalRecord;
    return { ...record, id: object.metadata.name, namespace: object.metadata.namespace, storedAs };
  } catch {
    return undefined;
  }
}

/** Every record in a namespace (or all namespaces), oldest first. */
export async function listRecords(rest: KubeRest, namespace: string | undefined): Promise<JournalRecord[]> {
  const records: JournalRecord[] = [];
  for (const kind of ["ConfigMap", "Secret"] as const) {
    const path = namespace ? collection(kind, namespace) : `/api/v1/${kind === "Secret" ? "secrets" : "configmaps"}`;
    const list = await rest.get<{ items: StoredObject[] }>(path, { query: { labelSelector: journalSelector } });
    for (const item of list.items) {
      const record = parseRecord(item, kind);
      if (record) records.push(record);
    }
  }
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
