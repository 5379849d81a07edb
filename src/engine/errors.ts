/** The run refused to start or to inject (safety rule, lock, pre-check, preflight): nothing was changed. */
export class RunRefusedError extends Error {}
