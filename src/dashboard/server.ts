// The dashboard's HTTP server (node:http): the JSON API of routes.ts, server-sent events of the live
// board, and the static UI. Read-only: every route is GET (HEAD for static files). With a token, every
// API request must carry it as a bearer token; the UI shell holds no data, so it is served without.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import { timingSafeEqual, createHash } from "node:crypto";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { History } from "./history.js";
import type { LiveBoard } from "./live.js";
import { openApiDocument } from "./openapi.js";
import { compareSuiteRuns, coverage, getExperiment, listExperiments, listSuiteRuns, overview, suiteRunExists, type SortField } from "./queries.js";
import { BadRequest, ROUTES, checkValue, validateQuery, type RouteSpec } from "./routes.js";
import type { SourceStatus } from "./ingest-cluster.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import { knowledgeGraphs } from "./knowledge.js";

export interface DashboardOptions {
  history: History;
  board: LiveBoard;
  /** Folder of index.html, app.js, style.css. */
  uiDir: string;
  version: string;
  token?: string;
  /** Loaded knowledge models (--knowledge-dir). */
  knowledge?: readonly OperatorKnowledge[];
  /** Watches and folders, with their state. */
  sources?: () => SourceStatus[];
}

const STATIC_TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml" };
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};
/** Comments keep an idle event stream open through proxies, and let the browser see the server is there. */
const HEARTBEAT_MS = 15_000;

