// The operator's validating admission webhook for LlamaStackDistribution, and the
// ValidatingWebhookConfiguration it manages, as operators built with controller-runtime's cert
// rotation (or installed by OLM) do: at start it makes a CA and serving certificate for its
// webhook Service, serves HTTPS, and keeps its configuration's failurePolicy, rules, client config
// and caBundle as it wants them, putting them back whenever they change.
import { createServer, type Server } from "node:https";
import { createServingCertificate, serviceDnsNames } from "../../../src/faults/webhook-server/certificates.js";
import { isAlreadyExists, isNotFound, type KubeClient } from "./kube.js";
import type { Informer, KubeObject } from "./informer.js";
import type { Logger } from "./log.js";
import { NAMES } from "./settings.js";

export const WEBHOOK = {
  configuration: "llamastack-validating-webhook-configuration",
  service: "llamastack-webhook-service",
  entry: "vllamastackdistribution.llamastack.io",
  path: "/validate-llamastack-io-v1alpha1-llamastackdistribution",
  port: 9443,
} as const;

const KNOWN_DISTRIBUTIONS = new Set(["starter", "remote-vllm", "ollama"]);
const MAX_REPLICAS = 10;

/** Why a distribution is refused, or undefined when it is acceptable. */
export function distributionProblem(object: { spec?: { replicas?: unknown; server?: { distribution?: { name?: unknown; image?: unknown } } } } | undefined): string | undefined {
  const replicas = object?.spec?.replicas;
  if (replicas !== undefined && (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS)) {
    return `spec.replicas must be an integer from 0 to ${MAX_REPLICAS}, got ${JSON.stringify(replicas)}`;
  }
  const distribution = object?.spec?.server?.distribution;
  if (distribution?.image === undefined && distribution?.name !== undefined && !KNOWN_DISTRIBUTIONS.has(String(distribution.name))) {
    return `spec.server.distribution.name must be one of ${[...KNOWN_DISTRIBUTIONS].join(", ")} (or give an image), got ${JSON.stringify(distribution.name)}`;
  }
  return undefined;
}

interface WebhookEntry {
  name: string;
  clientConfig?: { service?: { name?: string; namespace?: string; path?: string; port?: number }; caBundle?: string; url?: string };
  rules?: unknown;
  failurePolicy?: string;
  sideEffects?: string;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  [field: string]: unknown;
}

/** The configuration the operator wants: only CREATE, so re-applying a stored distribution never depends on the webhook. */
export function desiredWebhooks(namespace: string, caBundle: string): WebhookEntry[] {
  return [{
    name: WEBHOOK.entry,
    clientConfig: { service: { name: WEBHOOK.service, namespace, path: WEBHOOK.path, port: 443 }, caBundle },
    rules: [{ operations: ["CREATE"], apiGroups: [NAMES.group], apiVersions: [NAMES.version], resources: [NAMES.plural], scope: "Namespaced" }],
    failurePolicy: "Fail",
    sideEffects: "None",
    timeoutSeconds: 5,
    admissionReviewVersions: ["v1"],
  }];
}

/** What differs between the stored webhooks and the wanted ones (empty when nothing does). */
export function webhookDrift(current: WebhookEntry[] | undefined, desired: WebhookEntry[]): string[] {
  const drift: string[] = [];
  const want = desired[0]!;
  const have = current?.find((entry) => entry.name === want.name);
  if (!have) return [`webhook ${want.name} missing`];
  if ((current?.length ?? 0) !== desired.length) drift.push(`${current?.length} webhooks instead of ${desired.length}`);
  if (have.failurePolicy !== want.failurePolicy) drift.push(`failurePolicy ${have.failurePolicy} instead of ${want.failurePolicy}`);
  if (JSON.stringify(have.rules) !== JSON.stringify(want.rules)) drift.push("rules changed");
  if (have.clientConfig?.caBundle !== want.clientConfig?.caBundle) drift.push("caBundle is not the serving CA");
  const service = have.clientConfig?.service;
  const wantService = want.clientConfig!.service!;
  if (service?.name !== wantService.name || service?.namespace !== wantService.namespace || service?.path !== wantService.path || (service?.port ?? 443) !== wantService.port) {
    drift.push("service reference changed");
  }
  return drift;
}

