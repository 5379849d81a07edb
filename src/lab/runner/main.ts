/**
 * The process runner's entry point: `node dist/src/lab/runner/main.js --lab-dir DIR`.
 * Started by `lab up` (startProcessRunner) as a lab component; logs to <labDir>/logs/runner.log.
 * SIGTERM/SIGINT stop the runner only: pod processes keep running and the next runner adopts them.
 */
import { resolve } from "node:path";
import { runProcessRunner } from "./process-runner.js";

function labDirArgument(argv: string[]): string {
  const index = argv.indexOf("--lab-dir");
  const inline = argv.find((a) => a.startsWith("--lab-dir="));
  const value = inline ? inline.slice("--lab-dir=".length) : index >= 0 ? argv[index + 1] : undefined;
  if (!value) {
    process.stderr.write("usage: node dist/src/lab/runner/main.js --lab-dir DIR\n");
    process.exit(2);
  }
  return resolve(value);
}

// A stray rejection must not take the node agent down with every pod it manages: log it.
process.on("unhandledRejection", (reason) => {
  process.stderr.write(`${new Date().toISOString()} unhandled rejection: ${(reason as Error)?.stack ?? reason}\n`);
});

const controller = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    process.stdout.write(`${new Date().toISOString()} ${signal}: stopping the runner (pod processes keep running)\n`);
    controller.abort();
    setTimeout(() => process.exit(0), 1_000).unref();
  });
}

try {
  await runProcessRunner(labDirArgument(process.argv.slice(2)), controller.signal);
  process.exit(0);
} catch (error) {
  process.stderr.write(`process runner failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
}