export class DashboardServer {
  private readonly server: Server;
  private readonly streams = new Set<ServerResponse>();
  private readonly unsubscribe: (() => void)[] = [];
  private historyTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DashboardOptions) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) => {
        if (!response.headersSent) this.json(response, 500, { error: error.message });
        else response.end();
      });
    });
    this.unsubscribe.push(options.board.subscribe(() => this.broadcast("live", { runs: options.board.list() })));
    // A burst of ingests is one `history` event.
    this.unsubscribe.push(options.history.onChange(() => {
      this.historyTimer ??= setTimeout(() => {
        this.historyTimer = undefined;
        this.broadcast("history", { reports: options.history.count() });
      }, 100);
    }));
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    for (const stop of this.unsubscribe) stop();
    if (this.historyTimer) clearTimeout(this.historyTimer);
    for (const stream of this.streams) stream.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://dashboard.invalid");
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      return this.json(response, 405, { error: "the dashboard is read-only: only GET" });
    }
    if (url.pathname === "/healthz") return this.text(response, 200, "ok\n");
    if (url.pathname.startsWith("/api/") || url.pathname === "/openapi.json") {
      if (!this.authorized(request)) {
        response.setHeader("www-authenticate", 'Bearer realm="operator-chaos dashboard"');
        return this.json(response, 401, { error: "missing or wrong bearer token" });
      }
      try {
        return await this.api(url, request, response);
      } catch (error) {
        if (error instanceof BadRequest) return this.json(response, 400, { error: error.message });
        throw error;
      }
    }
    return this.serveStatic(url.pathname, response);
  }

  private authorized(request: IncomingMessage): boolean {
    const token = this.options.token;
    if (token === undefined) return true;
    const header = request.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : "";
    // Compared as digests, so neither the length nor the content leaks through timing.
    const digest = (text: string) => createHash("sha256").update(text).digest();
    return timingSafeEqual(digest(given), digest(token));
  }

  private async api(url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { history, board } = this.options;
    const route = (spec: RouteSpec) => validateQuery(spec, url.searchParams);
    const experimentMatch = /^\/api\/v1\/experiments\/([^/]+)$/.exec(url.pathname);
    switch (url.pathname) {
      case "/openapi.json":
        route({ ...ROUTES.status, query: [] });
        return this.json(response, 200, openApiDocument(this.options.version));
      case ROUTES.overview.path:
        route(ROUTES.overview);
        return this.json(response, 200, { ...overview(history), running: board.list() });
      case ROUTES.experiments.path: {
        const q = route(ROUTES.experiments);
        const filter = {
          sort: (q.sort ?? "timestamp") as SortField, order: (q.order ?? "desc") as "asc" | "desc",
          page: Number(q.page ?? 1), pageSize: Number(q.pageSize ?? 25),
          ...(q.verdict !== undefined ? { verdict: String(q.verdict) } : {}),
          ...(q.fault !== undefined ? { fault: String(q.fault) } : {}),
          ...(q.operator !== undefined ? { operator: String(q.operator) } : {}),
          ...(q.q !== undefined ? { q: String(q.q) } : {}),
          ...(q.suiteRun !== undefined ? { suiteRun: String(q.suiteRun) } : {}),
        };
        return this.json(response, 200, listExperiments(history, filter));
      }
      case ROUTES.operators.path:
        route(ROUTES.operators);
        return this.json(response, 200, coverage(history));
      case ROUTES.suites.path:
        route(ROUTES.suites);
        return this.json(response, 200, { runs: listSuiteRuns(history) });
      case ROUTES.compare.path: {
        const q = route(ROUTES.compare);
        if (q.a === undefined || q.b === undefined) throw new BadRequest("both a and b (suite run ids) are required");
        for (const id of [q.a, q.b]) if (!suiteRunExists(history, String(id))) return this.json(response, 404, { error: `suite run not found: ${id}` });
        return this.json(response, 200, { a: q.a, b: q.b, rows: compareSuiteRuns(history, String(q.a), String(q.b)) });
      }
      case ROUTES.knowledge.path:
        route(ROUTES.knowledge);
        return this.json(response, 200, { models: knowledgeGraphs(this.options.knowledge ?? [], history) });
      case ROUTES.live.path:
        route(ROUTES.live);
        return this.json(response, 200, { runs: board.list() });
      case ROUTES.events.path:
        route(ROUTES.events);
        return this.stream(request, response);
      case ROUTES.status.path:
        route(ROUTES.status);
        return this.json(response, 200, { reports: history.count(), database: history.file ?? null, sources: this.options.sources?.() ?? [], skipped: history.skipped() });
    }
    if (experimentMatch) {
      route(ROUTES.experiment);
      const id = checkValue(ROUTES.experiment.pathParams[0], decodeURIComponent(experimentMatch[1]!)) as number;
      const found = getExperiment(history, id);
      return found ? this.json(response, 200, found) : this.json(response, 404, { error: `experiment not found: ${id}` });
    }
    return this.json(response, 404, { error: `no such API route: ${url.pathname}` });
  }

  private stream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    this.streams.add(response);
    response.write(`retry: 1000\nevent: live\ndata: ${JSON.stringify({ runs: this.options.board.list() })}\n\n`);
    const heartbeat = setInterval(() => response.write(": heartbeat\n\n"), HEARTBEAT_MS);
    heartbeat.unref();
    request.on("close", () => {
      clearInterval(heartbeat);
      this.streams.delete(response);
    });
  }

  private broadcast(event: string, data: unknown): void {
    const message = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const stream of this.streams) stream.write(message);
  }

  private async serveStatic(pathname: string, response: ServerResponse): Promise<void> {
    // One page application: every path that is not a file is the shell (the router reads the hash).
    const name = pathname === "/" || !pathname.startsWith("/ui/") ? "index.html" : pathname.slice("/ui/".length);
    if (!/^[a-z0-9-]+\.(html|js|css|svg)$/.test(name)) return this.json(response, 404, { error: "not found" });
    let body: Buffer;
    try {
      body = await readFile(path.join(this.options.uiDir, name));
    } catch {
      return this.json(response, 404, { error: "not found" });
    }
    response.writeHead(200, { ...SECURITY_HEADERS, "content-type": STATIC_TYPES[path.extname(name)]!, "cache-control": "no-cache" });
    response.end(body);
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    response.end(JSON.stringify(body));
  }

  private text(response: ServerResponse, status: number, body: string): void {
    response.writeHead(status, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" });
    response.end(body);
  }
}

/** Loopback addresses: the only ones served without a token. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces). */
export function parseAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new Error(`--addr ${JSON.stringify(text)}: expected HOST:PORT, e.g. 127.0.0.1:8080`);
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
}
