#!/usr/bin/env node
// The llamastack controller manager of the demo: a small operator that behaves like a
// controller-runtime one. It elects a leader on a Lease, watches (with resync) the serving config,
// LlamaStackDistributions and the Deployments and Services it makes for them, reconciles with
// back-off, and rides out lost connections and 403s without a restart. The switches in
// ../switches.ts each break one of those behaviours.
//
// HTTP on LLAMASTACK_HTTP_PORT (8080): /healthz (alive), /readyz (leading or led once, caches
// synced, not given up), /metrics (Prometheus text).
import { createServer } from "node:http";
import { ApiHealth } from "./api-health.js";
import { Controller } from "./controller.js";
import { Informer, objectKey, type KubeObject } from "./informer.js";
import { KubeClient, loadEndpoint } from "./kube.js";
import { chaosInjector, watchChaosConfig } from "./chaos.js";
import { LeaderElector } from "./leader.js";
import { stdoutLogger as log } from "./log.js";
import { DistributionReconciler, ServingConfigReconciler } from "./reconcilers.js";
import { NAMES, settingsFrom } from "./settings.js";
import { WorkspaceReconciler } from "./workspace.js";
import { WEBHOOK, WebhookReconciler } from "./webhook.js";
import { DisruptionBudgetReconciler } from "./disruption.js";
import { SWITCHES } from "../switches.js";

const settings = settingsFrom(process.env);
const { switches } = settings;
const enabled = (Object.keys(switches) as (keyof typeof switches)[]).filter((name) => switches[name]).map((name) => SWITCHES[name]);
log.info("starting llamastack controller manager", {
  pod: settings.podName, namespace: settings.namespace, identity: settings.identity, pid: process.pid,
  brokenBy: enabled.length > 0 ? enabled.join(",") : "nothing (resilient)",
});
if (!process.env.KUBECONFIG) {
  log.error("KUBECONFIG is not set: run me as a pod on the lab's process node, or export KUBECONFIG");
  process.exit(2);
}

const health = new ApiHealth(log);
// Client-side faults (ClientFault experiments): every request of this client consults the SDK's injector.
const injector = chaosInjector();
const client = new KubeClient(loadEndpoint(process.env.KUBECONFIG), settings.requestTimeoutMs, health, injector);
const informerOptions = { resyncMs: settings.resyncMs, backoff: settings.backoff };
const managedSelector = `${NAMES.managedByLabel}=${NAMES.managedByValue}`;

const configs = new Informer(client, log, {
  ...informerOptions, name: "serving-config", path: `/api/v1/namespaces/${settings.namespace}/configmaps`, fieldSelector: `metadata.name=${NAMES.servingConfig}`,
}, (_event, object) => {
  configController.enqueue(objectKey(object));
  // The config shapes every distribution's Deployment.
  for (const key of distributions.cache.keys()) distributionController.enqueue(key);
});
const distributions = new Informer(client, log, {
  ...informerOptions, name: "distributions", path: `/apis/${NAMES.group}/${NAMES.version}/${NAMES.plural}`,
}, (_event, object) => distributionController.enqueue(objectKey(object)));
const ownerKey = (object: KubeObject) => {
  const owner = object.metadata?.ownerReferences?.find((ref) => ref.controller && ref.kind === NAMES.kind);
  // An orphan (its owner reference removed) still names its distribution by label: it is adopted again.
  const name = owner?.name ?? object.metadata?.labels?.[NAMES.instanceLabel];
  return name ? `${object.metadata?.namespace}/${name}` : undefined;
};
const enqueueOwner = (_event: string, object: KubeObject) => {
  const key = ownerKey(object);
  if (key) distributionController.enqueue(key);
};
const deployments = new Informer(client, log, { ...informerOptions, name: "deployments", path: "/apis/apps/v1/deployments", labelSelector: managedSelector }, enqueueOwner);
const services = new Informer(client, log, { ...informerOptions, name: "services", path: "/api/v1/services", labelSelector: managedSelector }, enqueueOwner);
const secrets = new Informer(client, log, { ...informerOptions, name: "secrets", path: "/api/v1/secrets", labelSelector: managedSelector }, enqueueOwner);
const enqueueWorkspace = () => workspaceController.enqueue(workspaceReconciler.key);
const namespaces = new Informer(client, log, {
  ...informerOptions, name: "workspace-namespace", path: "/api/v1/namespaces", fieldSelector: `metadata.name=${NAMES.workspaceNamespace}`,
}, enqueueWorkspace);
const catalogs = new Informer(client, log, {
  ...informerOptions, name: "model-catalog", path: `/api/v1/namespaces/${NAMES.workspaceNamespace}/configmaps`, fieldSelector: `metadata.name=${NAMES.modelCatalog}`,
}, enqueueWorkspace);
const webhookConfigurations = new Informer(client, log, {
  ...informerOptions, name: "webhook-configuration", path: "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
  fieldSelector: `metadata.name=${WEBHOOK.configuration}`,
}, () => webhookController.enqueue(webhookReconciler.key));
const informers = [configs, distributions, deployments, services, secrets, namespaces, catalogs, webhookConfigurations];
// The PDBBlock switch only: the shipped operator never looks at disruption budgets.
const budgets = switches.ignoreDisruptionBudget
  ? new Informer(client, log, { ...informerOptions, name: "disruption-budgets", path: `/apis/policy/v1/namespaces/${settings.namespace}/poddisruptionbudgets` },
    () => budgetController?.enqueue(budgetReconciler!.key))
  : undefined;
