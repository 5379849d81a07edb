// The safety rules a run enforces before touching anything: forbidden namespaces, cluster-scoped
// faults, danger level, blast radius, time limits and well-formed steady-state checks. Pure
// predicates over an experiment (possibly incomplete), returning issues; no I/O. `validate` reports
// them ahead of time (as warnings where the Go tool's `validate` accepts the file); the run engine
// treats every one as an error.

import { describeValue, issue, type Issue, type IssuePath } from "../experiment/diagnostic.js";
import { Duration } from "../experiment/duration.js";
import { CHECK_TYPES, CheckType, Limits } from "../experiment/enums.js";
import { closestMatch } from "../experiment/suggest.js";
import { declaredDangerLevel, resolveCount, type DeepPartial, type PartialExperiment, type SteadyStateCheck } from "../experiment/types.js";
import type { FaultScope } from "../faults/driver.js";

/** Never a target, whatever the experiment says. */
export const FORBIDDEN_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "default"] as const;
/** A target only with blastRadius.allowDangerous: true. */
export const DANGEROUS_NAMESPACE_PREFIXES = ["openshift-"] as const;

export const MAX_RECOVERY_TIMEOUT = Duration.parse(Limits.maxRecoveryTimeout);
export const MAX_INJECTION_TTL = Duration.parse(Limits.maxInjectionTtl);

const FALLBACK_NAMESPACE = "default";

export interface ResolvedNamespace {
  readonly namespace: string;
  /** Where it came from; undefined when nothing named a namespace and the fallback applied. */
  readonly path: IssuePath | undefined;
}

/**
 * The namespace a namespaced fault acts in, chosen as the Go tool does: the only allowedNamespaces
 * entry; else the first steady-state check that names a namespace; else metadata.namespace; else "default".
 */
export function resolveTargetNamespace(experiment: PartialExperiment): ResolvedNamespace {
  const allowed = experiment.spec?.blastRadius?.allowedNamespaces ?? [];
  if (allowed.length === 1 && typeof allowed[0] === "string") {
    return { namespace: allowed[0], path: ["spec", "blastRadius", "allowedNamespaces", 0] };
  }
  const checks = experiment.spec?.steadyState?.checks ?? [];
  for (const [index, check] of checks.entries()) {
    if (check?.namespace) return { namespace: check.namespace, path: ["spec", "steadyState", "checks", index, "namespace"] };
  }
  const metadataNamespace = experiment.metadata?.namespace;
  if (metadataNamespace) return { namespace: metadataNamespace, path: ["metadata", "namespace"] };
  return { namespace: FALLBACK_NAMESPACE, path: undefined };
}

/** The name blastRadius.forbiddenResources is compared with: target.resource, or <component>/<experiment name>. */
export function targetResourceKey(experiment: PartialExperiment): string {
  const resource = experiment.spec?.target?.resource;
  if (resource) return resource;
  return `${experiment.spec?.target?.component ?? ""}/${experiment.metadata?.name ?? ""}`;
}

/** Why `namespace` may not be targeted, or undefined when it may. */
export function namespaceProblem(namespace: string, allowDangerous: boolean): { message: string; expected: string } | undefined {
  if ((FORBIDDEN_NAMESPACES as readonly string[]).includes(namespace)) {
    return {
      message: `namespace ${JSON.stringify(namespace)} is never a valid target`,
      expected: `a namespace other than ${FORBIDDEN_NAMESPACES.join(", ")}`,
    };
  }
  const prefix = DANGEROUS_NAMESPACE_PREFIXES.find((candidate) => namespace.startsWith(candidate));
  if (prefix !== undefined && !allowDangerous) {
    return {
      message: `namespace ${JSON.stringify(namespace)} starts with ${JSON.stringify(prefix)} and needs blastRadius.allowDangerous: true`,
      expected: "allowDangerous: true, or another namespace",
    };
  }
  return undefined;
}

