import type { Command } from "commander";

/** `operator-chaos version`, worded like the Go tool's. */
export function registerVersionCommand(program: Command): void {
  program.command("version")
    .description("print the version")
    .action(async () => {
      const { readFileSync } = await import("node:fs");
      const { packageRoot } = await import("../experiment/package-root.js");
      const { join } = await import("node:path");
      const { version } = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
      process.stdout.write(`operator-chaos version ${version}\n`);
    });
}
