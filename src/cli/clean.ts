import type { Command } from "commander";

interface CleanFlags {
  namespace?: string;
  allNamespaces?: boolean;
  watch?: boolean;
  dryRun?: boolean;
  kubeconfig?: string;
  context?: string;
  output?: string;
}

/** `operator-chaos clean`: revert every journaled fault of dead or expired runs, and the Go tool's leftovers. */
export function registerCleanCommand(program: Command): void {
  program.command("clean")
    .description("revert every fault left by a crashed or interrupted run (journal records, TTL-expired faults, Go tool leftovers)")
    .option("-n, --namespace <namespace>", "only this namespace (default: the kubeconfig context's namespace)")
    .option("-A, --all-namespaces", "every namespace")
    .option("--watch", "keep running: revert faults as soon as their run dies or their TTL passes")
    .option("--dry-run", "show what would be reverted; change nothing")
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("-o, --output <format>", "text or json", "text")
    .action(async (flags: CleanFlags) => {
      const { loadKubeConfig } = await import("../kube/client.js");
      const { clusterAccess } = await import("../engine/context.js");
      const { clean } = await import("../engine/clean.js");
      const config = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
      const namespace = flags.allNamespaces ? undefined : (flags.namespace ?? config.getContextObject(config.getCurrentContext())?.namespace ?? "default");
      const access = clusterAccess(config);
      const controller = new AbortController();
      const stop = () => controller.abort(new Error("interrupted"));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      const once = async () => {
        const result = await clean({
          access, namespace, dryRun: flags.dryRun ?? false, signal: controller.signal,
          onItem: (item) => {
            if (flags.output !== "json") {
              process.stdout.write(`${item.outcome.padEnd(13)} ${item.faultType.padEnd(18)} ${item.target}${item.detail ? `  (${item.detail})` : ""}\n`);
            }
          },
        });
        if (flags.output === "json") process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else if (result.items.length === 0 && !flags.watch) process.stdout.write(`No chaos artifacts found${namespace ? ` in ${namespace}` : ""}.\n`);
        else if (!flags.watch) process.stdout.write(`${result.reverted} reverted, ${result.failed} failed, ${result.skippedLive} belong to running experiments\n`);
        return result;
      };
      if (!flags.watch) {
        const result = await once();
        process.exitCode = result.failed > 0 ? 1 : 0;
        return;
      }
      const { watchCleanTriggers } = await import("../engine/clean-watch.js");
      await watchCleanTriggers(access, namespace, controller.signal, once);
    });
}