/** Rule: no forbidden namespace in allowedNamespaces, check namespaces or the resolved namespace. */
export function forbiddenNamespaceIssues(experiment: PartialExperiment): Issue[] {
  const issues: Issue[] = [];
  const allowDangerous = experiment.spec?.blastRadius?.allowDangerous === true;
  const report = (namespace: string, path: IssuePath, context: string): void => {
    const problem = namespaceProblem(namespace, allowDangerous);
    if (problem !== undefined) {
      issues.push(issue(path, "safety.forbidden-namespace", `${context}${problem.message}`, { expected: problem.expected }));
    }
  };
  for (const [index, namespace] of (experiment.spec?.blastRadius?.allowedNamespaces ?? []).entries()) {
    if (typeof namespace === "string") report(namespace, ["spec", "blastRadius", "allowedNamespaces", index], "");
  }
  for (const [index, check] of (experiment.spec?.steadyState?.checks ?? []).entries()) {
    if (check?.namespace) report(check.namespace, ["spec", "steadyState", "checks", index, "namespace"], "");
  }
  // The lists above already cover namespaces that came from them.
  const resolved = resolveTargetNamespace(experiment);
  if (resolved.path === undefined) {
    report(
      resolved.namespace,
      ["metadata", "namespace"],
      "no allowedNamespaces entry, check namespace or metadata.namespace is given, so the experiment falls back to the default namespace; ",
    );
  } else if (resolved.path[0] === "metadata") {
    report(resolved.namespace, resolved.path, "");
  }
  return issues;
}

const REQUIRED_CHECK_FIELDS: Readonly<Record<CheckType, readonly (keyof SteadyStateCheck)[]>> = {
  conditionTrue: ["apiVersion", "kind", "name", "conditionType"],
  resourceExists: ["apiVersion", "kind", "name"],
  fieldEquals: ["apiVersion", "kind", "name", "fieldPath", "expectedValue"],
};

/** Rule: every steady-state check has a known type and the fields that type needs. */
export function steadyStateCheckIssues(
  checks: readonly (DeepPartial<SteadyStateCheck> | undefined)[] | undefined,
  basePath: IssuePath,
): Issue[] {
  const issues: Issue[] = [];
  for (const [index, check] of (checks ?? []).entries()) {
    if (check === undefined) continue;
    const path = [...basePath, index];
    // Not trusted to be a string: the rules also run on documents the schema rejected.
    const type: unknown = check.type;
    if (type === undefined || type === "") {
      issues.push(
        issue([...path, "type"], "safety.check-type", "a steady-state check needs a type", {
          expected: `one of ${CHECK_TYPES.join(", ")}`,
          got: describeValue(type),
        }),
      );
      continue;
    }
    if (typeof type !== "string" || !(CHECK_TYPES as readonly string[]).includes(type)) {
      const suggestion = typeof type === "string" ? closestMatch(type, CHECK_TYPES) : undefined;
      issues.push(
        issue([...path, "type"], "safety.check-type", `unknown steady-state check type${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ""}`, {
          expected: `one of ${CHECK_TYPES.join(", ")}`,
          got: typeof type === "string" ? JSON.stringify(type) : describeValue(type),
        }),
      );
      continue;
    }
    for (const field of REQUIRED_CHECK_FIELDS[type as CheckType]) {
      if (!check[field]) {
        issues.push(issue([...path, field], "safety.check-field", `a ${type} check needs ${field}`, { got: describeValue(check[field]) }));
      }
    }
  }
  return issues;
}

/** Rule: recoveryTimeout and ttl are not negative and at most 1h. */
export function durationLimitIssues(experiment: PartialExperiment): Issue[] {
  const issues: Issue[] = [];
  const limits: [IssuePath, string | undefined, Duration][] = [
    [["spec", "hypothesis", "recoveryTimeout"], experiment.spec?.hypothesis?.recoveryTimeout, MAX_RECOVERY_TIMEOUT],
    [["spec", "injection", "ttl"], experiment.spec?.injection?.ttl, MAX_INJECTION_TTL],
  ];
  for (const [path, text, maximum] of limits) {
    if (text === undefined) continue;
    const parsed = Duration.tryParse(text);
    if (!parsed.ok) continue; // the format check reports it
    if (parsed.value.isNegative()) {
      issues.push(issue(path, "safety.duration-limit", "must not be negative", { expected: `0s to ${maximum}`, got: text }));
    } else if (parsed.value.compare(maximum) > 0) {
      issues.push(issue(path, "safety.duration-limit", `exceeds the maximum of ${maximum}`, { expected: `at most ${maximum}`, got: text }));
    }
  }
  return issues;
}

/**
 * Rule: a cluster-scoped fault needs dangerLevel: high and no allowedNamespaces (the namespace list
 * cannot contain it); a namespaced fault needs at least one allowed namespace.
 */