if (budgets) informers.push(budgets);
informers.push(watchChaosConfig(client, log, injector, { namespace: settings.namespace, podName: settings.podName, resyncMs: settings.resyncMs, backoff: settings.backoff }));
const allSynced = Promise.all(informers.map((informer) => informer.synced));

const context = {
  client, log, namespace: settings.namespace, podName: settings.podName, disableDriftRepair: switches.disableDriftRepair, deleteOnNameClash: switches.deleteOnNameClash,
  adoptedFields: {
    replicas: switches.ignoreReplicaDrift, command: switches.ignoreCommandDrift, image: switches.ignoreImageDrift,
    labels: switches.ignoreLabelDrift, owners: switches.noReadoption, rolloutSettings: switches.ignoreRolloutSettings,
  },
  configs, distributions, deployments, services, secrets,
  // API keys are derived from the distribution's UID with this key (the same value after a deletion).
  operatorKey: process.env.LLAMASTACK_OPERATOR_KEY || "llamastack-demo-operator-key",
  noServiceRecreate: switches.noServiceRecreate, regenerateSecret: switches.regenerateSecret,
  forgetDeletedDeployment: switches.forgetDeletedDeployment,
};
const configReconciler = new ServingConfigReconciler(context);
const distributionReconciler = new DistributionReconciler(context);
const configController = new Controller("serving-config", configReconciler.reconcile, log, settings.backoff);
const distributionController = new Controller("distributions", distributionReconciler.reconcile, log, settings.backoff);
const workspaceReconciler = new WorkspaceReconciler({ client, log, namespaces, catalogs, noNamespaceRecreate: switches.noNamespaceRecreate });
const workspaceController = new Controller("workspace", workspaceReconciler.reconcile, log, settings.backoff);
const webhookReconciler = new WebhookReconciler({
  client, log, namespace: settings.namespace, configurations: webhookConfigurations, noWebhookRepair: switches.noWebhookRepair,
});
const webhookController = new Controller("webhook-configuration", webhookReconciler.reconcile, log, settings.backoff);
const budgetReconciler = budgets ? new DisruptionBudgetReconciler({ client, log, namespace: settings.namespace, podName: settings.podName, budgets }) : undefined;
const budgetController = budgetReconciler ? new Controller("disruption-budget", budgetReconciler.reconcile, log, settings.backoff) : undefined;
const controllers = [configController, distributionController, workspaceController, webhookController, ...(budgetController ? [budgetController] : [])];

let synced = false;
let shuttingDown = false;
let ledOnce = false;
let gaveUp: string | undefined;

