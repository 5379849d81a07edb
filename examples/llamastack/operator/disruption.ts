// Only with the PDBBlock break switch (LLAMASTACK_IGNORE_DISRUPTION_BUDGET): a "drain hand-off"
// that will not let a disruption budget hold its own pod. It watches the budgets of its namespace
// and, when one leaves its pod no allowed disruption, deletes the pod itself, which is what
// a drain that falls back from eviction to delete does. The replacement pod does the same as long
// as the budget holds. The operator as shipped never watches budgets and leaves evictions to the API.
import { isNotFound, type KubeClient } from "./kube.js";
import type { Informer, KubeObject } from "./informer.js";
import type { Logger } from "./log.js";

interface Budget extends KubeObject {
  metadata: KubeObject["metadata"] & { generation?: number };
  spec?: { selector?: { matchLabels?: Record<string, string> } };
  status?: { observedGeneration?: number; disruptionsAllowed?: number };
}

export interface DisruptionContext {
  client: Pick<KubeClient, "request">;
  log: Logger;
  namespace: string;
  podName: string;
  budgets: Pick<Informer, "cache">;
}

/** A budget the disruption controller has processed that selects these labels and allows no disruption. */
export function blocksPod(budget: Budget, podLabels: Record<string, string>): boolean {
  const matchLabels = budget.spec?.selector?.matchLabels;
  if (!matchLabels || Object.keys(matchLabels).length === 0) return false;
  const processed = (budget.status?.observedGeneration ?? -1) >= (budget.metadata?.generation ?? 1);
  return processed && budget.status?.disruptionsAllowed === 0 && Object.entries(matchLabels).every(([key, value]) => podLabels[key] === value);
}

export class DisruptionBudgetReconciler {
  readonly key = "own-pod";
  private podLabels: Record<string, string> | undefined;
  private deleted = false;

  constructor(private readonly context: DisruptionContext) {}

  readonly reconcile = async (): Promise<void> => {
    const { client, log, namespace, podName, budgets } = this.context;
    if (this.deleted) return;
    const podPath = `/api/v1/namespaces/${namespace}/pods/${podName}`;
    this.podLabels ??= (await client.request<KubeObject>("GET", podPath)).metadata?.labels ?? {};
    const blocking = [...budgets.cache.values()].find((budget) => blocksPod(budget as Budget, this.podLabels!));
    if (!blocking) return;
    log.warn("a disruption budget blocks evicting my pod; deleting it instead (LLAMASTACK_IGNORE_DISRUPTION_BUDGET=true)", {
      budget: `${namespace}/${blocking.metadata?.name}`, pod: podName,
    });
    try {
      await client.request("DELETE", podPath);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    this.deleted = true;
  };
}