export function scopeIssues(experiment: PartialExperiment, scope: FaultScope): Issue[] {
  const issues: Issue[] = [];
  const type = experiment.spec?.injection?.type ?? "fault";
  const allowed = experiment.spec?.blastRadius?.allowedNamespaces ?? [];
  if (scope === "cluster") {
    const level = declaredDangerLevel(experiment);
    if (level !== "high") {
      issues.push(
        issue(["spec", "injection", "dangerLevel"], "danger.requires-high", `a cluster-scoped ${type} requires dangerLevel: high`, {
          expected: "high",
          got: level === undefined ? "nothing" : JSON.stringify(level),
        }),
      );
    }
    if (allowed.length > 0) {
      issues.push(
        issue(["spec", "blastRadius", "allowedNamespaces"], "safety.cluster-scope", `a cluster-scoped ${type} must not list allowedNamespaces`, {
          expected: "no allowedNamespaces",
          got: `${allowed.length} namespace${allowed.length === 1 ? "" : "s"}`,
        }),
      );
    }
  } else if (allowed.length === 0) {
    issues.push(
      issue(["spec", "blastRadius", "allowedNamespaces"], "safety.allowed-namespaces", `a namespaced ${type} needs blastRadius.allowedNamespaces`, {
        expected: "at least one namespace",
      }),
    );
  }
  return issues;
}

/**
 * Rule (namespaced faults): count within maxPodsAffected, the target namespace in allowedNamespaces,
 * the target resource not in forbiddenResources.
 */
export function blastRadiusIssues(experiment: PartialExperiment, scope: FaultScope): Issue[] {
  if (scope !== "namespaced") return [];
  const issues: Issue[] = [];
  const blastRadius = experiment.spec?.blastRadius;
  const count = resolveCount(experiment);
  const maximum = blastRadius?.maxPodsAffected;
  if (maximum !== undefined && maximum > 0 && count > maximum) {
    issues.push(
      issue(["spec", "injection", "count"], "blast-radius.count", "injection.count exceeds blastRadius.maxPodsAffected", {
        expected: `at most ${maximum}`,
        got: String(count),
      }),
    );
  }
  const allowed = blastRadius?.allowedNamespaces ?? [];
  if (allowed.length > 0) {
    const resolved = resolveTargetNamespace(experiment);
    if (!allowed.includes(resolved.namespace)) {
      issues.push(
        issue(
          resolved.path ?? ["metadata", "namespace"],
          "blast-radius.namespace",
          `the experiment's namespace ${JSON.stringify(resolved.namespace)} is not in blastRadius.allowedNamespaces`,
          { expected: `one of ${allowed.join(", ")}`, got: JSON.stringify(resolved.namespace) },
        ),
      );
    }
  }
  const resource = targetResourceKey(experiment);
  for (const [index, forbidden] of (blastRadius?.forbiddenResources ?? []).entries()) {
    if (forbidden === resource) {
      issues.push(
        issue(["spec", "blastRadius", "forbiddenResources", index], "blast-radius.forbidden-resource", `the target resource ${JSON.stringify(resource)} is forbidden`),
      );
    }
  }
  return issues;
}

/** Rule: dangerLevel: high needs blastRadius.allowDangerous: true. */
export function dangerLevelIssues(experiment: PartialExperiment): Issue[] {
  if (declaredDangerLevel(experiment) !== "high" || experiment.spec?.blastRadius?.allowDangerous === true) return [];
  return [
    issue(["spec", "blastRadius", "allowDangerous"], "danger.allow-dangerous", "dangerLevel: high requires blastRadius.allowDangerous: true", {
      expected: "true",
      got: describeValue(experiment.spec?.blastRadius?.allowDangerous),
    }),
  ];
}

/**
 * The rules only a run enforces in the Go tool (its `validate` skips them), in its order. `scope` is
 * undefined when the fault type is unknown; the scope-dependent rules are then skipped.
 */
export function runTimeSafetyIssues(experiment: PartialExperiment, scope: FaultScope | undefined): Issue[] {
  return [
    ...forbiddenNamespaceIssues(experiment),
    ...steadyStateCheckIssues(experiment.spec?.steadyState?.checks, ["spec", "steadyState", "checks"]),
    ...(scope === undefined ? [] : scopeIssues(experiment, scope)),
    ...(scope === undefined ? [] : blastRadiusIssues(experiment, scope)),
    ...dangerLevelIssues(experiment),
  ];
}

/** Every safety rule, for the run engine: the time limits and the run-time rules. */
export function allSafetyIssues(experiment: PartialExperiment, scope: FaultScope | undefined): Issue[] {
  return [...durationLimitIssues(experiment), ...runTimeSafetyIssues(experiment, scope)];
}
