// Upgrade simulation: experiments generated from a knowledge diff that ask "what breaks when the old
// operator's objects meet the new one": a renamed component's old pods killed, a namespace move
// partitioned, a webhook that appears or disappears flipped to the failure policy it will have, a new
// dependency's pods killed. The mapping, names and labels are the Go tool's (pkg/diff/simulate.go);
// unlike it, label selectors are sorted (stable output). Pure: documents in the experiment YAML shape.

import type { KnowledgeComponent, OperatorKnowledge } from "../experiment/knowledge.js";
import { ChangeType, type ComponentDiff, type UpgradeDiff } from "./knowledge-diff.js";

export const SIMULATION_LABEL = "chaos.operatorchaos.io/upgrade-simulation";

export interface SimulationExperiment {
  apiVersion: "chaos.operatorchaos.io/v1alpha1";
  kind: "ChaosExperiment";
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    target: { operator: string; component: string };
    steadyState?: KnowledgeComponent["steadyState"];
    injection: { type: string; parameters: Record<string, string>; ttl?: string; dangerLevel?: string };
    hypothesis: { description: string };
    blastRadius: { maxPodsAffected: number; allowedNamespaces?: string[]; allowDangerous?: boolean };
  };
}

/** Lower case, `.`, `_` and spaces to `-`, at most 30 characters (the Go tool's rule). */
export function sanitizeName(name: string): string {
  return name.toLowerCase().replace(/[._ ]/g, "-").slice(0, 30);
}

/** The first labelled Deployment's labels as a selector `k=v,k=v`, keys sorted; "" when there is none. */
export function primaryDeploymentSelector(component: KnowledgeComponent | undefined): string {
  const deployment = component?.managedResources.find((resource) => resource.kind === "Deployment" && Object.keys(resource.labels ?? {}).length > 0);
  if (!deployment?.labels) return "";
  return Object.keys(deployment.labels).sort().map((key) => `${key}=${deployment.labels?.[key]}`).join(",");
}

function components(models: readonly OperatorKnowledge[]): Map<string, KnowledgeComponent[]> {
  const byOperator = new Map<string, KnowledgeComponent[]>();
  for (const model of models) byOperator.set(model.operator.name, [...(byOperator.get(model.operator.name) ?? []), ...model.components]);
  return byOperator;
}

export function generateUpgradeExperiments(diff: UpgradeDiff, source: readonly OperatorKnowledge[], target: readonly OperatorKnowledge[]): SimulationExperiment[] {
  const before = components(source);
  const after = components(target);
  const find = (map: Map<string, KnowledgeComponent[]>, operator: string, name: string | undefined) => (name === undefined ? undefined : map.get(operator)?.find((component) => component.name === name));
  const experiments: SimulationExperiment[] = [];
  const base = (name: string, change: ComponentDiff, injection: SimulationExperiment["spec"]["injection"], description: string): SimulationExperiment => ({
    apiVersion: "chaos.operatorchaos.io/v1alpha1",
    kind: "ChaosExperiment",
    metadata: {
      name: sanitizeName(name),
      labels: {
        [SIMULATION_LABEL]: "true",
        "chaos.operatorchaos.io/operator": change.operator,
        "chaos.operatorchaos.io/component": change.component,
        "chaos.operatorchaos.io/source-version": diff.sourceVersion,
        "chaos.operatorchaos.io/target-version": diff.targetVersion,
      },
    },
    spec: { target: { operator: change.operator, component: change.component }, injection, hypothesis: { description }, blastRadius: { maxPodsAffected: 1 } },
  });
  for (const change of diff.components) {
    if (change.changeType === ChangeType.Renamed) {
      const selector = primaryDeploymentSelector(find(before, change.operator, change.renamedFrom));
      const experiment = base(`rename-${sanitizeName(change.component)}`, change, { type: "PodKill", parameters: { labelSelector: selector }, ttl: "300s" }, `Component renamed from ${JSON.stringify(change.renamedFrom)} to ${JSON.stringify(change.component)} should recover after pod kill on old deployment`);
      const steadyState = find(after, change.operator, change.component)?.steadyState;
      if (steadyState && (steadyState.checks?.length ?? 0) > 0) experiment.spec.steadyState = steadyState;
      experiments.push(experiment);
    }
    if (change.namespaceChange) {
      const old = find(before, change.operator, change.component) ?? find(before, change.operator, change.renamedFrom);
      const { from, to } = change.namespaceChange;
      const experiment = base(`ns-move-${sanitizeName(change.component)}`, change, { type: "NetworkPartition", parameters: { labelSelector: primaryDeploymentSelector(old) }, ttl: "120s" }, `Component ${JSON.stringify(change.component)} namespace move from ${JSON.stringify(from)} to ${JSON.stringify(to)} should handle network partition`);
      experiment.spec.blastRadius.allowedNamespaces = [from, to];
      experiments.push(experiment);
    }
    for (const webhook of change.webhooks) {
      if (webhook.changeType !== ChangeType.Added && webhook.changeType !== ChangeType.Removed) continue;
      const added = webhook.changeType === ChangeType.Added;
      const experiment = base(
        `webhook-${sanitizeName(webhook.name)}`,
        change,
        { type: "WebhookDisrupt", parameters: { webhookName: webhook.name, action: "setFailurePolicy", value: added ? "Fail" : "Ignore" }, dangerLevel: "high" },
        `${added ? "Added" : "Removed"} webhook ${JSON.stringify(webhook.name)} should handle failure policy set to ${added ? "Fail" : "Ignore"}`,
      );
      experiment.spec.blastRadius.allowDangerous = true;
      experiments.push(experiment);
    }
    for (const dependency of change.dependencies) {
      if (dependency.changeType !== ChangeType.Added) continue;
      const selector = primaryDeploymentSelector(after.get(dependency.name)?.[0]);
      if (selector === "") continue;
      experiments.push(base(`dep-${sanitizeName(change.component)}-${sanitizeName(dependency.name)}`, change, { type: "PodKill", parameters: { labelSelector: selector }, ttl: "300s" }, `New dependency ${JSON.stringify(dependency.name)} pod kill should not break ${JSON.stringify(change.component)}`));
    }
  }
  // Names are unique: the second of a name gets -2, the third -3 (the Go tool's suite would overwrite files).
  const seen = new Map<string, number>();
  for (const experiment of experiments) {
    const count = (seen.get(experiment.metadata.name) ?? 0) + 1;
    seen.set(experiment.metadata.name, count);
    if (count > 1) experiment.metadata.name = `${experiment.metadata.name}-${count}`;
  }
  return experiments;
}
