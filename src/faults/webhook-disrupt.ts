import { InjectionType } from "../experiment/enums.js";
import { Duration } from "../experiment/duration.js";
import { unwrapGoRollback } from "../journal/go-rollback.js";
import { MANAGED_BY_LABEL, ROLLBACK_ANNOTATION, TYPE_LABEL } from "../journal/labels.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import type { KubeRest } from "../kube/rest.js";
import { defineFaultSpec, defineRunnableFault, type FaultContext, type ObjectReference, type RevertRecord } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

const WEBHOOK_TYPES = ["validating", "mutating"] as const;
/** setService points every webhook at another Service (value: NAME or NAMESPACE/NAME), which this tool adds. */
const ACTIONS = ["setFailurePolicy", "setService"] as const;
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
const SERVICE_REFERENCE = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isProtected = (name: string) => PROTECTED_WEBHOOKS.includes(name) || PROTECTED_WEBHOOK_PREFIXES.some((prefix) => name.startsWith(prefix));

/** Changes the failurePolicy (or the Service) of every webhook in one webhook configuration. */
export const webhookDisruptSpec = defineFaultSpec({
  type: InjectionType.WebhookDisrupt,
  summary: "Sets the failurePolicy (or the Service) of every webhook in a (Validating|Mutating)WebhookConfiguration.",
  scope: "cluster",
  // The operator that owns the configuration is expected to put it back.
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 4,
  parameterDocs: [
    { name: "webhookName", required: false, description: "Name of the webhook configuration (give webhookName or webhookLabelSelector)." },
    { name: "webhookLabelSelector", required: false, description: "Selects exactly one webhook configuration by label." },
    { name: "action", required: true, description: "What to change: setFailurePolicy, or setService (this tool only) to point the webhooks at another Service.", values: ACTIONS },
    { name: "webhookType", required: false, description: "validating or mutating.", default: "validating", values: WEBHOOK_TYPES },
    { name: "value", required: false, description: "setFailurePolicy: the failurePolicy to set (Fail or Ignore). setService: the Service, NAME or NAMESPACE/NAME.", default: "Fail" },
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
      if (isProtected(webhookName) || prefix !== undefined) {
        check.report("webhookName", "parameter.protected-webhook", `${JSON.stringify(webhookName)} protects the whole cluster and cannot be disrupted`);
      } else {
        check.resourceName("webhookName", webhookName);
      }
    } else {
      check.labelSelector("webhookLabelSelector");
    }
    const action = check.present("action", "setFailurePolicy");
    if (action !== undefined) check.oneOf("action", action, ACTIONS);
    const webhookType = check.value("webhookType");
    if (webhookType !== undefined) check.oneOf("webhookType", webhookType, WEBHOOK_TYPES);
    const value = check.value("value");
    if (action === "setService") {
      if (value === undefined || !SERVICE_REFERENCE.test(value)) {
        check.report("value", "parameter.service-reference", "setService needs the Service to point the webhooks at", {
          expected: "NAME or NAMESPACE/NAME of a Service", ...(value !== undefined ? { got: JSON.stringify(value) } : {}),
        });
      }
    } else if (value !== undefined && !(FAILURE_POLICIES as readonly string[]).includes(value)) {
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

type WebhookKind = "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration";
const ADMISSION = "/apis/admissionregistration.k8s.io/v1";
const collectionOf = (kind: WebhookKind) => `${ADMISSION}/${kind === "MutatingWebhookConfiguration" ? "mutating" : "validating"}webhookconfigurations`;
const kindOf = (webhookType: string | undefined): WebhookKind => (webhookType === "mutating" ? "MutatingWebhookConfiguration" : "ValidatingWebhookConfiguration");

interface ServiceReference { name?: string; namespace?: string; path?: string; port?: number }
interface WebhookEntry { name: string; failurePolicy?: string; clientConfig?: { service?: ServiceReference; url?: string; caBundle?: string } }
interface WebhookConfiguration {
  metadata: { name: string; uid: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  webhooks?: WebhookEntry[];
}

/** What one webhook entry had, and what the fault sets. */
interface EntryChange {
  name: string;
  /** Absent: the field was not set (the API server defaults failurePolicy to Fail on write). */
  original?: string;
  injected: string;
}

interface WebhookDisruptData {
  kind: WebhookKind;
  name: string;
  uid: string;
  action: "setFailurePolicy" | "setService";
  changes: EntryChange[];
  /** Set by inject once the API server stored the change. */
  acceptedAt?: string;
}

/** A journal record holds the plan data; a Go-tool leftover, the policies it recorded. */
type WebhookDisruptRecord = WebhookDisruptData | { goTool: Record<string, string> };

/** The value of the field the action changes, as text (a Service as NAMESPACE/NAME). */
function currentValue(entry: WebhookEntry, action: WebhookDisruptData["action"]): string | undefined {
  if (action === "setFailurePolicy") return entry.failurePolicy;
  const service = entry.clientConfig?.service;
  return service ? `${service.namespace}/${service.name}` : undefined;
}

function applyValue(entry: WebhookEntry, action: WebhookDisruptData["action"], value: string | undefined): void {
  if (action === "setFailurePolicy") {
    if (value === undefined) delete entry.failurePolicy;
    else entry.failurePolicy = value;
    return;
  }
  if (!entry.clientConfig?.service || value === undefined) return;
  const [namespace, name] = value.split("/");
  entry.clientConfig.service = { ...entry.clientConfig.service, namespace: namespace!, name: name! };
}

async function resolveConfiguration(rest: KubeRest, kind: WebhookKind, parameters: Record<string, string>): Promise<WebhookConfiguration> {
  const collection = collectionOf(kind);
  if (parameters.webhookName !== undefined) {
    try {
      return await rest.get<WebhookConfiguration>(`${collection}/${parameters.webhookName}`);
    } catch (error) {
      if (isNotFound(error)) throw new Error(`the ${kind} ${parameters.webhookName} does not exist (webhookType ${kind === "MutatingWebhookConfiguration" ? "mutating" : "validating"}); nothing was changed`);
      throw error;
    }
  }
  const selector = parameters.webhookLabelSelector ?? "";
  const list = await rest.get<{ items: WebhookConfiguration[] }>(collection, { query: { labelSelector: selector } });
  if (list.items.length !== 1) {
    throw new Error(list.items.length === 0
      ? `no ${kind} matches webhookLabelSelector ${selector}; nothing was changed`
      : `webhookLabelSelector ${selector} matches ${list.items.length} ${kind}s (${list.items.map((item) => item.metadata.name).join(", ")}); it must select exactly one`);
  }
  return list.items[0]!;
}

/**
 * Read-modify-write of the configuration, guarded by resourceVersion and UID: its operator may
 * write it at the same moment, so a conflict is retried on fresh data; a configuration deleted
 * (or replaced) meanwhile is left alone.
 */
async function updateConfiguration(rest: KubeRest, kind: WebhookKind, name: string, uid: string | undefined, change: (object: WebhookConfiguration) => boolean): Promise<WebhookConfiguration | undefined> {
  const path = `${collectionOf(kind)}/${name}`;
  for (let attempt = 1; ; attempt += 1) {
    let object: WebhookConfiguration;
    try {
      object = await rest.get<WebhookConfiguration>(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    if (uid !== undefined && object.metadata.uid !== uid) return undefined;
    if (!change(object)) return object;
    try {
      return await rest.replace<WebhookConfiguration>(path, object);
    } catch (error) {
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}

const ttlOf = (context: FaultContext) => {
  const ttl = context.experiment.spec.injection.ttl;
  return ttl ? Duration.parse(ttl).milliseconds || undefined : undefined;
};
const targetOf = (kind: WebhookKind, name: string): ObjectReference => ({ apiVersion: "admissionregistration.k8s.io/v1", kind, name });

/**
 * Sets every webhook's failurePolicy (or Service) in one configuration; its owner (an operator,
 * OLM) is expected to put it back. The original of each entry is journaled before the write.
 */
export const webhookDisrupt = defineRunnableFault<WebhookDisruptData, WebhookDisruptRecord>(webhookDisruptSpec, {
  permissions: (parameters) => {
    const resource = parameters.webhookType === "mutating" ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations";
    return ["get", "list", "watch", "update"].map((verb) => ({ verb, group: "admissionregistration.k8s.io", resource }));
  },

  /**
   * The one configuration (by name, or a selector that matches exactly one), refused when it is a
   * protected one, carries the Go tool's rollback annotation (an injection not yet reverted), or
   * has no webhook whose field would change.
   */
  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const kind = kindOf(parameters.webhookType);
    const action = parameters.action === "setService" ? "setService" : "setFailurePolicy";
    const configuration = await resolveConfiguration(context.cluster.rest, kind, parameters);
    const name = configuration.metadata.name;
    if (isProtected(name)) throw new Error(`the ${kind} ${name} protects the whole cluster and is never disrupted`);
    if (configuration.metadata.annotations?.[ROLLBACK_ANNOTATION]) {
      throw new Error(`the ${kind} ${name} carries the Go tool's rollback data (an injection that was never reverted); run \`operator-chaos clean\` first`);
    }
    let injected = parameters.value ?? "Fail";
    if (action === "setService" && !injected.includes("/")) injected = `${firstServiceNamespace(configuration) ?? context.namespace}/${injected}`;
    const entries = configuration.webhooks ?? [];
    if (entries.length === 0) throw new Error(`the ${kind} ${name} has no webhooks; nothing to disrupt`);
    const changes = entries
      .filter((entry) => action === "setFailurePolicy" || entry.clientConfig?.service !== undefined)
      .map((entry) => ({ name: entry.name, ...(currentValue(entry, action) !== undefined ? { original: currentValue(entry, action)! } : {}), injected }));
    const effective = changes.filter((change) => (change.original ?? (action === "setFailurePolicy" ? "Fail" : undefined)) !== change.injected);
    if (effective.length === 0) {
      throw new Error(`every webhook of the ${kind} ${name} already has ${action === "setFailurePolicy" ? `failurePolicy ${injected}` : `Service ${injected}`}; the fault would change nothing`);
    }
    const what = action === "setFailurePolicy" ? `failurePolicy ${injected}` : `Service ${injected}`;
    return {
      type: InjectionType.WebhookDisrupt,
      targets: [targetOf(kind, name)],
      summary: `set ${what} on ${changes.length} webhook(s) of ${kind} ${name} (${changes.map((c) => `${c.name}: ${c.original ?? "unset"}`).join(", ")})`,
      data: { kind, name, uid: configuration.metadata.uid, action, changes },
    };
  },

  /** The operator's repair: each webhook's field holds its original value again. */
  repairChecks(plan) {
    const { kind, name, action, changes } = plan.data;
    return changes.flatMap((change, index) => {
      if (change.original === undefined) return [];
      if (action === "setFailurePolicy") {
        return [{ type: "fieldEquals", apiVersion: "admissionregistration.k8s.io/v1", kind, name, fieldPath: `webhooks[${index}].failurePolicy`, expectedValue: change.original }];
      }
      return [{ type: "fieldEquals", apiVersion: "admissionregistration.k8s.io/v1", kind, name, fieldPath: `webhooks[${index}].clientConfig.service.name`, expectedValue: change.original.split("/")[1]! }];
    });
  },

  /** Journals each entry's original value, then writes the new one on every entry (one update). */
  async inject(context, plan) {
    const data = plan.data;
    const record = await context.journal.write<WebhookDisruptRecord>(InjectionType.WebhookDisrupt, targetOf(data.kind, data.name), data,
      ttlOf(context) ? { ttlMs: ttlOf(context)! } : {});
    const byName = new Map(data.changes.map((change) => [change.name, change]));
    const written = await updateConfiguration(context.cluster.rest, data.kind, data.name, data.uid, (object) => {
      for (const entry of object.webhooks ?? []) {
        const change = byName.get(entry.name);
        if (change) applyValue(entry, data.action, change.injected);
      }
      return true;
    });
    if (written) data.acceptedAt = new Date().toISOString();
    return [record];
  },

  /**
   * Confirmed when the API server stored the change (reading it back later could miss it: the
   * operator may have repaired it already, which is the point).
   */
  async confirm(_context, plan) {
    const { acceptedAt, changes, kind, name, action } = plan.data;
    if (!acceptedAt) return { confirmed: false, reason: `the ${kind} ${name} was deleted or replaced before the change could be written` };
    return { confirmed: true, evidence: `the API server stored ${action === "setFailurePolicy" ? "failurePolicy" : "Service"} ${changes[0]!.injected} on ${changes.length} webhook(s) of ${kind} ${name} at ${acceptedAt}` };
  },

  /**
   * Puts each original value back on the entries that still have the injected one; an entry the
   * operator has set otherwise meanwhile is its repair and is kept. Idempotent.
   */
  async revert(context, record) {
    const data = record.data;
    const kind = record.target.kind as WebhookKind;
    if ("goTool" in data) {
      await updateConfiguration(context.cluster.rest, kind, record.target.name, undefined, (object) => {
        for (const entry of object.webhooks ?? []) {
          if (!(entry.name in data.goTool)) continue;
          applyValue(entry, "setFailurePolicy", data.goTool[entry.name] || undefined);
        }
        const annotations = { ...object.metadata.annotations };
        delete annotations[ROLLBACK_ANNOTATION];
        const labels = { ...object.metadata.labels };
        delete labels[MANAGED_BY_LABEL];
        delete labels[TYPE_LABEL];
        object.metadata.annotations = annotations;
        object.metadata.labels = labels;
        return true;
      });
      return;
    }
    const byName = new Map(data.changes.map((change) => [change.name, change]));
    await updateConfiguration(context.cluster.rest, kind, record.target.name, data.uid, (object) => {
      let changed = false;
      for (const entry of object.webhooks ?? []) {
        const change = byName.get(entry.name);
        if (!change || currentValue(entry, data.action) !== change.injected) continue;
        // An unset failurePolicy is stored as the default (Fail); putting back "Fail" is the same.
        applyValue(entry, data.action, change.original ?? (data.action === "setFailurePolicy" ? "Fail" : undefined));
        changed = true;
      }
      return changed;
    });
  },

  /** Webhook configurations (validating and mutating) carrying the Go tool's WebhookDisrupt rollback annotation. */
  async leftovers(context) {
    const found: RevertRecord<WebhookDisruptRecord>[] = [];
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"] as const) {
      const list = await context.cluster.rest.get<{ items: WebhookConfiguration[] }>(collectionOf(kind), { query: { labelSelector: `${TYPE_LABEL}=WebhookDisrupt` } });
      for (const item of list.items) {
        const annotation = item.metadata.annotations?.[ROLLBACK_ANNOTATION];
        if (!annotation) continue;
        const payload = unwrapGoRollback(annotation) as Record<string, string>;
        found.push({ type: InjectionType.WebhookDisrupt, target: targetOf(kind, item.metadata.name), data: { goTool: payload } });
      }
    }
    return found;
  },
});

function firstServiceNamespace(configuration: WebhookConfiguration): string | undefined {
  return configuration.webhooks?.find((entry) => entry.clientConfig?.service?.namespace)?.clientConfig?.service?.namespace;
}
