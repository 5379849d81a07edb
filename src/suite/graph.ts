// The dependency graph of the loaded knowledge models, as the Go tool builds it: a component's
// dependency is a component of the same model (by name) or another operator (by operator.name, which
// makes every component of that operator a dependency). Edges point from the dependency to the
// dependent. Unresolved names are warnings. Pure.

import type { OperatorKnowledge } from "../experiment/knowledge.js";
import type { SteadyStateCheck } from "../experiment/types.js";

export interface ComponentNode {
  readonly operator: string;
  readonly component: string;
  /** The operator's namespace: where the component's checks run when they name none. */
  readonly namespace: string;
  readonly checks: readonly SteadyStateCheck[];
}

export interface DependencyGraph {
  /** Components that depend directly on this one. */
  dependentsOf(operator: string, component: string): ComponentNode[];
  /** Components this one depends on directly. */
  dependenciesOf(operator: string, component: string): ComponentNode[];
  readonly warnings: readonly string[];
}

const keyOf = (operator: string, component: string) => `${operator}/${component}`;

export function dependencyGraph(models: readonly OperatorKnowledge[]): DependencyGraph {
  const nodes = new Map<string, ComponentNode>();
  for (const model of models) {
    for (const component of model.components) {
      nodes.set(keyOf(model.operator.name, component.name), {
        operator: model.operator.name, component: component.name, namespace: model.operator.namespace,
        checks: component.steadyState?.checks ?? [],
      });
    }
  }
  const dependents = new Map<string, Set<string>>();
  const dependencies = new Map<string, Set<string>>();
  const warnings: string[] = [];
  const edge = (from: string, to: string) => {
    if (from === to) return;
    dependents.set(from, (dependents.get(from) ?? new Set()).add(to));
    dependencies.set(to, (dependencies.get(to) ?? new Set()).add(from));
  };
  for (const model of models) {
    for (const component of model.components) {
      const dependent = keyOf(model.operator.name, component.name);
      for (const name of component.dependencies ?? []) {
        if (model.components.some((c) => c.name === name)) {
          edge(keyOf(model.operator.name, name), dependent);
          continue;
        }
        const operators = models.filter((other) => other.operator.name === name);
        if (operators.length === 0) {
          warnings.push(`${model.operator.name}/${component.name}: dependency ${JSON.stringify(name)} is neither a component of ${model.operator.name} nor a loaded operator`);
          continue;
        }
        for (const other of operators) for (const c of other.components) edge(keyOf(other.operator.name, c.name), dependent);
      }
    }
  }
  const lookup = (map: Map<string, Set<string>>, operator: string, component: string) =>
    [...(map.get(keyOf(operator, component)) ?? [])].map((key) => nodes.get(key)!).filter(Boolean);
  return {
    dependentsOf: (operator, component) => lookup(dependents, operator, component),
    dependenciesOf: (operator, component) => lookup(dependencies, operator, component),
    warnings,
  };
}
