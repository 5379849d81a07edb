import { Duration } from "../experiment/duration.js";
import { InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault, type FaultContext, type FaultParameters, type ObjectReference, type RevertRecord } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";
import { unwrapGoRollback } from "../journal/go-rollback.js";
import { removeRecord } from "../journal/journal.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, ROLLBACK_ANNOTATION, TYPE_LABEL } from "../journal/labels.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";

const BINDING_TYPES = ["ClusterRoleBinding", "RoleBinding"] as const;

/** Bindings the cluster itself depends on; revoking them would break the control plane, not the operator. */
export const SYSTEM_CRITICAL_BINDINGS = [
  "cluster-admin",
  "system:node",
  "system:kube-controller-manager",
  "system:kube-scheduler",
  "system:volume-scheduler",
  "system:kube-dns",
  "system:discovery",
  "system:basic-user",
  "system:public-info-viewer",
] as const;

export const rbacRevokeSpec = defineFaultSpec({
  type: InjectionType.RBACRevoke,
  summary: "Removes every subject from a ClusterRoleBinding or RoleBinding, so the operator gets 403s.",
  scope: "cluster",
  scopeNote: "namespaced when bindingType is RoleBinding",
  scopeFor: (parameters) => (parameters["bindingType"] === "RoleBinding" ? "namespaced" : "cluster"),
  persistence: "sustained",
  defaultDangerLevel: "high",
  defaultTier: 4,
  parameterDocs: [
    { name: "bindingName", required: true, description: "Name of the binding whose subjects are removed." },
    {
      name: "bindingType",
      required: true,
      description: "ClusterRoleBinding (cluster-scoped: dangerLevel high, no allowedNamespaces) or RoleBinding.",
      values: BINDING_TYPES,
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.RBACRevoke, parameters, context);
    const bindingType = check.present("bindingType", `one of ${BINDING_TYPES.join(", ")}`);
    if (bindingType !== undefined) check.oneOf("bindingType", bindingType, BINDING_TYPES);
    const bindingName = check.present("bindingName", "the name of the binding");
    if (bindingName !== undefined) {
      if (bindingType === "ClusterRoleBinding" && (SYSTEM_CRITICAL_BINDINGS as readonly string[]).includes(bindingName)) {
        check.report("bindingName", "parameter.system-critical", `${JSON.stringify(bindingName)} is a system-critical binding and cannot be revoked`);
      } else if (bindingName.startsWith("system:")) {
        check.report("bindingName", "parameter.system-critical", 'bindings named "system:…" belong to Kubernetes and cannot be revoked', {
          got: JSON.stringify(bindingName),
        });
      } else if (check.resourceName("bindingName", bindingName)) {
        check.notReserved("bindingName", bindingName);
      }
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({ bindingName: objectNameFrom(component, "-rolebinding"), bindingType: "ClusterRoleBinding" }),
});

/** Empties the subjects of a (Cluster)RoleBinding so the operator's ServiceAccount loses its rights. */
export const rbacRevoke = defineRunnableFault<RbacRevokeData, RbacRevokeData | LeftoverData>(rbacRevokeSpec, {
  permissions: (parameters, namespace) => [
    ...["get", "update"].map((verb) => (bindingKindOf(parameters) === "RoleBinding"
      ? { verb, group: RBAC_GROUP, resource: "rolebindings", namespace }
      : { verb, group: RBAC_GROUP, resource: "clusterrolebindings" })),
    // confirm(): the bound role's rules (a RoleBinding may bind a Role or a ClusterRole), and a
    // SubjectAccessReview per revoked subject.
    ...(bindingKindOf(parameters) === "RoleBinding" ? [{ verb: "get", group: RBAC_GROUP, resource: "roles", namespace }] : []),
    { verb: "get", group: RBAC_GROUP, resource: "clusterroles" },
    { verb: "create", group: "authorization.k8s.io", resource: "subjectaccessreviews" },
    // Writing the subjects back (revert) binds the role again: the API server's escalation check
    // wants `bind` on it unless the tool holds every right the role grants.
    ...(bindingKindOf(parameters) === "RoleBinding"
      ? [{ verb: "bind", group: RBAC_GROUP, resource: "roles", namespace }, { verb: "bind", group: RBAC_GROUP, resource: "clusterroles", namespace }]
      : [{ verb: "bind", group: RBAC_GROUP, resource: "clusterroles" }]),
  ],

  /**
   * The pods that run as the binding's first ServiceAccount subject: an operator that crashes on
   * 403s shows up as restarts (recovered_by_restart), even if its Deployment is Available again soon.
   */
  observedPods: (context, plan) => {
    const account = plan.data.subjects.find((subject) => subject.kind === "ServiceAccount");
    if (!account) return undefined;
    return { namespace: account.namespace ?? context.namespace, fieldSelector: `spec.serviceAccountName=${account.name}` };
  },

  /** Reads the binding; refuses one that does not exist or has no subject to revoke. Changes nothing. */
  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const target = bindingRef(bindingKindOf(parameters), parameters.bindingName ?? "", context.namespace);
    const binding = await readBinding(context.cluster.rest, target);
    if (!binding) throw new Error(`${describeRef(target)} does not exist`);
    const subjects = binding.subjects ?? [];
    if (subjects.length === 0) {
      throw new Error(`${describeRef(target)} has no subjects: there is nothing to revoke (is another experiment revoking it?)`);
    }
    // Revoking our own rights could leave the tool unable to revert (or to watch what it broke).
    const self = await selfSubjects(context.cluster.rest);
    const own = subjects.filter((subject) => grantsSelf(subject, self, context.namespace));
    if (own.length > 0) {
      throw new Error(`${describeRef(target)} grants the identity operator-chaos runs as (${self.username}: ${own.map(subjectText).join(", ")}); `
        + "revoking it could leave the tool unable to revert it. Run as another identity, or pick a binding that does not grant yours");
    }
    const data: RbacRevokeData = {
      subjects, roleRef: binding.roleRef,
      labels: binding.metadata.labels ?? {}, annotations: binding.metadata.annotations ?? {},
    };
    return {
      type: InjectionType.RBACRevoke,
      targets: [target],
      summary: `remove the ${subjects.length} subject(s) of ${describeRef(target)} (${binding.roleRef.kind} ${binding.roleRef.name}): ${subjects.map(subjectText).join(", ")}`,
      data,
    };
  },

  /**
   * Journals the original subjects (on the cluster, apart from the binding, which the operator may
   * rewrite), then empties them with a resourceVersion-guarded replace, retried on conflict as long
   * as the subjects are still the journaled ones. Labels and annotations are left as they are.
   */
  async inject(context, plan) {
    const { rest } = context.cluster;
    const data = plan.data;
    const target = plan.targets[0]!;
    const ttlMs = ttlOf(context);
    const record = await context.journal.write(InjectionType.RBACRevoke, target, data, ttlMs ? { ttlMs } : {});
    // Until the replace succeeds nothing is changed: on the way out the record is closed again.
    const refuse = async (reason: string): Promise<never> => {
      await removeRecord(rest, record).catch(() => {});
      throw new Error(`${reason}; nothing was revoked`);
    };
    for (let attempt = 1; ; attempt += 1) {
      const binding = await readBinding(rest, target);
      if (!binding) return refuse(`${describeRef(target)} was deleted after the plan`);
      if (!sameSubjects(binding.subjects ?? [], data.subjects)) {
        return refuse(`the subjects of ${describeRef(target)} changed after the plan (now: ${(binding.subjects ?? []).map(subjectText).join(", ") || "none"})`);
      }
      try {
        await rest.replace(bindingPath(target), { ...binding, subjects: [] });
        data.acceptedAt = new Date().toISOString();
        return [record];
      } catch (error) {
        if (!isConflict(error)) throw error;
        if (attempt >= 5) return refuse(`${describeRef(target)} kept changing (${attempt} conflicting writes)`);
      }
    }
  },

  /**
   * Evidence: the effect itself. For each revoked subject, a SubjectAccessReview for a right the
   * bound role grants (its first rule) must turn to denied. If it stays allowed — the subject keeps
   * the right through another binding — it is not confirmed, and the reason names that binding
   * (from the authorizer's answer). Reading the binding back would prove nothing: an operator that
   * reconciles its own bindings may have restored it already, which is the point.
   */
  async confirm(context, plan) {
    if (plan.data.acceptedAt === undefined) return { confirmed: false, reason: "the API server did not accept the emptied binding" };
    const target = plan.targets[0]!;
    const right = await sampleRight(context.cluster.rest, plan.data.roleRef, target.namespace);
    if (!right) {
      return { confirmed: true, evidence: `the emptied ${describeRef(target)} was accepted (the role ${plan.data.roleRef.name} grants no right a SubjectAccessReview can check)` };
    }
    const stillAllowed = await untilDenied(context, plan.data.subjects, right, target.kind === "RoleBinding" ? target.namespace : undefined);
    if (stillAllowed.length > 0) {
      return { confirmed: false, reason: `the revoke did not take the rights away: ${stillAllowed.join("; ")}` };
    }
    return { confirmed: true, evidence: `SubjectAccessReview: ${plan.data.subjects.map(subjectText).join(", ")} may no longer ${rightText(right)}` };
  },

  /**
   * Puts every original subject back, keeping any subject someone added meanwhile (an operator that
   * healed its binding is not overwritten); idempotent. A binding that was deleted, or recreated for
   * another role, is reported as an error: it is not recreated, and a role it does not name is never
   * granted.
   */
  async revert(context, record) {
    const { rest } = context.cluster;
    const data = record.data;
    if ("goTool" in data) {
      await revertGoLeftover(rest, record.target, data.goTool);
      return;
    }
    const original = data.subjects.map(subjectText).join(", ");
    await updateBinding(rest, record.target, (binding) => {
      if (!binding) {
        throw new Error(`${describeRef(record.target)} no longer exists, so its subjects (${original}) cannot be put back; ` +
          "operator-chaos does not recreate deleted bindings");
      }
      if (binding.roleRef.kind !== data.roleRef.kind || binding.roleRef.name !== data.roleRef.name) {
        throw new Error(`${describeRef(record.target)} now refers to ${binding.roleRef.kind} ${binding.roleRef.name}, not ${data.roleRef.kind} ${data.roleRef.name} ` +
          `(it was recreated); its original subjects (${original}) were not given a different role`);
      }
      const subjects = restoredSubjects(data.subjects, binding.subjects ?? []);
      return sameSubjects(subjects, binding.subjects ?? []) ? undefined : { ...binding, subjects };
    });
  },

  /**
   * Bindings carrying the Go tool's RBACRevoke rollback annotation (RoleBindings in the namespace, or
   * in every namespace with ClusterRoleBindings too). They are restored, never deleted.
   */
  async leftovers(context, namespace) {
    const { rest } = context.cluster;
    const lists: { kind: BindingKind; path: string }[] = [
      { kind: "RoleBinding", path: namespace ? `${RBAC}/namespaces/${namespace}/rolebindings` : `${RBAC}/rolebindings` },
      ...(namespace ? [] : [{ kind: "ClusterRoleBinding" as const, path: `${RBAC}/clusterrolebindings` }]),
    ];
    const found: RevertRecord<LeftoverData>[] = [];
    for (const { kind, path } of lists) {
      const list = await rest.get<{ items: BindingObject[] }>(path);
      for (const item of list.items) {
        const annotation = item.metadata.annotations?.[ROLLBACK_ANNOTATION];
        const type = item.metadata.labels?.[TYPE_LABEL];
        if (annotation === undefined || (type !== undefined && type !== InjectionType.RBACRevoke)) continue;
        let goTool: LeftoverData["goTool"];
        try {
          goTool = { subjects: subjectsFromGoRollback(unwrapGoRollback(annotation)) };
        } catch (error) {
          goTool = { problem: (error as Error).message };
        }
        found.push({ type: InjectionType.RBACRevoke, target: bindingRef(kind, item.metadata.name, item.metadata.namespace ?? ""), data: { goTool } satisfies LeftoverData });
      }
    }
    return found;
  },
});

export interface Subject {
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

type BindingKind = (typeof BINDING_TYPES)[number];

/** The plan's data and the journal record: the binding as it was before the fault. */
interface RbacRevokeData {
  subjects: Subject[];
  roleRef: RoleRef;
  /** For the record only: the fault changes neither. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Set by inject once the API server accepted the empty subject list (not journaled). */
  acceptedAt?: string;
}

/** A binding the Go tool revoked: its recorded subjects, or why they cannot be read. */
interface LeftoverData {
  goTool: { subjects?: Subject[]; problem?: string };
}

interface BindingObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  roleRef: RoleRef;
  subjects?: Subject[];
}

const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC = `/apis/${RBAC_GROUP}/v1`;

const bindingKindOf = (parameters: FaultParameters): BindingKind => (parameters.bindingType === "RoleBinding" ? "RoleBinding" : "ClusterRoleBinding");
const bindingRef = (kind: BindingKind, name: string, namespace: string): ObjectReference => ({
  apiVersion: `${RBAC_GROUP}/v1`, kind, name, ...(kind === "RoleBinding" ? { namespace } : {}),
});
const bindingPath = (ref: ObjectReference) => (ref.kind === "RoleBinding"
  ? `${RBAC}/namespaces/${ref.namespace}/rolebindings/${encodeURIComponent(ref.name)}`
  : `${RBAC}/clusterrolebindings/${encodeURIComponent(ref.name)}`);
const describeRef = (ref: ObjectReference) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
const ttlOf = (context: FaultContext) => {
  const ttl = context.experiment.spec.injection.ttl;
  return ttl ? Duration.parse(ttl).milliseconds || undefined : undefined;
};

/** kind/namespace/name of a subject, for messages. */
interface SelfIdentity {
  username: string;
  groups: readonly string[];
}

/** Who the tool is, as the API server sees it (SelfSubjectReview: every authenticated user may ask). */
async function selfSubjects(rest: { create<T>(path: string, body: unknown): Promise<T> }): Promise<SelfIdentity> {
  const review = await rest.create<{ status?: { userInfo?: { username?: string; groups?: string[] } } }>(
    "/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
  return { username: review.status?.userInfo?.username ?? "", groups: review.status?.userInfo?.groups ?? [] };
}

/** Whether a binding subject names the tool's own identity: its user, one of its groups, or its ServiceAccount. */
export function grantsSelf(subject: Subject, self: SelfIdentity, bindingNamespace: string): boolean {
  if (subject.kind === "User") return subject.name === self.username;
  if (subject.kind === "Group") return self.groups.includes(subject.name);
  if (subject.kind === "ServiceAccount") return self.username === `system:serviceaccount:${subject.namespace ?? bindingNamespace}:${subject.name}`;
  return false;
}

export function subjectText(subject: Subject): string {
  return `${subject.kind} ${subject.namespace ? `${subject.namespace}/` : ""}${subject.name}`;
}

/** Subjects are the same grant when kind, apiGroup, name and namespace agree (an absent field is ""). */
function subjectKey(subject: Subject): string {
  return JSON.stringify([subject.kind, subject.apiGroup ?? "", subject.name, subject.namespace ?? ""]);
}

export function sameSubjects(a: readonly Subject[], b: readonly Subject[]): boolean {
  return a.length === b.length && a.every((subject, index) => subjectKey(subject) === subjectKey(b[index]!));
}

/**
 * The subjects after a revert: every original subject, in its original order, then any subject that
 * was added while the fault held (kept, not overwritten). With nothing added it is exactly the original.
 */
export function restoredSubjects(original: readonly Subject[], current: readonly Subject[]): Subject[] {
  const originalKeys = new Set(original.map(subjectKey));
  return [...original.map((subject) => ({ ...subject })), ...current.filter((subject) => !originalKeys.has(subjectKey(subject)))];
}

/** Reads the Go tool's RBACRevoke rollback data: a JSON list of subjects. Throws when it is not one. */
export function subjectsFromGoRollback(data: unknown): Subject[] {
  if (!Array.isArray(data)) throw new Error("the Go tool's rollback data is not a list of subjects");
  return data.map((entry: unknown, index) => {
    const item = entry as Record<string, unknown> | null;
    const text = (field: string) => (item && typeof item[field] === "string" ? (item[field] as string) : undefined);
    const kind = text("kind");
    const name = text("name");
    if (!kind || !name) throw new Error(`subject ${index + 1} of the Go tool's rollback data has no kind or name`);
    const apiGroup = text("apiGroup");
    const namespace = text("namespace");
    return { kind, ...(apiGroup ? { apiGroup } : {}), name, ...(namespace ? { namespace } : {}) };
  });
}

async function readBinding(rest: KubeRest, ref: ObjectReference): Promise<BindingObject | undefined> {
  try {
    return await rest.get<BindingObject>(bindingPath(ref));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Read-modify-write of a binding guarded by its resourceVersion; on a conflict (the operator wrote it
 * meanwhile) the change is computed again on fresh data. `change` returns undefined when there is
 * nothing to write.
 */
async function updateBinding(rest: KubeRest, ref: ObjectReference, change: (binding: BindingObject | undefined) => BindingObject | undefined): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const next = change(await readBinding(rest, ref));
    if (!next) return;
    try {
      await rest.replace(bindingPath(ref), next);
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}

/**
 * Restores what the Go tool recorded (keeping subjects added since), then removes its rollback
 * annotation, its type label, and its managed-by label (only while it still says operator-chaos,
 * the value the Go tool wrote over the original). Gone or already restored is fine.
 */
async function revertGoLeftover(rest: KubeRest, target: ObjectReference, goTool: LeftoverData["goTool"]): Promise<void> {
  if (!goTool.subjects) throw new Error(`the Go tool's rollback data on ${describeRef(target)} cannot be read (${goTool.problem}); left unchanged`);
  const recorded = goTool.subjects;
  await updateBinding(rest, target, (binding) => {
    if (!binding || binding.metadata.annotations?.[ROLLBACK_ANNOTATION] === undefined) return undefined;
    const annotations = { ...binding.metadata.annotations };
    delete annotations[ROLLBACK_ANNOTATION];
    const labels = { ...binding.metadata.labels };
    delete labels[TYPE_LABEL];
    if (labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) delete labels[MANAGED_BY_LABEL];
    return { ...binding, metadata: { ...binding.metadata, labels, annotations }, subjects: restoredSubjects(recorded, binding.subjects ?? []) };
  });
}

/** One right a role grants, as a SubjectAccessReview's resourceAttributes. */
interface Right {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
}

interface RoleObject {
  rules?: { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[] }[];
}

const rightText = (right: Right) => `${right.verb} ${right.group ? `${right.resource}.${right.group}` : right.resource}${right.subresource ? `/${right.subresource}` : ""}${right.name ? ` ${right.name}` : ""}`;

/** The first resource rule of the bound role, made concrete ("*" read as get / pods / the core group). */
async function sampleRight(rest: KubeRest, roleRef: RoleRef, namespace: string | undefined): Promise<Right | undefined> {
  const path = roleRef.kind === "Role" ? `${RBAC}/namespaces/${namespace}/roles/${encodeURIComponent(roleRef.name)}` : `${RBAC}/clusterroles/${encodeURIComponent(roleRef.name)}`;
  let role: RoleObject;
  try {
    role = await rest.get<RoleObject>(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const rule = (role.rules ?? []).find((candidate) => (candidate.resources ?? []).length > 0 && (candidate.verbs ?? []).length > 0);
  if (!rule) return undefined;
  const verb = rule.verbs![0] === "*" ? "get" : rule.verbs![0]!;
  const [resource, subresource] = (rule.resources![0] === "*" ? "pods" : rule.resources![0]!).split("/");
  const group = !rule.apiGroups?.length || rule.apiGroups[0] === "*" ? "" : rule.apiGroups[0]!;
  return { verb, group, resource: resource!, ...(subresource ? { subresource } : {}), ...(rule.resourceNames?.[0] ? { name: rule.resourceNames[0] } : {}) };
}

/** The user and groups a subject authenticates as. */
function identityOf(subject: Subject): { user?: string; groups: string[] } {
  if (subject.kind === "ServiceAccount") {
    const namespace = subject.namespace ?? "";
    return { user: `system:serviceaccount:${namespace}:${subject.name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"] };
  }
  if (subject.kind === "Group") return { groups: [subject.name] };
  return { user: subject.name, groups: ["system:authenticated"] };
}

/**
 * Asks, per subject, whether it may still use `right`, until every answer is "denied" or 10 s
 * passed. (A SubjectAccessReview cannot be watched; the authorizer's cache follows a binding
 * change within milliseconds, so the retries are short and few.) Returns, for each subject still
 * allowed, who it is and the binding that still grants it.
 */
async function untilDenied(context: FaultContext, subjects: readonly Subject[], right: Right, namespace: string | undefined): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  let pending = [...subjects];
  let reasons = new Map<Subject, string>();
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    reasons = new Map();
    const answers = await Promise.all(pending.map(async (subject) => {
      const review = await context.cluster.rest.create<{ status?: { allowed?: boolean; reason?: string } }>("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
          ...identityOf(subject),
          resourceAttributes: { ...right, ...(namespace ? { namespace } : {}) },
        },
      });
      if (review.status?.allowed) reasons.set(subject, review.status.reason ?? "allowed");
      return review.status?.allowed === true;
    }));
    pending = pending.filter((_subject, index) => answers[index]);
    if (pending.length === 0 || Date.now() + delay > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
    context.signal.throwIfAborted();
  }
  return pending.map((subject) => `${subjectText(subject)} may still ${rightText(right)} (${reasons.get(subject)})`);
}
