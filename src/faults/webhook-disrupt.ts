import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

const WEBHOOK_TYPES = ["validating", "mutating"] as const;
const FAILURE_POLICIES = ["Fail", "Ignore"] as const;
/** Policy engines and mesh injectors guard the whole cluster; disrupting them is never a test of one operator. */
const PROTECTED_WEBHOOKS = [
  "validate-policy.kyverno.io",
  "gatekeeper-validating-webhook-configuration",
  "gatekeeper-mutating-webhook-configuration",
  "cert-manager-webhook",
  "istio-sidecar-injector",
];
const PROTECTED_WEBHOOK_PREFIXES = ["system:", "openshift-"];

/** Changes the failurePolicy of every webhook in one webhook configuration. */
export const webhookDisrupt = defineFaultDriver({
  type: InjectionType.WebhookDisrupt,
  summary: "Sets the failurePolicy of every webhook in a (Validating|Mutating)WebhookConfiguration.",
  scope: "cluster",
  persistence: "sustained",
  defaultDangerLevel: "high",
  defaultTier: 4,
  parameterDocs: [
    { name: "webhookName", required: false, description: "Name of the webhook configuration (give webhookName or webhookLabelSelector)." },
    { name: "webhookLabelSelector", required: false, description: "Selects exactly one webhook configuration by label." },
    { name: "action", required: true, description: "What to change; only setFailurePolicy.", values: ["setFailurePolicy"] },
    { name: "webhookType", required: false, description: "validating or mutating.", default: "validating", values: WEBHOOK_TYPES },
    { name: "value", required: false, description: "The failurePolicy to set.", default: "Fail", values: FAILURE_POLICIES },
  ],
  requiredOneOf: [["webhookName", "webhookLabelSelector"]],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.WebhookDisrupt, parameters, context);
    const webhookName = check.value("webhookName");
    const hasSelector = check.has("webhookLabelSelector");
    if (webhookName !== undefined && hasSelector) {
      check.report("webhookLabelSelector", "parameter.exclusive", "give either webhookName or webhookLabelSelector, not both");
    } else if (webhookName === undefined && !hasSelector) {
      check.report("webhookName", "parameter.required", 'WebhookDisrupt needs the parameter "webhookName" (or "webhookLabelSelector")', {
        expected: "the name of a webhook configuration",
      });
    } else if (webhookName !== undefined) {
      const prefix = PROTECTED_WEBHOOK_PREFIXES.find((candidate) => webhookName.startsWith(candidate));
      if (PROTECTED_WEBHOOKS.includes(webhookName) || prefix !== undefined) {
        check.report("webhookName", "parameter.protected-webhook", `${JSON.stringify(webhookName)} protects the whole cluster and cannot be disrupted`);
      } else {
        check.resourceName("webhookName", webhookName);
      }
    } else {
      check.labelSelector("webhookLabelSelector");
    }
    const action = check.present("action", "setFailurePolicy");
    if (action !== undefined) check.oneOf("action", action, ["setFailurePolicy"]);
    const webhookType = check.value("webhookType");
    if (webhookType !== undefined) check.oneOf("webhookType", webhookType, WEBHOOK_TYPES);
    const value = check.value("value");
    if (value !== undefined && !(FAILURE_POLICIES as readonly string[]).includes(value)) {
      // The Go tool only notices at injection time; a warning keeps its files valid.
      check.warn("value", "parameter.enum", `${JSON.stringify(value)} is not a failurePolicy; the injection would fail`, {
        expected: `one of ${FAILURE_POLICIES.join(", ")}`,
        got: JSON.stringify(value),
      });
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({
    webhookName: objectNameFrom(component, "-validating-webhook-configuration"),
    webhookType: "validating",
    action: "setFailurePolicy",
    value: "Fail",
  }),
});
