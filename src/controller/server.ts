// The controller's HTTP endpoints: /metrics on the metrics address, /healthz and /readyz on the
// health address (the same server when both addresses are equal).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Endpoints {
  metrics: () => Promise<string>;
  metricsContentType: string;
  /** Ready: the cache is synced (and, with leader election, this replica leads or stands by healthily). */
  ready: () => boolean;
}

/** ":8080" → all interfaces, port 8080; "127.0.0.1:0" → loopback, any free port. */
export function parseAddress(text: string): { host: string; port: number } {
  const match = /^(.*):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65535) throw new Error(`"${text}" is not an address (expected [host]:port, e.g. :8080 or 127.0.0.1:8080)`);
  return { host: match[1] === "" ? "0.0.0.0" : match[1]!.replace(/^\[(.*)\]$/, "$1"), port };
}

export async function listen(address: string, routes: Record<string, () => Promise<{ status: number; type: string; body: string }>>): Promise<{ server: Server; url: string }> {
  const { host, port } = parseAddress(address);
  const server = createServer((req, res) => {
    const route = routes[(req.url ?? "/").split("?")[0]!];
    if (!route || req.method !== "GET") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    route().then(
      (answer) => res.writeHead(answer.status, { "Content-Type": answer.type }).end(answer.body),
      (error: Error) => res.writeHead(500, { "Content-Type": "text/plain" }).end(`${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return { server, url: `http://${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${bound.port}` };
}

export function routesFor(endpoints: Endpoints) {
  const text = (status: number, body: string) => ({ status, type: "text/plain", body });
  return {
    metrics: { "/metrics": async () => ({ status: 200, type: endpoints.metricsContentType, body: await endpoints.metrics() }) },
    health: {
      "/healthz": async () => text(200, "ok\n"),
      "/readyz": async () => (endpoints.ready() ? text(200, "ok\n") : text(503, "not ready: the cache is not synced\n")),
    },
  };
}