const elector = new LeaderElector(client, log, {
  namespace: settings.namespace, name: NAMES.lease, identity: settings.identity,
  ...settings.lease, noLeaderRecovery: switches.noLeaderRecovery, ignoreLostLease: switches.ignoreLostLease,
  // Tuned on a fast API server: enough for a Lease write there, not behind a slow admission webhook.
  ...(switches.shortLeaseTimeout ? { requestTimeoutMs: 500 } : {}),
}, {
  started: () => {
    // Reconciling from half-filled caches would "create" what exists: wait for the sync, as
    // controller-runtime does before it starts its controllers.
    void allSynced.then(() => {
      if (!elector.isLeader) return;
      ledOnce = true;
      // Whatever changed while we were not leading: look at everything once.
      configController.enqueue(configReconciler.key);
      enqueueWorkspace();
      webhookController.enqueue(webhookReconciler.key);
      if (budgetReconciler) budgetController!.enqueue(budgetReconciler.key);
      for (const key of distributions.cache.keys()) distributionController.enqueue(key);
      for (const controller of controllers) controller.resume();
    });
  },
  stopped: () => {
    for (const controller of controllers) controller.pause();
    if (switches.shortLeaseTimeout && !shuttingDown) {
      // A manager whose leader-election loop ends with its lead: the process lives on, unready.
      giveUp("a lost lead", "lost the lead; giving up: no more campaigning or reconciling, /readyz answers 503 (LLAMASTACK_SHORT_LEASE_TIMEOUT=true)", {});
    }
  },
});

// A watch the API server can no longer reach goes quiet rather than failing: when any request
// finds the server unreachable, drop the watches so they reconnect (and resume) once it is back.
health.onConnectionLost((reason) => {
  for (const informer of informers) informer.abandonWatch(`api server unreachable (${reason})`);
});

if (switches.exitOnForbidden) {
  health.onForbidden((message) => {
    log.error("exiting on 403 Forbidden (LLAMASTACK_EXIT_ON_FORBIDDEN=true)", { error: message });
    process.exit(1);
  });
}

/** What the give-up switches do: stop for good while the process lives on, /readyz answering 503. */
function giveUp(cause: string, message: string, fields: Record<string, string>): void {
  if (gaveUp) return;
  gaveUp = cause;
  log.error(message, fields);
  for (const controller of controllers) controller.pause();
  for (const each of informers) each.stop();
  elector.halt();
}

if (switches.giveUpOnLostWatch) {
  for (const informer of informers) {
    informer.onWatchLost((reason) => giveUp(`a lost watch: ${reason}`, "a watch was lost; giving up: no more reconciling, /readyz answers 503 (LLAMASTACK_GIVE_UP_ON_LOST_WATCH=true)", { reason }));
  }
}

if (switches.giveUpOnConflict) {
  health.onConflictOrThrottled((message) =>
    giveUp(`a conflict or 429: ${message}`, "a request got a conflict or a 429; giving up instead of retrying: no more reconciling, /readyz answers 503 (LLAMASTACK_GIVE_UP_ON_CONFLICT=true)", { error: message }));
}

if (switches.giveUpOnQuota) {
  // A quota refusal is a 403, but not a permission problem: it passes once the quota has room.
  health.onForbidden((message) => {
    if (/exceeded quota|status unknown for quota/.test(message)) {
      giveUp(`a quota refusal: ${message}`, "a create was refused by a ResourceQuota; giving up instead of retrying: no more reconciling, /readyz answers 503 (LLAMASTACK_GIVE_UP_ON_QUOTA=true)", { error: message });
    }
  });
}

function readiness(): { ready: boolean; reason: string } {
  if (switches.zombie) return { ready: true, reason: "ready (a zombie: reconciling nothing)" };
  if (gaveUp) return { ready: false, reason: `gave up after ${gaveUp}` };
  if (!synced) return { ready: false, reason: "caches not synced yet" };
  if (!ledOnce) return { ready: false, reason: "not leader yet" };
  return { ready: true, reason: elector.isLeader ? "leading" : "running (not leading right now)" };
}

