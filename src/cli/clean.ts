import type { Command } from "commander";
import { addClusterRequestOptions, documentExitCodes, isStructured, OutputFormat, outputOption, printStructured, quietOption } from "./output.js";

interface CleanFlags {
  namespace?: string;
  allNamespaces?: boolean;
  watch?: boolean;
  dryRun?: boolean;
  kubeconfig?: string;
  context?: string;
  output: OutputFormat;
  quiet?: boolean;
}

/** `operator-chaos clean`: revert every journaled fault of dead or expired runs, and the Go tool's leftovers. */
export function registerCleanCommand(program: Command): void {
  const command = program.command("clean")
    .description("revert every fault left by a crashed or interrupted run (journal records, TTL-expired faults, Go tool leftovers)")
    .option("-n, --namespace <namespace>", "only this namespace (default: every namespace you may list)")
    .option("-A, --all-namespaces", "every namespace you may list (the default; kept for scripts)")
    .option("--watch", "keep running: revert faults as soon as their run dies or their TTL passes")
    .option("--dry-run", "show what would be reverted; change nothing")
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml]))
    .addOption(quietOption("print only the summary line (and errors)"))
    .action(async (flags: CleanFlags) => {
      const { loadKubeConfig } = await import("../kube/client.js");
      const { clusterAccess } = await import("../engine/context.js");
      const { clean } = await import("../engine/clean.js");
      const { LeaseJudge } = await import("../engine/liveness.js");
      const config = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
      if (flags.allNamespaces && flags.namespace) {
        process.stderr.write("Error: -n and -A exclude each other\n");
        process.exitCode = 2;
        return;
      }
      // Every namespace it may list, unless -n restricts it (the Go tool looked in one namespace only).
      const namespace = flags.namespace;
      const fallbackNamespace = config.getContextObject(config.getCurrentContext())?.namespace ?? "default";
      const access = clusterAccess(config);
      const controller = new AbortController();
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          process.stderr.write(`received ${signal} again: ignored, finishing the revert in progress\n`);
          return;
        }
        stopping = true;
        controller.abort(new Error(`received ${signal}`));
      };
      for (const name of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(name, stop);
      const judge = new LeaseJudge();
      const once = async () => {
        const result = await clean({
          access, namespace, fallbackNamespace, judge, dryRun: flags.dryRun ?? false, signal: controller.signal,
          onItem: (item) => {
            if (flags.output === OutputFormat.Text && !flags.quiet) {
              process.stdout.write(`${item.outcome.padEnd(13)} ${item.faultType.padEnd(18)} ${item.target}${item.detail ? `  (${item.detail})` : ""}\n`);
            }
          },
        });
        if (isStructured(flags.output)) await printStructured(result, flags.output);
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
      await watchCleanTriggers(access, {
        namespace, signal: controller.signal, judge,
        onError: (error) => process.stderr.write(`clean --watch: ${error.message} (still watching)\n`),
      }, once);
    });
  addClusterRequestOptions(command);
  documentExitCodes(command, { 0: "nothing left, or everything reverted", 1: "a revert failed" });
}
