import { Duration } from "../experiment/duration.js";
import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";

const MIN_DELAY = Duration.parse("1s");
/** The API server gives up on a webhook after 30s; the delay must stay below. */
const MAX_DELAY = Duration.parse("29s");

/** Registers a slow admission webhook for chosen resources, so the operator's writes take longer. */
export const webhookLatency = defineFaultDriver({
  type: InjectionType.WebhookLatency,
  summary: "Deploys an admission webhook that delays CREATE/UPDATE of the chosen resources.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "high",
  defaultTier: 4,
  parameterDocs: [
    { name: "resources", required: true, description: "Comma-separated resource plurals, e.g. deployments,configmaps." },
    { name: "apiGroups", required: true, description: "Comma-separated API groups of those resources, e.g. apps." },
    { name: "delay", required: false, description: "Delay per request, from 1s to 29s.", default: "25s" },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.WebhookLatency, parameters, context);
    for (const name of ["resources", "apiGroups"]) {
      const list = check.nonEmpty(name, name === "resources" ? "e.g. deployments,configmaps" : "e.g. apps");
      if (list !== undefined && list.split(",").some((item) => item !== item.trim())) {
        check.warn(name, "parameter.list-spaces", "items are not trimmed; spaces around commas become part of the names", {
          got: JSON.stringify(list),
        });
      }
    }
    const delay = check.value("delay");
    if (delay !== undefined) {
      const parsed = Duration.tryParse(delay);
      if (!parsed.ok) {
        check.report("delay", "parameter.duration", `invalid duration: ${parsed.error}`, { expected: "a duration from 1s to 29s" });
      } else if (parsed.value.compare(MIN_DELAY) < 0 || parsed.value.compare(MAX_DELAY) > 0) {
        check.report("delay", "parameter.duration", "the delay must stay under the API server's 30s webhook timeout", {
          expected: "a duration from 1s to 29s",
          got: delay,
        });
      }
    }
    check.requireHighDanger("WebhookLatency (its webhook slows matching requests in every namespace)");
    return check.issues;
  },
  skeleton: () => ({ resources: "deployments", apiGroups: "apps", delay: "25s" }),
});
