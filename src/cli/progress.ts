// Progress of a run on stderr. At a terminal (and CI unset): one live line rewritten in place, with the
// phase, how long the fault has been held out of how long, the steady state and the probe; events that
// matter later (errors, retries, reverts) are kept above it. Elsewhere: plain timestamped lines, one per
// engine event, as a log wants them. It reads the engine's existing progress lines; the engine is unchanged.

import { coloursFor } from "./colour.js";

interface Sink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  readonly name: string;
  readonly stream?: Sink;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
}

/** Whether the live line is used: a terminal, and not CI (CI logs keep every carriage return). */
export function liveProgress(stream: Sink, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.CI === undefined || env.CI === "" || env.CI === "false") && env.TERM !== "dumb";
}

/** Engine lines kept on screen above the live line (the rest only update it). */
const KEPT = /fail|error|lost|retry|could not|not watching|reverted|NOT repaired|dry run|plan:|timeout reached/i;
const CLEAR_LINE = "\r\x1b[2K";

export class RunProgress {
  private readonly stream: Sink;
  private readonly live: boolean;
  private readonly now: () => number;
  private readonly started: number;
  private phase = "starting";
  private hold: { since: number; totalMs: number } | undefined;
  private steady = "";
  private probe = "";
  private timer: NodeJS.Timeout | undefined;
  private shown = false;
  private readonly bold: (text: string) => string;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.live = liveProgress(this.stream, options.env);
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.bold = coloursFor(this.stream, options.env ?? process.env).bold;
    if (this.live) {
      // Once a second, so "held 12s of 180s" moves while nothing else happens; never keeps the process alive.
      this.timer = setInterval(() => this.draw(), 1_000);
      this.timer.unref();
    }
  }

  /** One progress line of the engine. */
  event(line: string): void {
    this.track(line);
    if (!this.live) {
      this.stream.write(`${this.stamp()} ${this.options.name}: ${line}\n`);
      return;
    }
    if (KEPT.test(line)) {
      this.stream.write(`${CLEAR_LINE}${this.stamp()} ${line}\n`);
      this.shown = false;
    }
    this.draw();
  }

  /** Removes the live line (before the result is printed). */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.live && this.shown) this.stream.write(CLEAR_LINE);
    this.shown = false;
  }

  /** The live line's text (without control codes), for tests and the plain fallback. */
  status(): string {
    const parts = [`${this.bold(this.options.name)}: ${this.phase}`];
    if (this.hold) {
      const held = Math.min(this.now() - this.hold.since, this.hold.totalMs);
      parts.push(`fault held ${seconds(held)} of ${seconds(this.hold.totalMs)}`);
    }
    if (this.steady) parts.push(`steady state ${this.steady}`);
    if (this.probe) parts.push(`probe ${this.probe}`);
    return `${this.stamp()} ${parts.join(" · ")}`;
  }

  private draw(): void {
    if (!this.live) return;
    const width = this.stream.columns && this.stream.columns > 20 ? this.stream.columns - 1 : 200;
    const text = this.status();
    // Cut to the terminal's width: a wrapped line could not be rewritten in place.
    this.stream.write(`${CLEAR_LINE}${visibleLength(text) > width ? `${stripAnsi(text).slice(0, width - 1)}…` : text}`);
    this.shown = true;
  }

  private track(line: string): void {
    const phase = /^phase (\S+)/.exec(line);
    if (phase) {
      this.phase = phase[1]!;
      return;
    }
    const hold = /^holding the fault for (\d+) ms/.exec(line);
    if (hold) this.hold = { since: this.now(), totalMs: Number(hold[1]) };
    if (/^waiting up to .* for the steady state/.test(line)) this.steady = "awaited";
    if (/steady state holds again/.test(line)) this.steady = "holds again";
    if (/recovery timeout reached/.test(line)) this.steady = "not back (timeout)";
    if (/^fault reverted|^journal closed/.test(line)) this.hold = undefined;
    if (/reconcile probe sent/.test(line)) this.probe = "sent";
    if (/reconcile probe repaired/.test(line)) this.probe = "repaired";
    if (/reconcile probe NOT repaired/.test(line)) this.probe = "NOT repaired";
  }

  private stamp(): string {
    return `[${((this.now() - this.started) / 1000).toFixed(1).padStart(5)}s]`;
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

function visibleLength(text: string): number {
  return stripAnsi(text).length;
}
