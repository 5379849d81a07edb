// Operator knowledge models: what an operator manages (resources, webhooks, finalizers, dependencies)
// and how it recovers. Same loader and the same kind of checks as experiments: strict fields, all
// problems at once.

import { z } from "zod";
import { issue, type Issue } from "./diagnostic.js";
import { Duration } from "./duration.js";
import { WebhookType } from "./enums.js";
import { goDuration, SteadyStateSchema } from "./schema.js";
import { fieldIndex, normalizeNulls, translateZodIssue, withoutInvalidParts } from "./schema-issues.js";
import type { DeepPartial } from "./types.js";
import { steadyStateCheckIssues } from "../safety/rules.js";

const required = (description: string) => z.string().min(1).describe(description);

export const ManagedResourceSchema = z
  .strictObject({
    apiVersion: required("apiVersion of the object, e.g. apps/v1."),
    kind: required("Kind of the object."),
    name: required("Name of the object."),
    namespace: z.string().optional().describe("Namespace of the object; absent for cluster-scoped objects."),
    labels: z.record(z.string(), z.string()).optional().describe("Labels the operator sets on the object."),
    ownerRef: z.string().optional().describe("Kind of the owner the object must reference."),
    expectedSpec: z.record(z.string(), z.unknown()).optional().describe("Top-level spec fields and the values they must have."),
  })
  .describe("An object the component creates and keeps in shape.");

export const KnowledgeWebhookSchema = z.strictObject({
  name: required("Name of the webhook."),
  type: z.enum(WebhookType).describe("validating or mutating."),
  path: required("URL path the webhook serves."),
});

export const KnowledgeComponentSchema = z
  .strictObject({
    name: required("Name of the component (unique in the model)."),
    controller: required("The custom resource kind that owns the component, e.g. DataScienceCluster."),
    managedResources: z.array(ManagedResourceSchema).min(1).describe("Objects the component manages."),
    dependencies: z.array(z.string()).optional().describe("Components of this model, or other operators by name, that this one needs."),
    steadyState: SteadyStateSchema.optional(),
    webhooks: z.array(KnowledgeWebhookSchema).optional(),
    finalizers: z.array(z.string()).optional(),
  })
  .describe("One component of the operator.");

export const OperatorKnowledgeSchema = z
  .strictObject({
    operator: z.strictObject({
      name: required("Name of the operator (matches spec.target.operator of its experiments)."),
      namespace: required("Namespace the operator runs in."),
      repository: z.string().optional(),
      version: z.string().optional(),
      platform: z.string().optional(),
      olmChannel: z.string().optional(),
    }),
    components: z.array(KnowledgeComponentSchema).min(1),
    recovery: z.strictObject({
      reconcileTimeout: goDuration("How long a full reconcile may take."),
      maxReconcileCycles: z.int().min(1).describe("More reconcile cycles than this during recovery is a deviation."),
    }),
  })
  .meta({ title: "OperatorKnowledge", description: "What an operator manages and how it recovers." });

export type OperatorKnowledge = z.infer<typeof OperatorKnowledgeSchema>;
export type KnowledgeComponent = z.infer<typeof KnowledgeComponentSchema>;
export type ManagedResource = z.infer<typeof ManagedResourceSchema>;

const KNOWLEDGE_FIELDS = fieldIndex(OperatorKnowledgeSchema);

export interface KnowledgeValidation {
  readonly issues: Issue[];
  /** The model, when it has no error. */
  readonly knowledge?: OperatorKnowledge;
}

/** Validates a parsed knowledge document; `mode: "run"` turns the run-time check rules into errors. */
export function validateKnowledgeValue(value: unknown, options: { mode?: "validate" | "run" } = {}): KnowledgeValidation {
  const normalized = normalizeNulls(value, OperatorKnowledgeSchema);
  const issues: Issue[] = [];
  const parsed = OperatorKnowledgeSchema.safeParse(normalized);
  if (!parsed.success) {
    for (const zodIssue of parsed.error.issues) {
      const isCheckType = zodIssue.path.length === 6 && zodIssue.path[2] === "steadyState" && zodIssue.path[5] === "type";
      if (isCheckType) continue; // reported by the steady-state check rule below
      issues.push(...translateZodIssue(zodIssue, normalized, OperatorKnowledgeSchema, KNOWLEDGE_FIELDS));
    }
  }
  const view = withoutInvalidParts(normalized, issues) as DeepPartial<OperatorKnowledge>;
  issues.push(...knowledgeRuleIssues(view, options.mode ?? "validate"));
  const hasError = issues.some((found) => found.severity === "error");
  return hasError ? { issues } : { issues, knowledge: normalized as OperatorKnowledge };
}

/** The rules beyond the shape: unique names, no self-dependency, positive recovery settings, usable checks. */
export function knowledgeRuleIssues(model: DeepPartial<OperatorKnowledge>, mode: "validate" | "run"): Issue[] {
  const issues: Issue[] = [];
  const timeout = model.recovery?.reconcileTimeout;
  if (timeout !== undefined) {
    const parsed = Duration.tryParse(timeout);
    if (parsed.ok && parsed.value.compare(Duration.ZERO) <= 0) {
      issues.push(issue(["recovery", "reconcileTimeout"], "knowledge.reconcile-timeout", "must be greater than zero", { got: timeout }));
    }
  }
  const componentNames = new Map<string, number>();
  for (const [index, component] of (model.components ?? []).entries()) {
    if (component === undefined) continue;
    const name = component.name;
    if (name !== undefined) {
      const first = componentNames.get(name);
      if (first !== undefined) {
        issues.push(issue(["components", index, "name"], "knowledge.duplicate-component", `component ${JSON.stringify(name)} is already defined by components[${first}]`));
      } else {
        componentNames.set(name, index);
      }
    }
    const resources = new Map<string, number>();
    for (const [resourceIndex, resource] of (component.managedResources ?? []).entries()) {
      if (resource?.kind === undefined || resource.name === undefined) continue;
      const key = `${resource.kind}/${resource.namespace ?? ""}/${resource.name}`;
      const first = resources.get(key);
      if (first !== undefined) {
        issues.push(
          issue(["components", index, "managedResources", resourceIndex], "knowledge.duplicate-resource", `${resource.kind} ${JSON.stringify(resource.name)} is already listed as managedResources[${first}]`),
        );
      } else {
        resources.set(key, resourceIndex);
      }
    }
    for (const [dependencyIndex, dependency] of (component.dependencies ?? []).entries()) {
      if (dependency !== undefined && dependency === name) {
        issues.push(issue(["components", index, "dependencies", dependencyIndex], "knowledge.self-dependency", "a component cannot depend on itself"));
      }
    }
    const checkIssues = steadyStateCheckIssues(component.steadyState?.checks, ["components", index, "steadyState", "checks"]);
    for (const found of checkIssues) {
      issues.push(mode === "run" ? found : { ...found, severity: "warning", message: `${found.message}; a run would refuse it` });
    }
  }
  return issues;
}
