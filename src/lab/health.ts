import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { readFileSync } from "node:fs";

/**
 * GET a health endpoint; resolves with the status code (0 when nothing answers). Components'
 * own serving certificates are self-signed, so only the API server's is verified (with `caFile`).
 */
export function httpStatus(url: string, caFile?: string, timeoutMs = 2_000): Promise<number> {
  return new Promise((resolveStatus) => {
    const target = new URL(url);
    const options = {
      method: "GET",
      timeout: timeoutMs,
      ...(target.protocol === "https:"
        ? caFile
          ? { ca: readFileSync(caFile), servername: "localhost" }
          : { rejectUnauthorized: false }
        : {}),
    };
    const request = (target.protocol === "https:" ? httpsRequest : httpRequest)(target, options, (response) => {
      response.resume();
      resolveStatus(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolveStatus(0));
    request.end();
  });
}
