import { describe, expect, it } from "vitest";
import { unwrapGoRollback, wrapGoRollback } from "../journal/go-rollback.js";
import { rbacRevoke, restoredSubjects, sameSubjects, subjectsFromGoRollback, type Subject } from "./rbac-revoke.js";

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
  it("needs get and update on the binding (namespaced for a RoleBinding, cluster-wide for a ClusterRoleBinding), the role, and SubjectAccessReviews", () => {
    const confirmNeeds = [
      { verb: "get", group: "rbac.authorization.k8s.io", resource: "clusterroles" },
      { verb: "create", group: "authorization.k8s.io", resource: "subjectaccessreviews" },
    ];
    expect(rbacRevoke.permissions({ bindingType: "RoleBinding", bindingName: "b" }, "ns")).toEqual([
      ...["get", "update"].map((verb) => ({ verb, group: "rbac.authorization.k8s.io", resource: "rolebindings", namespace: "ns" })),
      { verb: "get", group: "rbac.authorization.k8s.io", resource: "roles", namespace: "ns" },
      ...confirmNeeds,
    ]);
    expect(rbacRevoke.permissions({ bindingType: "ClusterRoleBinding", bindingName: "b" }, "ns")).toEqual([
      ...["get", "update"].map((verb) => ({ verb, group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" })),
      ...confirmNeeds,
    ]);
  });
});
