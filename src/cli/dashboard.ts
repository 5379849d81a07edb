import type { Command } from "commander";

interface DashboardFlags {
  addr: string;
  db?: string;
  reports: string[];
  knowledgeDir?: string;
  kubeconfig?: string;
  context?: string;
  cluster: boolean;
  token?: string;
  printOpenapi?: boolean;
}

/** `operator-chaos dashboard`: serve the UI and JSON API over the history, the report folders and the cluster. */
export function registerDashboardCommand(program: Command): void {
  program.command("dashboard")
    .description("serve a read-only web dashboard: live runs, history, coverage, suite comparison")
    .option("--addr <host:port>", "where to listen (a non-loopback address needs --token)", "127.0.0.1:8080")
    .option("--db <file>", "SQLite history file (created if missing); without it the history lives in memory")
    .option("--reports <dir...>", "report folders (run --report-dir, suite --report-dir) to ingest and watch", [])
    .option("--knowledge-dir <dir>", "knowledge models to show on the knowledge page (dependency graph coloured by latest verdict)")
    .option("--kubeconfig <file>", "kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("--no-cluster", "do not watch a cluster (report folders only)")
    .option("--token <token>", "bearer token the API requires (default: $OPERATOR_CHAOS_DASHBOARD_TOKEN)")
    .option("--print-openapi", "print the API's OpenAPI document and exit")
    .action(async (flags: DashboardFlags) => {
      if (flags.printOpenapi) {
        const { openApiDocument } = await import("../dashboard/openapi.js");
        const { packageVersion } = await import("../dashboard/app.js");
        process.stdout.write(`${JSON.stringify(openApiDocument(packageVersion()), null, 2)}\n`);
        return;
      }
      const { parseAddress } = await import("../dashboard/server.js");
      const { startDashboard } = await import("../dashboard/app.js");
      const { host, port } = parseAddress(flags.addr);
      const token = flags.token ?? process.env.OPERATOR_CHAOS_DASHBOARD_TOKEN;
      let rest;
      if (flags.cluster) {
        const { loadKubeConfig } = await import("../kube/client.js");
        const { KubeRest } = await import("../kube/rest.js");
        rest = new KubeRest(loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context }));
      }
      const dashboard = await startDashboard({
        host, port, reports: flags.reports, warn: (text) => process.stderr.write(`dashboard: ${text}\n`),
        ...(flags.db ? { db: flags.db } : {}), ...(flags.knowledgeDir ? { knowledgeDir: flags.knowledgeDir } : {}), ...(token ? { token } : {}), ...(rest ? { rest } : {}),
      });
      process.stdout.write(`dashboard: ${dashboard.url} (${dashboard.history.count()} report(s) in the history)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await dashboard.close();
    });
}
