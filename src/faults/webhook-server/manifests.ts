// The objects that run operator-chaos's admission webhook server (assets/webhook-server.mjs) on a
// cluster: the server's code in a ConfigMap, a generated serving certificate in a Secret, a
// Deployment of a public Node.js image that runs the code from its environment, a Service, and
// the ValidatingWebhookConfiguration that points at it. On the lab the same Deployment selects
// and tolerates the process-runner node, so it runs as a real local process.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../experiment/package-root.js";
import type { ServingCertificate } from "./certificates.js";

/** A public image with Node.js; the server needs nothing else (no npm packages). */
export const WEBHOOK_SERVER_IMAGE = "docker.io/library/node:20-alpine";
export const WEBHOOK_SERVER_PORT = 8443;
export const SERVER_KEY = "webhook-server.mjs";
/** The lab's process-runner node (src/lab/runner): label and taint. */
export const PROCESS_NODE_LABEL = "lab.operator-chaos.io/runner";
export const PROCESS_NODE_VALUE = "process";

export function webhookServerSource(): string {
  return readFileSync(join(packageRoot(), "assets", SERVER_KEY), "utf8");
}

export interface WebhookRule {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope?: "Namespaced" | "Cluster" | "*";
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface WebhookServerOptions {
  /** Name of every object (ConfigMap `<name>-server`, Secret `<name>-certs`). */
  name: string;
  namespace: string;
  labels: Record<string, string>;
  certificate: ServingCertificate;
  delayMs: number;
  mode: "allow" | "deny";
  denyMessage?: string;
  rules: WebhookRule[];
  failurePolicy: "Fail" | "Ignore";
  timeoutSeconds: number;
  namespaceSelector?: LabelSelectorSpec;
  objectSelector?: LabelSelectorSpec;
  /** Run the pod on the lab's process-runner node. */
  onProcessNode: boolean;
}

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string> }; [field: string]: unknown };

export interface WebhookServerManifests {
  configMap: Manifest;
  secret: Manifest;
  deployment: Manifest;
  service: Manifest;
  webhookConfiguration: Manifest;
}

export const serverConfigMapName = (name: string) => `${name}-server`;
export const certificateSecretName = (name: string) => `${name}-certs`;
/** The webhook's own name inside the configuration: must be a fully qualified name. */
export const webhookEntryName = (name: string) => `${name}.chaos.operatorchaos.io`;

export function webhookServerManifests(options: WebhookServerOptions): WebhookServerManifests {
  const { name, namespace, certificate } = options;
  const labels = { ...options.labels, app: name };
  const meta = (objectName: string, namespaced = true) => ({ name: objectName, ...(namespaced ? { namespace } : {}), labels });
  const configMap: Manifest = {
    apiVersion: "v1", kind: "ConfigMap", metadata: meta(serverConfigMapName(name)),
    data: { [SERVER_KEY]: webhookServerSource() },
  };
  const secret: Manifest = {
    apiVersion: "v1", kind: "Secret", metadata: meta(certificateSecretName(name)), type: "kubernetes.io/tls",
    data: {
      "tls.crt": Buffer.from(certificate.certPem).toString("base64"),
      "tls.key": Buffer.from(certificate.keyPem).toString("base64"),
      "ca.crt": Buffer.from(certificate.caPem).toString("base64"),
    },
  };
  const env = [
    { name: "WEBHOOK_SERVER", valueFrom: { configMapKeyRef: { name: serverConfigMapName(name), key: SERVER_KEY } } },
    { name: "WEBHOOK_TLS_CERT", valueFrom: { secretKeyRef: { name: certificateSecretName(name), key: "tls.crt" } } },
    { name: "WEBHOOK_TLS_KEY", valueFrom: { secretKeyRef: { name: certificateSecretName(name), key: "tls.key" } } },
    { name: "WEBHOOK_PORT", value: String(WEBHOOK_SERVER_PORT) },
    { name: "WEBHOOK_DELAY_MS", value: String(Math.round(options.delayMs)) },
    { name: "WEBHOOK_MODE", value: options.mode },
    ...(options.denyMessage ? [{ name: "WEBHOOK_DENY_MESSAGE", value: options.denyMessage }] : []),
  ];
  const deployment: Manifest = {
    apiVersion: "apps/v1", kind: "Deployment", metadata: meta(name),
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 5,
          ...(options.onProcessNode ? {
            nodeSelector: { [PROCESS_NODE_LABEL]: PROCESS_NODE_VALUE },
            tolerations: [{ key: PROCESS_NODE_LABEL, operator: "Equal", value: PROCESS_NODE_VALUE, effect: "NoSchedule" }],
          } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
          containers: [{
            name: "webhook",
            image: WEBHOOK_SERVER_IMAGE,
            // The kubelet (and the lab's runner) expand $(WEBHOOK_SERVER): the code needs no volume.
            command: ["node", "--input-type=module", "-e", "$(WEBHOOK_SERVER)"],
            env,
            ports: [{ name: "https", containerPort: WEBHOOK_SERVER_PORT, protocol: "TCP" }],
            readinessProbe: { httpGet: { path: "/readyz", port: WEBHOOK_SERVER_PORT, scheme: "HTTPS" }, periodSeconds: 1, failureThreshold: 3 },
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          }],
        },
      },
    },
  };
  const service: Manifest = {
    apiVersion: "v1", kind: "Service", metadata: meta(name),
    spec: { selector: { app: name }, ports: [{ name: "https", port: 443, targetPort: WEBHOOK_SERVER_PORT, protocol: "TCP" }] },
  };
  const webhookConfiguration: Manifest = {
    apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", metadata: meta(name, false),
    webhooks: [{
      name: webhookEntryName(name),
      clientConfig: { service: { name, namespace, path: "/validate", port: 443 }, caBundle: Buffer.from(certificate.caPem).toString("base64") },
      rules: options.rules,
      failurePolicy: options.failurePolicy,
      // Dry-run requests are sent to it too: that is how a run times the delay before observing.
      sideEffects: "None",
      timeoutSeconds: options.timeoutSeconds,
      admissionReviewVersions: ["v1"],
      ...(options.namespaceSelector ? { namespaceSelector: options.namespaceSelector } : {}),
      ...(options.objectSelector ? { objectSelector: options.objectSelector } : {}),
    }],
  };
  return { configMap, secret, deployment, service, webhookConfiguration };
}

/** REST collection of each object (namespaced ones in `namespace`). */
export function collectionPathOf(kind: string, namespace: string): string {
  switch (kind) {
    case "ConfigMap": return `/api/v1/namespaces/${namespace}/configmaps`;
    case "Secret": return `/api/v1/namespaces/${namespace}/secrets`;
    case "Service": return `/api/v1/namespaces/${namespace}/services`;
    case "Deployment": return `/apis/apps/v1/namespaces/${namespace}/deployments`;
    case "ValidatingWebhookConfiguration": return "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
    default: throw new Error(`no collection known for ${kind}`);
  }
}
