// Runs a suite's experiments at most N at a time, never two that conflict at once: a task starts when
// a slot is free and it conflicts with no running task and with no earlier task still waiting (so
// conflicting experiments keep their file order). Records which task waited for which.

import { conflictBetween, type ConflictKeys } from "./conflict.js";

export interface Wait {
  /** Index of the task that waited. */
  readonly task: number;
  /** Index of the task it waited for. */
  readonly for: number;
  /** The keys they share (e.g. operator:llamastack). */
  readonly shared: readonly string[];
}

export interface ScheduleResult<T> {
  readonly results: T[];
  readonly waits: Wait[];
}

export async function runScheduled<T>(
  tasks: readonly (ConflictKeys | undefined)[],
  parallel: number,
  run: (index: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<ScheduleResult<T>> {
  const results = new Array<T>(tasks.length);
  const waits: Wait[] = [];
  const recorded = new Set<string>();
  const pending = tasks.map((_, index) => index);
  const running = new Set<number>();
  const limit = Math.max(1, parallel);
  return new Promise((resolve, reject) => {
    let failed = false;
    const conflicts = (a: number, b: number) => {
      const ka = tasks[a];
      const kb = tasks[b];
      return ka && kb ? conflictBetween(ka, kb) : [];
    };
    const pump = (): void => {
      if (failed) return;
      if (pending.length === 0 && running.size === 0) {
        resolve({ results, waits });
        return;
      }
      for (let position = 0; position < pending.length && running.size < limit && !signal?.aborted; position++) {
        const index = pending[position]!;
        const blocker = [...running, ...pending.slice(0, position)].find((other) => conflicts(index, other).length > 0);
        if (blocker !== undefined) {
          if (running.has(blocker) && !recorded.has(`${index}:${blocker}`)) {
            recorded.add(`${index}:${blocker}`);
            waits.push({ task: index, for: blocker, shared: conflicts(index, blocker) });
          }
          continue;
        }
        pending.splice(position, 1);
        position--;
        running.add(index);
        run(index).then(
          (value) => {
            results[index] = value;
            running.delete(index);
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
      if (signal?.aborted && running.size === 0) resolve({ results, waits });
    };
    pump();
  });
}
