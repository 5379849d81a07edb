// Many experiment reports at once, for `report <dir> --format summary|json|junit|markdown|html`.

import type { ExperimentReport } from "./model.js";
import { countVerdicts, summaryLines, type VerdictCounts } from "./summary.js";
import { junitXml } from "./junit.js";
import { aggregateMarkdown } from "./markdown.js";
import { aggregateHtml } from "./html.js";
import { formatInstant } from "../verdict/format.js";

export const AGGREGATE_FORMATS = ["summary", "json", "junit", "markdown", "html"] as const;
export type AggregateFormat = (typeof AGGREGATE_FORMATS)[number];

export function isAggregateFormat(value: string): value is AggregateFormat {
  return (AGGREGATE_FORMATS as readonly string[]).includes(value);
}

/** The consolidated JSON document (Go tool field names: generated, experiments, summary). */
export interface ConsolidatedReport {
  generated: string;
  experiments: ExperimentReport[];
  summary: VerdictCounts;
}

export interface AggregateOptions {
  /** When the aggregate is produced, ms since the epoch. */
  generatedAt: number;
  /** JUnit suite name. */
  suiteName?: string;
  /** Shown in the HTML page. */
  version?: string;
}

export const DEFAULT_SUITE_NAME = "operator-chaos-results";

/** Reports in a stable order (experiment name, then report time), whatever order the files were read in. */
export function orderReports(reports: readonly ExperimentReport[]): ExperimentReport[] {
  return [...reports].sort(
    (a, b) => compare(a.experiment, b.experiment) || compare(a.timestamp, b.timestamp) || compare(a.injection.type, b.injection.type),
  );
}

export function consolidate(reports: readonly ExperimentReport[], generatedAt: number): ConsolidatedReport {
  const experiments = orderReports(reports);
  return { generated: formatInstant(generatedAt), experiments, summary: countVerdicts(experiments) };
}

/** The whole output for one format, as text ending in a newline. */
export function renderAggregate(reports: readonly ExperimentReport[], format: AggregateFormat, options: AggregateOptions): string {
  const ordered = orderReports(reports);
  switch (format) {
    case "summary":
      return `${summaryLines(ordered).join("\n")}\n`;
    case "json":
      return `${JSON.stringify(consolidate(ordered, options.generatedAt), null, 2)}\n`;
    case "junit":
      return junitXml(ordered, options.suiteName ?? DEFAULT_SUITE_NAME);
    case "markdown":
      return `${aggregateMarkdown(ordered, options.generatedAt).trimEnd()}\n`;
    case "html":
      return aggregateHtml(ordered, options.generatedAt, options.version);
  }
}

/** Where each format goes by default inside the results directory; summary and markdown go to stdout. */
export function defaultAggregateFile(format: AggregateFormat): string | undefined {
  switch (format) {
    case "json":
      return "report.json";
    case "junit":
      return "report.xml";
    case "html":
      return "report.html";
    default:
      return undefined;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