function metrics(): string {
  const lines = [
    "# TYPE llamastack_operator_ready gauge", `llamastack_operator_ready ${readiness().ready ? 1 : 0}`,
    "# TYPE llamastack_operator_leader gauge", `llamastack_operator_leader ${elector.isLeader ? 1 : 0}`,
    "# TYPE llamastack_operator_api_reachable gauge", `llamastack_operator_api_reachable ${health.reachable ? 1 : 0}`,
    "# TYPE llamastack_operator_api_requests_total counter", `llamastack_operator_api_requests_total ${health.counters.requests}`,
    "# TYPE llamastack_operator_api_errors_total counter",
    ...["forbidden", "unauthorized", "timeout", "connection", "server"].map((kind) =>
      `llamastack_operator_api_errors_total{kind="${kind}"} ${health.counters.failures.get(kind as never) ?? 0}`),
    "# TYPE llamastack_operator_api_access_lost_total counter", `llamastack_operator_api_access_lost_total ${health.counters.accessLost}`,
    "# TYPE llamastack_operator_api_access_restored_total counter", `llamastack_operator_api_access_restored_total ${health.counters.accessRestored}`,
    "# TYPE llamastack_operator_watch_restarts_total counter",
    `llamastack_operator_watch_restarts_total ${informers.reduce((sum, informer) => sum + informer.watchRestarts, 0)}`,
    "# TYPE llamastack_operator_leader_transitions_total counter", `llamastack_operator_leader_transitions_total ${elector.transitions}`,
    "# TYPE llamastack_operator_reconcile_total counter",
    ...controllers.map((c) => `llamastack_operator_reconcile_total{controller="${c.name}"} ${c.reconciles}`),
    "# TYPE llamastack_operator_reconcile_errors_total counter",
    ...controllers.map((c) => `llamastack_operator_reconcile_errors_total{controller="${c.name}"} ${c.errors}`),
    "# TYPE llamastack_operator_chaos_active gauge", `llamastack_operator_chaos_active ${injector.active ? 1 : 0}`,
    "# TYPE llamastack_operator_drift_repairs_total counter", `llamastack_operator_drift_repairs_total ${configReconciler.driftRepairs}`,
    "# TYPE llamastack_operator_namespace_recreations_total counter", `llamastack_operator_namespace_recreations_total ${workspaceReconciler.namespaceRecreations}`,
    "# TYPE llamastack_operator_webhook_repairs_total counter", `llamastack_operator_webhook_repairs_total ${webhookReconciler.repairs}`,
    "# TYPE llamastack_operator_webhook_denied_total counter", `llamastack_operator_webhook_denied_total ${webhookReconciler.denied}`,
  ];
  return `${lines.join("\n")}\n`;
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://operator").pathname;
  if (path === "/healthz") {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
  } else if (path === "/readyz") {
    const { ready, reason } = readiness();
    res.writeHead(ready ? 200 : 503, { "Content-Type": "text/plain" }).end(`${reason}\n`);
  } else if (path === "/metrics") {
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(metrics());
  } else {
    res.writeHead(404).end();
  }
});
server.listen(settings.port, "0.0.0.0", () => log.info("serving health and metrics", { port: settings.port }));
const webhookServer = webhookReconciler.serve();

if (switches.zombie) {
  // A controller whose work loop died while its process and probes live on: nothing but a Ready pod.
  log.warn("zombie: Ready, reconciling nothing (LLAMASTACK_ZOMBIE=true)");
} else {
  for (const informer of informers) informer.start();
  void allSynced.then(() => {
    synced = true;
    log.info("caches synced", { informers: informers.length });
  });
  elector.start();
}

async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info("shutting down", { signal });
  for (const controller of controllers) controller.pause();
  for (const informer of informers) informer.stop();
  // Release the Lease so the successor need not wait for it to expire; bounded, we are being stopped.
  await Promise.race([elector.stop(), new Promise((resolve) => setTimeout(resolve, 3_000))]);
  server.close();
  webhookServer.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("unhandledRejection", (error) => log.error("unhandled rejection", { error: (error as Error)?.stack ?? String(error) }));
