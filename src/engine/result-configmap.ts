import { isConflict, type KubeRest } from "../kube/rest.js";
import { EXPERIMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TIMESTAMP_ANNOTATION, VERDICT_LABEL, labelValue } from "../journal/labels.js";
import type { ExperimentReport } from "../report/model.js";

/** `chaos-result-<experiment>-<UTC yyyymmdd-hhmmss>`, at most 253 characters, as the Go tool names it. */
export function resultConfigMapName(experiment: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `chaos-result-${experiment}-${stamp}`.slice(0, 253).replace(/[-._]+$/, "");
}

/** Stores the report the way the Go tool does, so its consumers find our results too. */
export async function storeResultConfigMap(rest: KubeRest, namespace: string, report: ExperimentReport): Promise<void> {
  const at = new Date();
  const name = resultConfigMapName(report.experiment, at);
  const body = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [EXPERIMENT_LABEL]: labelValue(report.experiment),
        [VERDICT_LABEL]: report.evaluation.verdict.toLowerCase(),
      },
      annotations: { [TIMESTAMP_ANNOTATION]: at.toISOString().replace(/\.\d{3}Z$/, "Z") },
    },
    data: { "result.json": JSON.stringify(report, null, 2) },
  };
  try {
    await rest.create(`/api/v1/namespaces/${namespace}/configmaps`, body);
  } catch (error) {
    if (!isConflict(error)) throw error;
    await rest.replace(`/api/v1/namespaces/${namespace}/configmaps/${name}`, body);
  }
}
