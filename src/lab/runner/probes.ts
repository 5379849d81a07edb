import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";

/** corev1.Probe, the fields the runner acts on. */
export interface Probe {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: Array<{ name: string; value: string }> };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port: number; service?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ProbeTarget {
  podIp: string;
  /** The pod's network namespace; undefined for host-network pods. */
  netns: string | undefined;
  ports: Array<{ name?: string; containerPort?: number; protocol?: string }>;
  env: Record<string, string>;
  cwd: string;
  /** dist/src/lab/runner/probe-client.js, run inside the namespace for loopback targets. */
  probeClient: string;
}

export interface ProbeResult {
  ok: boolean;
  message: string;
}

export interface NetworkCheck {
  kind: "http" | "https" | "tcp";
  host: string;
  port: number;
  path?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
}

const KUBE_VERSION = "1.36";

/** One HTTP(S) GET the way the kubelet's prober does it: 200-399 is success. */
export function checkHttp(check: NetworkCheck): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const request = (check.kind === "https" ? httpsRequest : httpRequest)({
      host: check.host,
      port: check.port,
      path: check.path ?? "/",
      method: "GET",
      agent: false,
      timeout: check.timeoutMs,
      headers: { "User-Agent": `kube-probe/${KUBE_VERSION}`, Accept: "*/*", ...(check.headers ?? {}) },
      ...(check.kind === "https" ? { rejectUnauthorized: false } : {}),
    }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve({ ok: status >= 200 && status < 400, message: `HTTP probe returned ${status}` });
    });
    const timer = setTimeout(() => request.destroy(new Error(`timeout after ${check.timeoutMs} ms`)), check.timeoutMs);
    request.once("close", () => clearTimeout(timer));
    request.once("timeout", () => request.destroy(new Error(`timeout after ${check.timeoutMs} ms`)));
    request.once("error", (error) => resolve({ ok: false, message: `HTTP probe failed: ${error.message}` }));
    request.end();
  });
}

export function checkTcp(check: NetworkCheck): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: check.host, port: check.port });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, message: `TCP probe timed out after ${check.timeoutMs} ms` }), check.timeoutMs);
    socket.once("connect", () => done({ ok: true, message: "TCP probe connected" }));
    socket.once("error", (error) => done({ ok: false, message: `TCP probe failed: ${error.message}` }));
  });
}

export function runNetworkCheck(check: NetworkCheck): Promise<ProbeResult> {
  return check.kind === "tcp" ? checkTcp(check) : checkHttp(check);
}

function resolvePort(port: number | string, target: ProbeTarget): number | undefined {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  return target.ports.find((p) => p.name === port && (p.protocol ?? "TCP") === "TCP")?.containerPort;
}

const isLoopback = (host: string) => host === "localhost" || host.startsWith("127.") || host === "::1";

/** Runs `argv` inside the pod's namespace (or directly for host-network pods). */
function runInPod(argv: string[], target: ProbeTarget, timeoutMs: number, env: Record<string, string>): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const [command, ...args] = target.netns ? ["ip", "netns", "exec", target.netns, ...argv] : argv;
    const child = spawn(command ?? "", args, { cwd: target.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    let timedOut = false;
    const collect = (chunk: Buffer) => {
      if (output.length < 4096) output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {
        // gone
      }
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: error.message, timedOut });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.trim(), timedOut });
    });
  });
}

/** One probe attempt with the kubelet's semantics for httpGet, tcpSocket and exec. */
export async function probeOnce(probe: Probe, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    const argv = probe.exec.command ?? [];
    if (argv.length === 0) return { ok: false, message: "exec probe has no command" };
    const result = await runInPod(argv, target, timeoutMs, target.env);
    if (result.timedOut) return { ok: false, message: `exec probe timed out after ${timeoutMs} ms` };
    return { ok: result.code === 0, message: result.code === 0 ? "exec probe succeeded" : `exec probe exited ${result.code}: ${result.output}` };
  }
  const spec = probe.httpGet ?? probe.tcpSocket;
  if (!spec) {
    return { ok: false, message: probe.grpc ? "grpc probes are not supported by the lab's process runner" : "probe has no handler" };
  }
  const port = resolvePort(spec.port, target);
  if (port === undefined) return { ok: false, message: `probe port "${spec.port}" is not a port of the container` };
  const host = spec.host || target.podIp;
  const check: NetworkCheck = probe.httpGet
    ? {
      kind: (probe.httpGet.scheme ?? "HTTP").toUpperCase() === "HTTPS" ? "https" : "http",
      host, port, path: probe.httpGet.path ?? "/", timeoutMs,
      headers: Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value])),
    }
    : { kind: "tcp", host, port, timeoutMs };
  if (!isLoopback(host) || !target.netns) return runNetworkCheck(check);
  // 127.0.0.1 is the pod's own loopback: check from inside its namespace.
  const result = await runInPod([process.execPath, target.probeClient, JSON.stringify(check)], target, timeoutMs + 2_000,
    { PATH: process.env.PATH ?? "/usr/bin:/bin" });
  if (result.timedOut) return { ok: false, message: `probe timed out after ${timeoutMs} ms` };
  return { ok: result.code === 0, message: result.output || `probe client exited ${result.code}` };
}

export type ProbeKind = "readiness" | "liveness" | "startup";

/**
 * A periodic prober for one probe: after initialDelaySeconds, every periodSeconds; the result
 * flips to success after successThreshold consecutive successes and to failure after
 * failureThreshold consecutive failures. Readiness and startup start out failed, liveness
 * succeeded (as in the kubelet).
 */
export class ProbeLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  result: boolean;
  lastMessage = "";

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly target: ProbeTarget,
    private readonly onChange: (result: boolean, message: string) => void,
  ) {
    this.result = kind === "liveness";
  }

  start(): void {
    this.schedule(Math.max(0, this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const outcome = await probeOnce(this.probe, this.target).catch((error: Error) => ({ ok: false, message: error.message }));
    if (this.stopped) return;
    this.lastMessage = outcome.message;
    if (outcome.ok) {
      this.successes += 1;
      this.failures = 0;
    } else {
      this.failures += 1;
      this.successes = 0;
    }
    // Liveness and startup need one success (the API enforces successThreshold 1 for them).
    const successThreshold = this.kind === "readiness" ? Math.max(1, this.probe.successThreshold ?? 1) : 1;
    const failureThreshold = Math.max(1, this.probe.failureThreshold ?? 3);
    let next = this.result;
    if (outcome.ok && this.successes >= successThreshold) next = true;
    if (!outcome.ok && this.failures >= failureThreshold) next = false;
    if (next !== this.result) {
      this.result = next;
      this.onChange(next, outcome.message);
    }
    // A startup probe stops once it succeeded.
    if (this.kind === "startup" && this.result) return;
    this.schedule(Math.max(1, this.probe.periodSeconds ?? 10) * 1000);
  }
}
