import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** Deletes a Secret (after backing it up in another Secret); the operator is expected to recreate it. */
export const secretDeletion = defineFaultDriver({
  type: InjectionType.SecretDeletion,
  summary: "Deletes a Secret, keeping a backup so it can be restored if the operator does not recreate it.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 5,
  parameterDocs: [
    { name: "name", required: true, description: "Name of the Secret." },
    { name: "namespace", required: false, description: "Namespace of the Secret; defaults to the experiment's namespace." },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.SecretDeletion, parameters, context);
    const name = check.nonEmpty("name", "the Secret's name");
    if (name !== undefined && check.targetName("name", name) && check.notSystemCritical("name", name, "Secret")) {
      check.maxLength("name", "the backup Secret's name (chaos-backup-secret-<name>)", `chaos-backup-secret-${name}`, 253);
    }
    const namespace = check.value("namespace");
    if (namespace !== undefined) check.targetNamespace("namespace", namespace);
    check.requireHighDanger("SecretDeletion");
    return check.issues;
  },
  skeleton: ({ component }) => ({ name: objectNameFrom(component, "-tls") }),
});
