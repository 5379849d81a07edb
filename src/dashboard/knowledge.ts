// The knowledge page: each knowledge model's components and what they manage, with the dependencies
// between components, coloured by the latest verdict of the experiments that targeted them.

import type { OperatorKnowledge } from "../experiment/knowledge.js";
import type { History } from "./history.js";

export interface KnowledgeResource {
  kind: string;
  name: string;
  namespace: string;
  /** Latest verdict of a report whose target.resource is this object; else null. */
  latest: string | null;
}

export interface KnowledgeNode {
  name: string;
  dependencies: string[];
  /** Latest verdict of any report of this operator and component; null when none. */
  latest: string | null;
  runs: number;
  resources: KnowledgeResource[];
}

export interface KnowledgeGraph {
  operator: string;
  namespace: string;
  components: KnowledgeNode[];
}

export function knowledgeGraphs(models: readonly OperatorKnowledge[], history: History): KnowledgeGraph[] {
  return models.map((model) => ({
    operator: model.operator.name,
    namespace: model.operator.namespace,
    components: model.components.map((component) => {
      const row = history.one(
        "SELECT COUNT(*) AS n, (SELECT verdict FROM reports r2 WHERE r2.operator = ? AND r2.component = ? ORDER BY timestamp DESC, id DESC LIMIT 1) AS latest FROM reports WHERE operator = ? AND component = ?",
        [model.operator.name, component.name, model.operator.name, component.name],
      );
      return {
        name: component.name,
        dependencies: component.dependencies ?? [],
        latest: row?.latest == null ? null : String(row.latest),
        runs: Number(row?.n ?? 0),
        resources: component.managedResources.map((resource) => {
          const hit = history.one(
            "SELECT r.verdict FROM reports r JOIN report_bodies b ON b.id = r.id WHERE r.operator = ? AND json_extract(b.json, '$.target.resource') IN (?, ?) ORDER BY r.timestamp DESC, r.id DESC LIMIT 1",
            [model.operator.name, `${resource.kind}/${resource.name}`, resource.name],
          );
          return { kind: resource.kind, name: resource.name, namespace: resource.namespace ?? "", latest: hit === undefined ? null : String(hit.verdict) };
        }),
      };
    }),
  }));
}
