import type { Command } from "commander";

/** `operator-chaos report <dir>`: aggregate the per-experiment reports of a folder. */
export function registerReportCommand(program: Command): void {
  program.command("report")
    .description("aggregate the experiment reports (*.json) in a folder")
    .argument("<dir>", "folder with per-experiment report files (from run --report-dir)")
    .option("--format <format>", "summary, json, junit, markdown or html", "summary")
    .option("--output <file>", "write here instead of the default (json: report.json, junit: report.xml, html: report.html in <dir>; others: stdout)")
    .action(async (dir: string, flags: { format: string; output?: string }) => {
      const { isAggregateFormat, AGGREGATE_FORMATS } = await import("../report/aggregate.js");
      if (!isAggregateFormat(flags.format)) {
        process.stderr.write(`Error: --format must be one of ${AGGREGATE_FORMATS.join(", ")}, got "${flags.format}"\n`);
        process.exitCode = 2;
        return;
      }
      const { readReportDir, writeAggregateReport } = await import("../report/write.js");
      const { reports, skipped } = await readReportDir(dir);
      for (const skip of skipped) process.stderr.write(`skipped ${JSON.stringify(skip)}\n`);
      if (reports.length === 0) {
        process.stdout.write("No experiment reports found.\n");
        return;
      }
      const written = await writeAggregateReport(dir, reports, flags.format, {
        generatedAt: Date.now(), ...(flags.output ? { output: flags.output } : {}),
      });
      if (written.path) process.stdout.write(`wrote ${written.path}\n`);
      else process.stdout.write(written.content.endsWith("\n") ? written.content : `${written.content}\n`);
    });
}
