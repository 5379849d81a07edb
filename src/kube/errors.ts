// API errors and their predicates, apart from the HTTP client: fault drivers (loaded by validation,
// which must not load HTTP) classify errors without pulling in src/kube/rest.ts.

/** An API error with the server's status code and reason (Forbidden, NotFound, Conflict, …). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export const isNotFound = (error: unknown) => error instanceof KubeApiError && error.status === 404;
export const isConflict = (error: unknown) => error instanceof KubeApiError && error.status === 409;
export const isForbidden = (error: unknown) => error instanceof KubeApiError && error.status === 403;
