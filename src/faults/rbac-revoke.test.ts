import { describe, expect, it } from "vitest";
import { unwrapGoRollback, wrapGoRollback } from "../journal/go-rollback.js";
import { grantsSelf, rbacRevoke, restoredSubjects, sameSubjects, subjectsFromGoRollback, type Subject } from "./rbac-revoke.js";

const operator: Subject = { kind: "ServiceAccount", name: "web-operator", namespace: "ops" };
const admins: Subject = { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "admins" };
const alice: Subject = { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" };

describe("RBACRevoke: subjects", () => {
  it("round-trips the Go tool's rollback data (a JSON list of subjects, empty fields omitted)", () => {
    const annotation = wrapGoRollback([operator, admins]);
    expect(JSON.parse(annotation).data).toEqual([operator, admins]);
    expect(subjectsFromGoRollback(unwrapGoRollback(annotation))).toEqual([operator, admins]);
  });

  it("reads Go's empty strings as absent fields", () => {
    expect(subjectsFromGoRollback([{ kind: "ServiceAccount", apiGroup: "", name: "sa", namespace: "ns" }, { kind: "User", name: "bob", namespace: "" }]))
      .toEqual([{ kind: "ServiceAccount", name: "sa", namespace: "ns" }, { kind: "User", name: "bob" }]);
  });

  it.each([
    [{ kind: "User", name: "x" }, "not a list of subjects"],
    [[{ kind: "User" }], "subject 1 of the Go tool's rollback data has no kind or name"],
    [[operator, null], "subject 2"],
  ])("rejects rollback data that is not a subject list: %j", (data, message) => {
    expect(() => subjectsFromGoRollback(data)).toThrow(message);
  });

  it("restores exactly the original subjects when the binding is still revoked", () => {
    expect(restoredSubjects([operator, admins], [])).toEqual([operator, admins]);
  });

  it("is idempotent, and leaves an operator's own exact repair as it is", () => {
    const once = restoredSubjects([operator, admins], []);
    expect(restoredSubjects([operator, admins], once)).toEqual([operator, admins]);
    expect(sameSubjects(restoredSubjects([operator, admins], [operator, admins]), [operator, admins])).toBe(true);
  });

  it("keeps subjects added while the fault held, after the originals", () => {
    expect(restoredSubjects([operator, admins], [alice, operator])).toEqual([operator, admins, alice]);
  });

  it("compares subjects by kind, apiGroup, name and namespace, in order", () => {
    expect(sameSubjects([operator], [{ ...operator }])).toBe(true);
    expect(sameSubjects([operator], [{ ...operator, namespace: "other" }])).toBe(false);
    expect(sameSubjects([admins], [{ ...admins, apiGroup: undefined } as Subject])).toBe(false);
    expect(sameSubjects([operator, admins], [admins, operator])).toBe(false);
    expect(sameSubjects([operator], [])).toBe(false);
  });
});

describe("RBACRevoke: driver", () => {
  it("needs get and update on the binding (namespaced for a RoleBinding, cluster-wide for a ClusterRoleBinding), the role, SubjectAccessReviews, and bind on the role", () => {
    const confirmNeeds = [
      { verb: "get", group: "rbac.authorization.k8s.io", resource: "clusterroles" },
      { verb: "create", group: "authorization.k8s.io", resource: "subjectaccessreviews" },
    ];
    expect(rbacRevoke.permissions({ bindingType: "RoleBinding", bindingName: "b" }, "ns")).toEqual([
      ...["get", "update"].map((verb) => ({ verb, group: "rbac.authorization.k8s.io", resource: "rolebindings", namespace: "ns" })),
      { verb: "get", group: "rbac.authorization.k8s.io", resource: "roles", namespace: "ns" },
      ...confirmNeeds,
      { verb: "bind", group: "rbac.authorization.k8s.io", resource: "roles", namespace: "ns" },
      { verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles", namespace: "ns" },
    ]);
    expect(rbacRevoke.permissions({ bindingType: "ClusterRoleBinding", bindingName: "b" }, "ns")).toEqual([
      ...["get", "update"].map((verb) => ({ verb, group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" })),
      ...confirmNeeds,
      { verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles" },
    ]);
  });
});

describe("RBACRevoke: never the tool's own rights", () => {
  const self = { username: "system:serviceaccount:chaos:runner", groups: ["system:serviceaccounts", "system:authenticated", "chaos-team"] };

  it("knows the tool's ServiceAccount (namespace from the subject, or the binding's), user and groups", () => {
    expect(grantsSelf({ kind: "ServiceAccount", name: "runner", namespace: "chaos" }, self, "elsewhere")).toBe(true);
    expect(grantsSelf({ kind: "ServiceAccount", name: "runner" }, self, "chaos")).toBe(true);
    expect(grantsSelf({ kind: "Group", name: "chaos-team" }, self, "chaos")).toBe(true);
    expect(grantsSelf({ kind: "User", name: "system:serviceaccount:chaos:runner" }, self, "chaos")).toBe(true);
  });

  it("leaves other subjects alone", () => {
    expect(grantsSelf(operator, self, "ops")).toBe(false);
    expect(grantsSelf(admins, self, "ops")).toBe(false);
    expect(grantsSelf(alice, self, "ops")).toBe(false);
    expect(grantsSelf({ kind: "ServiceAccount", name: "runner", namespace: "other" }, self, "chaos")).toBe(false);
  });

  it("asks for bind on the role it writes back on revert", () => {
    const cluster = rbacRevoke.permissions({ bindingName: "b", bindingType: "ClusterRoleBinding" }, "ns");
    expect(cluster).toContainEqual({ verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles" });
    const namespaced = rbacRevoke.permissions({ bindingName: "b", bindingType: "RoleBinding" }, "ns");
    expect(namespaced).toContainEqual({ verb: "bind", group: "rbac.authorization.k8s.io", resource: "roles", namespace: "ns" });
  });
});
