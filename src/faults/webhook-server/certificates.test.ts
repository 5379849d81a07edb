import { createPrivateKey, X509Certificate } from "node:crypto";
import { createServer } from "node:https";
import { connect } from "node:tls";
import { describe, expect, it } from "vitest";
import { createServingCertificate, serviceDnsNames } from "./certificates.js";

describe("createServingCertificate", () => {
  it("issues a server certificate for the Service's names, signed by a CA that is not the server", () => {
    const names = serviceDnsNames("hook", "team-a");
    expect(names).toEqual(["hook", "hook.team-a", "hook.team-a.svc", "hook.team-a.svc.cluster.local"]);
    const now = new Date("2026-01-01T00:00:00Z");
    const pair = createServingCertificate(names, { now });
    const ca = new X509Certificate(pair.caPem);
    const cert = new X509Certificate(pair.certPem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.subjectAltName).toBe(names.map((name) => `DNS:${name}`).join(", "));
    expect(cert.checkHost("hook.team-a.svc")).toBe("hook.team-a.svc");
    expect(new Date(cert.validFrom).getTime()).toBe(now.getTime() - 3_600_000);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 24 * 3_600_000);
    expect(cert.checkPrivateKey(createPrivateKey(pair.keyPem))).toBe(true);
  });

  it("is accepted by a TLS client that trusts only the CA and dials the .svc name", async () => {
    const pair = createServingCertificate(serviceDnsNames("hook", "ns"));
    const server = createServer({ cert: pair.certPem, key: pair.keyPem }, (_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port, ca: pair.caPem, servername: "hook.ns.svc" }, () => {
          resolve(socket.authorized);
          socket.end();
        });
        socket.on("error", reject);
      });
      expect(authorized).toBe(true);
      const refused = await new Promise<string>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port, ca: pair.caPem, servername: "other.ns.svc" }, () => resolve("connected"));
        socket.on("error", (error) => resolve(error.message));
      });
      expect(refused).toMatch(/does not match|altnames/i);
    } finally {
      server.close();
    }
  });
});