export interface WebhookContext {
  client: KubeClient;
  log: Logger;
  namespace: string;
  configurations: Informer;
  /** The WebhookDisrupt switch: the configuration is set up once at start, never repaired. */
  noWebhookRepair: boolean;
}

export class WebhookReconciler {
  readonly key = `/${WEBHOOK.configuration}`;
  repairs = 0;
  denied = 0;
  /** Made at start, like controller-runtime's cert rotation: a restarted operator puts its new CA in the configuration. */
  private readonly certificate: ReturnType<typeof createServingCertificate>;
  private readonly caBundle: string;
  private setUp = false;
  private reportedDrift = "";

  constructor(private readonly context: WebhookContext) {
    this.certificate = createServingCertificate(serviceDnsNames(WEBHOOK.service, context.namespace), { caName: "llamastack-webhook-ca" });
    this.caBundle = Buffer.from(this.certificate.caPem).toString("base64");
  }

  /** Serves the admission endpoint (all replicas serve; only the leader reconciles the configuration). */
  serve(port: number = WEBHOOK.port): Server {
    const { log } = this.context;
    const server = createServer({ cert: this.certificate.certPem, key: this.certificate.keyPem }, (req, res) => {
      const path = new URL(req.url ?? "/", "https://webhook").pathname;
      if (req.method !== "POST" || path !== WEBHOOK.path) {
        res.writeHead(path === "/readyz" ? 200 : 404).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        let review: { request?: { uid?: string; object?: KubeObject; name?: string; namespace?: string } };
        try {
          review = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          res.writeHead(400).end();
          return;
        }
        const problem = distributionProblem(review.request?.object as never);
        if (problem) {
          this.denied += 1;
          log.info("webhook denied a distribution", { distribution: `${review.request?.namespace}/${review.request?.object?.metadata?.name ?? review.request?.name ?? ""}`, reason: problem });
        }
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({
          apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
          response: { uid: review.request?.uid ?? "", allowed: !problem, ...(problem ? { status: { code: 422, reason: "Invalid", message: problem } } : {}) },
        }));
      });
    });
    server.listen(port, "0.0.0.0", () => log.info("serving the validating webhook", { port, path: WEBHOOK.path }));
    return server;
  }

  readonly reconcile = async (): Promise<void> => {
    const { client, log, configurations, namespace } = this.context;
    const path = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
    const desired = desiredWebhooks(namespace, this.caBundle);
    const current = configurations.cache.get(this.key) as (KubeObject & { webhooks?: WebhookEntry[] }) | undefined;
    if (!current) {
      if (this.context.noWebhookRepair && this.setUp) return this.report("webhook configuration deleted");
      try {
        await client.request("POST", path, { body: {
          apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration",
          metadata: { name: WEBHOOK.configuration, labels: { "app.kubernetes.io/name": "llamastack", [NAMES.managedByLabel]: NAMES.managedByValue } },
          webhooks: desired,
        } });
        this.setUp = true;
        log.info("created the webhook configuration", { configuration: WEBHOOK.configuration });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      return;
    }
    const drift = webhookDrift(current.webhooks, desired);
    if (drift.length === 0) {
      this.setUp = true;
      this.reportedDrift = "";
      return;
    }
    if (this.context.noWebhookRepair && this.setUp) return this.report(drift.join(", "));
    try {
      await client.request("PUT", `${path}/${WEBHOOK.configuration}`, { body: { ...current, webhooks: desired } });
    } catch (error) {
      if (isNotFound(error)) return; // deleted meanwhile: its event brings us back
      throw error;
    }
    if (this.setUp) this.repairs += 1;
    log.info(this.setUp ? "repaired the webhook configuration" : "set up the webhook configuration", { configuration: WEBHOOK.configuration, drift: drift.join(", ") });
    this.setUp = true;
  };

  private report(drift: string): void {
    if (this.reportedDrift === drift) return;
    this.reportedDrift = drift;
    this.context.log.warn("webhook configuration changed; not repairing it (LLAMASTACK_NO_WEBHOOK_REPAIR=true)", { configuration: WEBHOOK.configuration, drift });
  }
}
