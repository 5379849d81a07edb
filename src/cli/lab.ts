import type { Command } from "commander";
import { isStructured, OutputFormat, outputOption, printStructured } from "./output.js";
import { registerLabLogsCommand } from "./lab-logs.js";

/** `operator-chaos lab …`: the embedded local control plane (see lab/ and src/lab). */
export function registerLabCommands(program: Command): void {
  const lab = program.command("lab").description("run a real Kubernetes control plane on this machine (no Docker)");
  const nameOption = ["--name <name>", "lab name", "default"] as const;
  registerLabLogsCommand(lab);

  lab.command("up")
    .description("build the control plane once (cached), start it and wait until it is Ready")
    .option(...nameOption)
    .option("--port <port>", "API server port (default: a free port)", (v) => parsePort(v))
    .option("--nodes <count>", "fake nodes managed by KWOK", (v) => Number.parseInt(v, 10), 1)
    .option("--timeout <seconds>", "deadline for the cluster to become Ready", (v) => Number.parseInt(v, 10), 180)
    .action(async (opts: { name: string; port?: number; nodes: number; timeout: number }) => {
      const { labUp } = await import("../lab/up.js");
      const state = await labUp({
        name: opts.name, nodes: opts.nodes, timeoutMs: opts.timeout * 1000,
        ...(opts.port !== undefined ? { apiServerPort: opts.port } : {}),
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(
        `lab "${state.name}" is Ready${state.startSeconds !== undefined ? ` (started in ${state.startSeconds}s)` : ""}\n` +
        `  API server:  ${state.server}\n  kubeconfig:  ${state.kubeconfig}\n  logs:        ${state.dir}/logs\n\n` +
        `Use it:  export KUBECONFIG=${state.kubeconfig}   (or: eval "$(operator-chaos lab env${opts.name === "default" ? "" : ` --name ${opts.name}`})")\n` +
        `Stop it: operator-chaos lab down${opts.name === "default" ? "" : ` --name ${opts.name}`}\n`,
      );
    });

  lab.command("env")
    .description("print `export KUBECONFIG=…` for the lab")
    .option(...nameOption)
    .action(async (opts: { name: string }) => {
      const state = await requireLab(opts.name);
      process.stdout.write(`export KUBECONFIG=${state.kubeconfig}\n`);
    });

  lab.command("status")
    .description("show each component, its process and its health")
    .option(...nameOption)
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml]))
    .addHelpText("after", "\nExit status:\n    0  every component healthy\n    1  the lab is not up, or a component is unhealthy\n    2  usage error\n")
    .action(async (opts: { name: string; output: OutputFormat }) => {
      const { labStatus } = await import("../lab/status.js");
      const status = await labStatus(opts.name);
      if (isStructured(opts.output)) {
        await printStructured(status, opts.output);
      } else if (!status.exists) {
        process.stdout.write(`lab "${opts.name}" is not up\n`);
      } else {
        process.stdout.write(`lab "${opts.name}" (${status.state?.server}, ${status.state?.phase})\n`);
        for (const c of status.components) {
          const health = !c.running ? "not running" : c.healthy ? "healthy" : "unhealthy";
          process.stdout.write(`  ${c.component.padEnd(20)} ${String(c.pid ?? "-").padEnd(8)} ${health}\n`);
        }
      }
      const allHealthy = status.exists && status.components.every((c) => c.healthy);
      process.exitCode = allHealthy ? 0 : 1;
    });

  lab.command("down")
    .description("stop every process of the lab and remove its state")
    .option(...nameOption)
    .action(async (opts: { name: string }) => {
      const { labDown } = await import("../lab/down.js");
      const result = await labDown(opts.name);
      process.stdout.write(result.removed
        ? `lab "${opts.name}" is down (${result.stoppedProcesses} processes stopped, state removed)\n`
        : `lab "${opts.name}" was not up\n`);
    });

  lab.command("kubeconfig")
    .description("print a kubeconfig for a ServiceAccount of the lab (minted with TokenRequest)")
    .requiredOption("--service-account <namespace/name>", "the ServiceAccount, e.g. demo/my-operator")
    .option(...nameOption)
    .option("--duration <seconds>", "token lifetime (minimum 600)", (v) => Number.parseInt(v, 10), 3600)
    .action(async (opts: { name: string; serviceAccount: string; duration: number }) => {
      const [namespace, account, ...rest] = opts.serviceAccount.split("/");
      if (!namespace || !account || rest.length > 0) {
        throw new UsageError(`--service-account must be NAMESPACE/NAME, got "${opts.serviceAccount}"`);
      }
      const state = await requireLab(opts.name);
      const { KubeConfig } = await import("@kubernetes/client-node");
      const { mintServiceAccountKubeconfig } = await import("../lab/service-account.js");
      const admin = new KubeConfig();
      admin.loadFromFile(state.kubeconfig);
      const minted = await mintServiceAccountKubeconfig({
        admin, namespace, serviceAccount: account, caFile: state.caFile, expirationSeconds: opts.duration,
      });
      process.stdout.write(minted.kubeconfig);
    });
}

export class UsageError extends Error {
  override name = "UsageError";
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be 1-65535, got "${value}"`);
  return port;
}

async function requireLab(name: string) {
  const { labDir } = await import("../lab/paths.js");
  const { readLabState } = await import("../lab/state.js");
  const state = await readLabState(labDir(name));
  if (!state) throw new Error(`lab "${name}" is not up (start it with: operator-chaos lab up${name === "default" ? "" : ` --name ${name}`})`);
  return state;
}
