// Whether the rules a SelfSubjectRulesReview returns grant a permission the run needs. One rules
// review per namespace replaces one SelfSubjectAccessReview per permission; what the rules do not
// grant is still asked one by one (rules can be incomplete, e.g. a webhook authorizer), so the
// rules only ever save requests, never refuse a run.
import type { PermissionNeed } from "../faults/driver.js";

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

const covers = (values: readonly string[] | undefined, wanted: string) => (values ?? []).some((v) => v === "*" || v === wanted);

/** RBAC's own matching: "*", the exact resource, and for a subresource "pods/*" or "*\/log". */
function coversResource(values: readonly string[] | undefined, resource: string): boolean {
  if (covers(values, resource)) return true;
  const slash = resource.indexOf("/");
  if (slash === -1) return false;
  const [main, sub] = [resource.slice(0, slash), resource.slice(slash + 1)];
  return (values ?? []).some((v) => v === `${main}/*` || v === `*/${sub}`);
}

/** True when a rule grants the need on every object (a rule limited to names does not). */
export function rulesGrant(rules: readonly ResourceRule[], need: PermissionNeed): boolean {
  return rules.some((rule) => (rule.resourceNames ?? []).length === 0
    && covers(rule.verbs, need.verb)
    && covers(rule.apiGroups, need.group)
    && coversResource(rule.resources, need.resource));
}
