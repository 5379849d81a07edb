import type { Command } from "commander";
import { addClusterRequestOptions, documentExitCodes, isStructured, OutputFormat, outputOption, printStructured } from "./output.js";

interface VersionFlags {
  output: OutputFormat;
  client?: boolean;
  kubeconfig?: string;
  context?: string;
  requestTimeout?: string;
}

/** The result of `version -o json`: the client always, the server when it answered. */
export interface VersionInfo {
  client: { version: string; node: string };
  server?: { gitVersion: string; platform?: string };
  serverError?: string;
}

/** Short by default: `version` must answer quickly when no cluster is reachable. */
const DEFAULT_VERSION_TIMEOUT_MS = 3_000;

/** `operator-chaos version`, worded like the Go tool's, plus the API server's version as kubectl shows it. */
export function registerVersionCommand(program: Command): void {
  const command = program.command("version")
    .description("print the version of operator-chaos and, when the cluster of the kubeconfig answers, of its API server")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml]))
    .option("--client", "the client version only; contact no cluster")
    .option("--kubeconfig <file>", "path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context");
  addClusterRequestOptions(command)
    .action(async (flags: VersionFlags) => {
      const info = await versionInfo(flags);
      if (isStructured(flags.output)) return printStructured(info, flags.output);
      const lines = [`operator-chaos version ${info.client.version}`];
      if (info.server) lines.push(`server: ${info.server.gitVersion}${info.server.platform ? ` (${info.server.platform})` : ""}`);
      else if (info.serverError !== undefined) lines.push(`server: unreachable (${info.serverError})`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
  documentExitCodes(command, { 0: "printed (an unreachable server is reported, not an error)" });
}

async function versionInfo(flags: VersionFlags): Promise<VersionInfo> {
  const { readFileSync } = await import("node:fs");
  const { packageRoot } = await import("../experiment/package-root.js");
  const { join } = await import("node:path");
  const { version } = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  const client = { version, node: process.version };
  if (flags.client) return { client };
  // A malformed flag is a usage error (status 2), not an unreachable server.
  const { requestTimeoutMs } = await import("./cluster-flags.js");
  const timeoutMs = requestTimeoutMs(flags.requestTimeout) ?? DEFAULT_VERSION_TIMEOUT_MS;
  try {
    const { loadKubeConfig } = await import("../kube/client.js");
    const { KubeRest } = await import("../kube/rest.js");
    const rest = new KubeRest(loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context }));
    try {
      const body = await rest.get<{ gitVersion?: string; platform?: string }>("/version", { timeoutMs, retry: false, ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}) });
      return { client, server: { gitVersion: body.gitVersion ?? "unknown", ...(body.platform ? { platform: body.platform } : {}) } };
    } finally {
      rest.close();
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { client, serverError: message.includes("aborted") || message.includes("timeout") ? `no answer within the request timeout: ${message}` : message };
  }
}
