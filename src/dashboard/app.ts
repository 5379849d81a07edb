// One dashboard process: the history, its inputs (report folders, the cluster) and the HTTP server,
// started together and stopped together.

import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../experiment/package-root.js";
import { History } from "./history.js";
import { FolderIngest, type IngestWarning } from "./ingest-files.js";
import { LiveBoard } from "./live.js";
import { DashboardServer, isLoopback } from "./server.js";
import type { ClusterIngest, SourceStatus } from "./ingest-cluster.js";
import type { KubeRest } from "../kube/rest.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";

export interface DashboardConfig {
  host: string;
  port: number;
  db?: string;
  reports: readonly string[];
  token?: string;
  /** A folder of knowledge models for the knowledge page; an invalid model is an error. */
  knowledgeDir?: string;
  /** Omitted: no cluster (report folders only). */
  rest?: KubeRest;
  warn: (text: string) => void;
}

export interface RunningDashboard {
  url: string;
  history: History;
  board: LiveBoard;
  close(): Promise<void>;
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}

export async function startDashboard(config: DashboardConfig): Promise<RunningDashboard> {
  if (!isLoopback(config.host) && !config.token) {
    throw Object.assign(new Error(`--addr ${config.host} is not a loopback address: give a bearer token (--token or OPERATOR_CHAOS_DASHBOARD_TOKEN) to serve it`), { name: "UsageError" });
  }
  const history = await History.open(config.db);
  const controller = new AbortController();
  const board = new LiveBoard();
  const folderStatus = new Map<string, SourceStatus>();
  let cluster: ClusterIngest | undefined;
  let server: DashboardServer | undefined;
  try {
    const ingest = new FolderIngest(history, (warning: IngestWarning) => config.warn(`skipped ${warning.file}: ${warning.error}`));
    for (const folder of config.reports) {
      const outcome = await ingest.scan(folder);
      ingest.watch(folder, controller.signal);
      folderStatus.set(folder, { name: `reports ${folder}`, state: "watching", detail: `${outcome.added} new report(s) at start` });
    }
    if (config.rest) {
      const { ClusterIngest } = await import("./ingest-cluster.js");
      cluster = new ClusterIngest(config.rest, history, board, controller.signal, config.warn);
      await cluster.start();
    }
    const uiDir = path.join(packageRoot(), "src", "dashboard", "ui");
    const version = packageVersion();
    let knowledge: OperatorKnowledge[] = [];
    if (config.knowledgeDir !== undefined) {
      const { loadKnowledge } = await import("../suite/knowledge-sources.js");
      const loaded = await loadKnowledge({ knowledgeDir: config.knowledgeDir });
      if (loaded.problems.length > 0) throw new Error(loaded.problems.join("\n"));
      knowledge = loaded.models;
    }
    server = new DashboardServer({
      history, board, uiDir, version, knowledge, ...(config.token ? { token: config.token } : {}),
      sources: () => [...folderStatus.values(), ...(cluster?.status() ?? [])],
    });
    const address = await server.listen(config.host, config.port);
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const running = server;
    return {
      url: `http://${host}:${address.port}/`,
      history,
      board,
      async close() {
        controller.abort();
        await running.close();
        config.rest?.close();
        history.close();
      },
    };
  } catch (error) {
    controller.abort();
    await server?.close();
    history.close();
    throw error;
  }
}
