import { describe, expect, it } from "vitest";
import { KubeApiError } from "../kube/errors.js";
import { backoffMs, isTransient, retryTransient, RetryExhaustedError } from "./revert-retry.js";

const apiError = (status: number) => new KubeApiError(status, `HTTP${status}`, `PUT /x: (HTTP ${status})`, "PUT", "/x");
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:6443`), { code });

describe("which revert errors are retried", () => {
  it("network errors, timeouts, 429, 5xx and 409 are transient", () => {
    for (const error of [networkError("ECONNREFUSED"), networkError("ECONNRESET"), networkError("ETIMEDOUT"), networkError("EPIPE"),
      new Error("PUT /x: no answer within 30000 ms"), new Error("socket hang up"), apiError(429), apiError(500), apiError(503), apiError(409),
      new Error("fetch failed", { cause: networkError("ECONNREFUSED") })]) {
      expect(isTransient(error), error.message).toBe(true);
    }
  });

  it("403, 404, 422 and programming errors are final", () => {
    for (const error of [apiError(403), apiError(404), apiError(422), new TypeError("x is undefined"), "a string"]) {
      expect(isTransient(error), String(error)).toBe(false);
    }
  });
});

describe("backoff", () => {
  it("starts at 250 ms, doubles, stops growing at 4 s, jitter at most 20 %", () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffMs(attempt, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
    expect(backoffMs(1, () => 0.999)).toBeLessThanOrEqual(300);
  });
});

describe("retryTransient", () => {
  const noSleep = async () => {};

  it("retries transient errors until the attempt succeeds, and reports every failure", async () => {
    const answers = [apiError(503), networkError("ECONNREFUSED"), "done"];
    const retried: number[] = [];
    const { value, report } = await retryTransient(async () => {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    }, { signal: new AbortController().signal, sleep: noSleep, onRetry: (_error, attempt) => retried.push(attempt) });
    expect(value).toBe("done");
    expect(report.attempts).toBe(3);
    expect(report.failures).toEqual(["PUT /x: (HTTP 503)", "connect ECONNREFUSED 127.0.0.1:6443"]);
    expect(retried).toEqual([1, 2]);
  });

  it("stops at a final error at once", async () => {
    let attempts = 0;
    const error = await retryTransient(async () => {
      attempts += 1;
      throw apiError(403);
    }, { signal: new AbortController().signal, sleep: noSleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(attempts).toBe(1);
    expect((error as RetryExhaustedError).lastError).toBeInstanceOf(KubeApiError);
  });

  it("stops when its deadline passes, naming the attempts made", async () => {
    const deadline = new AbortController();
    let attempts = 0;
    const error = await retryTransient(async () => {
      attempts += 1;
      if (attempts === 3) deadline.abort(new Error("deadline"));
      throw networkError("ECONNREFUSED");
    }, { signal: deadline.signal, sleep: noSleep }).catch((e: unknown) => e);
    expect(attempts).toBe(3);
    expect((error as Error).message).toBe("connect ECONNREFUSED 127.0.0.1:6443 (revert deadline reached); 3 attempt(s)");
  });

  it("a deadline passing during the pause ends the retries too (real timers)", async () => {
    const error = await retryTransient(async () => {
      throw networkError("ECONNREFUSED");
    }, { signal: AbortSignal.timeout(600) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as RetryExhaustedError).report.attempts).toBeGreaterThanOrEqual(2);
    expect((error as Error).message).toContain("revert deadline reached");
  });
});
