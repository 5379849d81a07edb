import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** Deletes the operator's leader-election Lease, so the leader loses its lease and candidates race. */
export const leaderElectionDisrupt = defineFaultDriver({
  type: InjectionType.LeaderElectionDisrupt,
  summary: "Deletes the leader-election Lease, forcing a new election.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 3,
  parameterDocs: [{ name: "name", required: true, description: "Name of the Lease (coordination.k8s.io/v1)." }],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.LeaderElectionDisrupt, parameters, context);
    const name = check.nonEmpty("name", "the Lease's name");
    if (name !== undefined && check.targetName("name", name)) {
      check.maxLength("name", "the backup ConfigMap's name (chaos-backup-lease-<name>)", `chaos-backup-lease-${name}`, 253);
    }
    check.requireHighDanger("LeaderElectionDisrupt");
    return check.issues;
  },
  skeleton: ({ component }) => ({ name: objectNameFrom(component, "-leader-election") }),
});
