// The Go tool's rollback annotation: {"data": <original as JSON>, "checksum": "<sha256 hex of data>"}.
// We never write it; we read it to revert what the Go tool left behind.
import { createHash } from "node:crypto";

export class RollbackEnvelopeError extends Error {}

/** Unwraps and verifies an envelope; throws with the reason when it is not one or was tampered with. */
export function unwrapGoRollback(annotation: string): unknown {
  let envelope: { data?: unknown; checksum?: unknown };
  try {
    envelope = JSON.parse(annotation);
  } catch {
    throw new RollbackEnvelopeError("rollback data is not JSON");
  }
  if (envelope === null || typeof envelope !== "object" || envelope.data === undefined || typeof envelope.checksum !== "string") {
    throw new RollbackEnvelopeError("rollback data has no data/checksum envelope");
  }
  // The checksum covers the data exactly as the Go tool marshalled it; JSON.stringify of the parsed
  // value reproduces Go's compact encoding for the string maps it writes.
  const raw = JSON.stringify(envelope.data);
  const sum = createHash("sha256").update(raw).digest("hex");
  if (sum !== envelope.checksum) throw new RollbackEnvelopeError(`rollback data checksum mismatch: expected ${envelope.checksum}, got ${sum}`);
  return envelope.data;
}

/** Builds an envelope the way the Go tool does (tests use it to plant Go leftovers). */
export function wrapGoRollback(data: unknown): string {
  const raw = JSON.stringify(data);
  return JSON.stringify({ data, checksum: createHash("sha256").update(raw).digest("hex") });
}
