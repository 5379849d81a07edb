// KubeRest against a local HTTPS server on [::1]: the transport only (IPv6 host, one kept-alive
// connection, retries); Kubernetes behaviour is tested against the lab.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KubeApiError } from "./errors.js";
import { KubeRest } from "./rest.js";

let dir: string;
let server: Server;
let port: number;
let connections = 0;
/** Answers queued per path (status, headers); once drained the path answers 200. */
const script = new Map<string, Array<{ status: number; headers?: Record<string, string> }>>();
const seen: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "oc-rest-"));
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key");
  openssl("req", "-x509", "-new", "-key", "ca.key", "-days", "1", "-subj", "/CN=test-ca", "-addext", "basicConstraints=critical,CA:TRUE", "-out", "ca.crt");
  openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key");
  openssl("req", "-new", "-key", "server.key", "-subj", "/CN=ipv6-server", "-out", "server.csr");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:::1\n");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", "server.ext", "-out", "server.crt");
  server = createServer({ key: readFileSync(join(dir, "server.key")), cert: readFileSync(join(dir, "server.crt")) }, (req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
    const next = script.get(req.url ?? "")?.shift();
    res.writeHead(next?.status ?? 200, { "Content-Type": "application/json", ...(next?.headers ?? {}) });
    res.end(JSON.stringify(next && next.status >= 400 ? { kind: "Status", reason: "TooManyRequests", message: `scripted ${next.status}` } : { kind: "ConfigMap", metadata: { name: "x" } }));
  });
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolveListen) => server.listen(0, "::1", resolveListen));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  script.clear();
  seen.length = 0;
});

function client(): KubeRest {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "v6", server: `https://[::1]:${port}`, caData: readFileSync(join(dir, "ca.crt")).toString("base64"), skipTLSVerify: false }],
    users: [{ name: "u", token: "secret-token" }],
    contexts: [{ name: "c", cluster: "v6", user: "u" }],
    currentContext: "c",
  });
  return new KubeRest(config);
}

describe("KubeRest transport", () => {
  it("talks to https://[::1]:PORT, verifying the server's IPv6 certificate, with the kubeconfig's token", async () => {
    const rest = client();
    try {
      const body = await rest.get<{ kind: string }>("/api/v1/namespaces/default/configmaps/x");
      expect(body.kind).toBe("ConfigMap");
      expect(seen).toEqual(["GET /api/v1/namespaces/default/configmaps/x Bearer secret-token"]);
    } finally {
      rest.close();
    }
  });

  it("keeps one connection alive across requests (one agent per client, not per request)", async () => {
    const rest = client();
    try {
      const before = connections;
      for (let i = 0; i < 5; i++) await rest.get("/api/v1/namespaces");
      expect(connections - before).toBe(1);
      expect(rest.requestCount).toBe(5);
    } finally {
      rest.close();
    }
  });

  it("retries 429 after its Retry-After, and a GET after 503", async () => {
    const rest = client();
    try {
      script.set("/busy", [{ status: 429, headers: { "Retry-After": "1" } }, { status: 503 }]);
      const started = Date.now();
      await rest.get("/busy");
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(seen).toHaveLength(3);
      expect(rest.retryCount).toBe(2);
    } finally {
      rest.close();
    }
  });

  it("does not resend a write after a 5xx (it may have been applied), and says what the server said", async () => {
    const rest = client();
    try {
      script.set("/write", [{ status: 503 }]);
      const failure = await rest.create("/write", { kind: "ConfigMap" }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(KubeApiError);
      expect((failure as KubeApiError).status).toBe(503);
      expect(seen).toHaveLength(1);
    } finally {
      rest.close();
    }
  });

  it("sends once when retries are turned off", async () => {
    const rest = client();
    try {
      script.set("/once", [{ status: 429 }]);
      await expect(rest.request("GET", "/once", { retry: false })).rejects.toThrow(/HTTP 429/);
      expect(seen).toHaveLength(1);
    } finally {
      rest.close();
    }
  });
});
