// Label and annotation keys on the cluster. The first block is shared with the Go tool (so each
// tool's `clean` finds the other's leftovers); the journal keys are ours.
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "operator-chaos";
export const TYPE_LABEL = "chaos.operatorchaos.io/type";
export const ROLLBACK_ANNOTATION = "chaos.operatorchaos.io/rollback-data";
export const EXPIRES_ANNOTATION = "chaos.operatorchaos.io/expires";
export const EXPERIMENT_LABEL = "chaos.operatorchaos.io/experiment";
export const VERDICT_LABEL = "chaos.operatorchaos.io/verdict";
export const TIMESTAMP_ANNOTATION = "chaos.operatorchaos.io/timestamp";

export const JOURNAL_LABEL = "chaos.operatorchaos.io/journal";
export const OPERATOR_LABEL = "chaos.operatorchaos.io/operator";
export const RUN_LABEL = "chaos.operatorchaos.io/run";
export const JOURNAL_DATA_KEY = "record.json";

export const managedBySelector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
export const journalSelector = `${managedBySelector},${JOURNAL_LABEL}=record`;

/** Label values are at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}
