// operator-chaos's admission webhook server: one small file with no dependencies, so it runs from a
// ConfigMap in any public Node.js image (`node --input-type=module -e "$(WEBHOOK_SERVER)"`), and in
// the lab as a process-runner pod. It answers AdmissionReview v1 requests on every path but the
// probes, after WEBHOOK_DELAY_MS, allowing (WEBHOOK_MODE=allow) or denying (deny) each one.
//
// Environment: WEBHOOK_TLS_CERT, WEBHOOK_TLS_KEY (PEM, required), WEBHOOK_PORT (8443),
// WEBHOOK_DELAY_MS (0), WEBHOOK_MODE (allow), WEBHOOK_DENY_MESSAGE.
import { createServer } from "node:https";

const env = process.env;
const cert = env.WEBHOOK_TLS_CERT;
const key = env.WEBHOOK_TLS_KEY;
if (!cert || !key) {
  console.error("webhook-server: WEBHOOK_TLS_CERT and WEBHOOK_TLS_KEY (PEM) are required");
  process.exit(2);
}
const port = Number(env.WEBHOOK_PORT || 8443);
const delayMs = Number(env.WEBHOOK_DELAY_MS || 0);
const mode = env.WEBHOOK_MODE || "allow";
if (!Number.isFinite(delayMs) || delayMs < 0 || !["allow", "deny"].includes(mode)) {
  console.error(`webhook-server: WEBHOOK_DELAY_MS must be a number >= 0 and WEBHOOK_MODE allow or deny (got ${env.WEBHOOK_DELAY_MS}, ${mode})`);
  process.exit(2);
}
const denyMessage = env.WEBHOOK_DENY_MESSAGE || "denied by the operator-chaos webhook";
const MAX_BODY = 3 * 1024 * 1024;
let served = 0;

const log = (message, fields = {}) => {
  const text = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`).join(" ");
  process.stdout.write(`${new Date().toISOString()} ${message}${text ? ` ${text}` : ""}\n`);
};

const server = createServer({ cert, key }, (req, res) => {
  const path = new URL(req.url ?? "/", "https://webhook").pathname;
  if (req.method === "GET" && (path === "/readyz" || path === "/healthz")) {
    res.writeHead(200, { "Content-Type": "text/plain" }).end(`ok served=${served}\n`);
    return;
  }
  if (req.method !== "POST") {
    res.writeHead(405).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(chunk);
  });
  req.on("end", () => {
    let review;
    try {
      review = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400, { "Content-Type": "text/plain" }).end("not JSON\n");
      return;
    }
    const request = review?.request ?? {};
    const receivedAt = Date.now();
    const answer = () => {
      const allowed = mode === "allow";
      served += 1;
      log("admission", {
        uid: request.uid ?? "", operation: request.operation ?? "", resource: request.resource?.resource ?? "",
        namespace: request.namespace ?? "", name: request.name ?? "", dryRun: request.dryRun === true, delayMs, allowed,
      });
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        response: {
          uid: request.uid ?? "",
          allowed,
          ...(allowed ? {} : { status: { code: 403, reason: "Forbidden", message: denyMessage } }),
        },
      }));
    };
    if (delayMs <= 0) return answer();
    const timer = setTimeout(answer, Math.max(0, delayMs - (Date.now() - receivedAt)));
    // The API server gave up (its timeoutSeconds): nothing to answer.
    res.on("close", () => clearTimeout(timer));
  });
});

server.listen(port, "0.0.0.0", () => log("webhook server listening", { port, delayMs, mode }));
const stop = (signal) => {
  log("shutting down", { signal, served });
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
