// `preflight --knowledge`, the part without a cluster: the Go tool's cross-reference check (every
// steady-state check of a component names one of its managed resources) and the model's counts. Pure.

import type { OperatorKnowledge } from "../experiment/knowledge.js";

export interface KnowledgeSummary {
  readonly operator: string;
  readonly namespace: string;
  readonly components: number;
  readonly resources: number;
  readonly webhooks: number;
  readonly finalizers: number;
}

export function crossReferenceProblems(model: OperatorKnowledge): string[] {
  const problems: string[] = [];
  model.components.forEach((component, index) => {
    const names = new Set(component.managedResources.map((resource) => resource.name).filter((name) => name !== ""));
    (component.steadyState?.checks ?? []).forEach((check, checkIndex) => {
      if (check.name && !names.has(check.name)) {
        problems.push(`${model.operator.name}: components[${index}].steadyState.checks[${checkIndex}]: references resource "${check.name}" not declared in managedResources`);
      }
    });
  });
  return problems;
}

export function summarize(model: OperatorKnowledge): KnowledgeSummary {
  const sum = (count: (c: OperatorKnowledge["components"][number]) => number) => model.components.reduce((total, c) => total + count(c), 0);
  return {
    operator: model.operator.name,
    namespace: model.operator.namespace,
    components: model.components.length,
    resources: sum((c) => c.managedResources.length),
    webhooks: sum((c) => c.webhooks?.length ?? 0),
    finalizers: sum((c) => c.finalizers?.length ?? 0),
  };
}

/** What one row of the cluster table is about. */
export const CheckSubject = { Resource: "resource", Webhook: "webhook", Finalizer: "finalizer", Permission: "permission" } as const;
export type CheckSubject = (typeof CheckSubject)[keyof typeof CheckSubject];

export const CheckStatus = { Found: "Found", Missing: "Missing", Degraded: "Degraded", Error: "Error", Listed: "Listed", Allowed: "Allowed", Denied: "Denied" } as const;
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

export interface PreflightRow {
  readonly subject: CheckSubject;
  readonly operator: string;
  readonly component: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly status: CheckStatus;
  readonly reason?: string;
}

/** Missing, unreadable or forbidden is a failure; Degraded is a warning, as in the Go tool. */
export function preflightFailed(rows: readonly PreflightRow[]): boolean {
  return rows.some((row) => row.status === CheckStatus.Missing || row.status === CheckStatus.Error || row.status === CheckStatus.Denied);
}

export function formatTable(rows: readonly PreflightRow[]): string {
  const header = ["CHECK", "COMPONENT", "KIND", "NAME", "STATUS", "REASON"];
  const cells = rows.map((row) => [
    row.subject, row.component, row.kind, row.namespace ? `${row.namespace}/${row.name}` : row.name, row.status, row.reason ?? "",
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: readonly string[]) => values.map((value, column) => value.padEnd(widths[column]!)).join("  ").trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}
