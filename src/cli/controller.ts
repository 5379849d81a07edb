import type { Command } from "commander";

interface StartFlags {
  namespace?: string;
  allNamespaces?: boolean;
  metricsAddr: string;
  healthAddr: string;
  knowledgeDir?: string;
  maxConcurrent: string;
  leaderElect?: boolean;
  leaderElectNamespace?: string;
  kubeconfig?: string;
  context?: string;
}

class UsageError extends Error {
  override name = "UsageError";
}

/** `operator-chaos controller start`: run ChaosExperiment objects in the cluster. */
export function registerControllerCommands(program: Command): void {
  const controller = program.command("controller").description("in-cluster controller mode: run ChaosExperiment objects applied to the cluster");
  controller.command("start")
    .description("watch ChaosExperiment objects and run each generation once, with the same engine as `run`; status, Events and /metrics tell the results")
    .option("-n, --namespace <namespace>", "watch this namespace (default: $WATCH_NAMESPACE, else the kubeconfig's namespace)")
    .option("-A, --all-namespaces", "watch every namespace")
    .option("--metrics-addr <addr>", "address of /metrics", ":8080")
    .option("--health-addr <addr>", "address of /healthz and /readyz", ":8081")
    .option("--leader-elect", "several replicas: only the holder of the Lease operator-chaos-controller reconciles; the others stand by")
    .option("--leader-elect-namespace <namespace>", "namespace of that Lease (default: $POD_NAMESPACE, else the watched namespace, else default)")
    .option("--knowledge-dir <dir>", "every knowledge model in this folder (managed resources are watched too)")
    .option("--max-concurrent <n>", "runs at the same time (different operators; one operator's runs are serialised by its lock)", "4")
    .option("--kubeconfig <file>", "path to the kubeconfig (default: in-cluster, $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .action(async (flags: StartFlags) => {
      process.exitCode = await start(flags);
    });
}

async function start(flags: StartFlags): Promise<number> {
  const maxConcurrent = Number(flags.maxConcurrent);
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new UsageError(`--max-concurrent must be a whole number of at least 1, got "${flags.maxConcurrent}"`);
  if (flags.namespace && flags.allNamespaces) throw new UsageError("--namespace and --all-namespaces exclude each other");
  const { parseAddress } = await import("../controller/server.js");
  for (const address of [flags.metricsAddr, flags.healthAddr]) {
    try {
      parseAddress(address);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const { loadKubeConfig } = await import("../kube/client.js");
  const config = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const namespace = flags.allNamespaces ? undefined : flags.namespace ?? process.env.WATCH_NAMESPACE ?? config.getContextObject(config.getCurrentContext())?.namespace ?? "default";
  const { loadKnowledgeDir } = await import("../controller/knowledge.js");
  const knowledge = await loadKnowledgeDir(flags.knowledgeDir);

  const { Reconciler } = await import("../controller/reconciler.js");
  const { listen, routesFor } = await import("../controller/server.js");
  const stop = new AbortController();
  let stopping = false;
  let lostLead = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`received ${signal} again: ignored, runs in flight are reverting`);
      return;
    }
    stopping = true;
    log(`received ${signal}: aborting runs in flight (they revert), then exiting`);
    stop.abort(new Error(`the controller received ${signal}`));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, onSignal);

  const reconciler = new Reconciler({ kubeconfig: config, namespace, knowledge, maxConcurrent, signal: stop.signal, log });
  const routes = routesFor({ metrics: () => reconciler.metrics.text(), metricsContentType: reconciler.metrics.registry.contentType, ready: () => reconciler.ready });
  const servers = [];
  // One server when both addresses are the same port (port 0 means two ports of the system's choice).
  if (flags.metricsAddr === flags.healthAddr && parseAddress(flags.metricsAddr).port !== 0) {
    servers.push(await listen(flags.metricsAddr, { ...routes.metrics, ...routes.health }));
    log(`metrics on ${servers[0]!.url}/metrics; health on ${servers[0]!.url}/healthz`);
  } else {
    servers.push(await listen(flags.metricsAddr, routes.metrics));
    servers.push(await listen(flags.healthAddr, routes.health));
    log(`metrics on ${servers[0]!.url}/metrics; health on ${servers[1]!.url}/healthz`);
  }
  let leader: { release(): Promise<void> } | undefined;
  if (flags.leaderElect) {
    const { becomeLeader, LEADER_LEASE } = await import("../controller/leader.js");
    const { hostname } = await import("node:os");
    const leaseNamespace = flags.leaderElectNamespace ?? process.env.POD_NAMESPACE ?? namespace ?? "default";
    log(`leader election: waiting for the Lease ${leaseNamespace}/${LEADER_LEASE}`);
    try {
      leader = await becomeLeader(reconciler.access.rest, leaseNamespace, `${hostname()}_${process.pid}`, stop.signal, log, (reason) => {
        // As controller-runtime: a replica that lost the lead stops (its runs revert) and exits non-zero.
        log(`lost the lead: ${reason}; stopping`);
        lostLead = true;
        stop.abort(new Error(`lost the lead: ${reason}`));
      });
    } catch (error) {
      for (const { server } of servers) server.close();
      if (!stop.signal.aborted) throw error;
      return 0;
    }
    log("leading");
  }
  await reconciler.start();
  log(`watching ChaosExperiments in ${namespace ? `namespace ${namespace}` : "every namespace"} (at most ${maxConcurrent} runs at a time)`);
  await new Promise<void>((resolve) => stop.signal.addEventListener("abort", () => resolve(), { once: true }));
  await reconciler.drain();
  for (const { server } of servers) server.close();
  if (leader && !lostLead) await leader.release().catch((error: Error) => log(`could not release the leader Lease: ${error.message}`));
  reconciler.access.rest.close();
  log("stopped");
  return lostLead ? 1 : 0;
}
