import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, parseRetryAfter, retryDelayMs, socketHost } from "./transport.js";

describe("socketHost", () => {
  it("strips the brackets of an IPv6 literal", () => {
    expect(socketHost(new URL("https://[::1]:6443/api"))).toBe("::1");
    expect(socketHost(new URL("https://[fd00::10]:443"))).toBe("fd00::10");
  });
  it("leaves names and IPv4 addresses alone", () => {
    expect(socketHost(new URL("https://127.0.0.1:6443"))).toBe("127.0.0.1");
    expect(socketHost(new URL("https://kubernetes.default.svc"))).toBe("kubernetes.default.svc");
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    const now = Date.parse("2026-12-01T10:00:00Z");
    expect(parseRetryAfter("Tue, 01 Dec 2026 10:00:02 GMT", now)).toBe(2000);
  });
  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("retryDelayMs", () => {
  const status = (code: number, retryAfter?: string) => ({ kind: "status" as const, status: code, retryAfter });
  const error = (code: string) => ({ kind: "error" as const, code });

  it("retries 429 for every method, honouring Retry-After", () => {
    expect(retryDelayMs("POST", status(429, "2"), 1)).toBe(2000);
    expect(retryDelayMs("PATCH", status(429), 1)).toBe(DEFAULT_RETRY.baseDelayMs);
  });
  it("gives up on a Retry-After longer than the policy allows", () => {
    expect(retryDelayMs("GET", status(429, "3600"), 1)).toBeUndefined();
  });
  it("retries 5xx and connection resets for reads only: a write may have been applied", () => {
    expect(retryDelayMs("GET", status(503), 1)).toBe(100);
    expect(retryDelayMs("GET", error("ECONNRESET"), 2)).toBe(200);
    expect(retryDelayMs("PUT", status(503), 1)).toBeUndefined();
    expect(retryDelayMs("POST", status(500), 1)).toBeUndefined();
    expect(retryDelayMs("DELETE", error("ECONNRESET"), 1)).toBeUndefined();
  });
  it("retries a refused connection for every method: nothing was sent", () => {
    expect(retryDelayMs("POST", error("ECONNREFUSED"), 1)).toBe(100);
  });
  it("never retries client errors, and stops after the last attempt with capped backoff", () => {
    for (const code of [400, 401, 403, 404, 409, 410, 422]) expect(retryDelayMs("GET", status(code), 1)).toBeUndefined();
    expect(retryDelayMs("GET", status(503), DEFAULT_RETRY.attempts)).toBeUndefined();
    expect(retryDelayMs("GET", status(503), 4, { ...DEFAULT_RETRY, attempts: 10 })).toBe(800);
    expect(retryDelayMs("GET", status(503), 9, { ...DEFAULT_RETRY, attempts: 10 })).toBe(DEFAULT_RETRY.maxDelayMs);
  });
});
