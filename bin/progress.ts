/*
 * The campaign progress reporter. On a terminal: one line redrawn in place (\r, at most ~10
 * times a second) — done/total (pct) · rate · ETA · outcomes so far, most severe first.
 * Elsewhere (a log file, CI): a plain line every `everyExperiments` experiments or `everyMs`
 * milliseconds, whichever comes first. Wall-clock time is fine here: bin/ is outside the
 * deterministic system. The rate counts only this session's experiments (not resumed ones).
 */
import { OUTCOMES } from "../campaigns/types.js";

export interface ProgressOptions {
  total: number;
  stream: { write(s: string): unknown; columns?: number };
  isTTY: boolean;
  /** Milliseconds clock (default Date.now); tests pass their own. */
  now?: () => number;
  /** Non-TTY: a line every this many experiments (default 100) ... */
  everyExperiments?: number;
  /** ... or after this many milliseconds (default 10 s). */
  everyMs?: number;
}

export interface Progress {
  /** Reports `done` experiments of `total` finished, with the counts per outcome so far. */
  update(done: number, counts: Record<string, number>): void;
  /** Prints the final state (and ends the redrawn line on a terminal). */
  finish(): void;
}

const TTY_INTERVAL_MS = 100;

/** Short names for the outcome counts. */
const SHORT: Record<string, string> = {
  "system-crash": "crash", "system-hang": "hang", "component-dead": "dead", "workload-hang": "stalled", "silent-corruption": "corrupt",
  degraded: "degraded", recovered: "recovered", "no-effect": "no-effect", "not-activated": "not-activated",
};

/** "crash 3 · hang 1 · recovered 40": non-zero counts, known outcomes in severity order first. */
export function formatCounts(counts: Record<string, number>): string {
  const known = OUTCOMES as readonly string[];
  const keys = [...known.filter((k) => counts[k]), ...Object.keys(counts).filter((k) => !known.includes(k) && counts[k]).sort()];
  return keys.map((k) => `${SHORT[k] ?? k} ${counts[k]}`).join(" · ");
}

/** "42s", "3m05s", "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** "1.23", "12.3", "123": three significant digits, enough for a rate. */
const formatRate = (r: number): string => (r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2));

/** The progress line for a state (no \r, no newline). */
export function progressLine(s: { done: number; total: number; rate?: number; counts: Record<string, number> }): string {
  const pct = s.total > 0 ? ((100 * s.done) / s.total).toFixed(1) : "100.0";
  const parts = [`${s.done}/${s.total} (${pct}%)`];
  if (s.rate !== undefined && s.rate > 0) {
    parts.push(`${formatRate(s.rate)} exp/s`);
    if (s.done < s.total) parts.push(`ETA ${formatDuration((s.total - s.done) / s.rate)}`);
  }
  const counts = formatCounts(s.counts);
  if (counts) parts.push(counts);
  return parts.join(" · ");
}

/** A reporter writing to `stream` (see the file comment). */
export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const every = opts.everyExperiments ?? 100;
  const everyMs = opts.everyMs ?? 10_000;
  let first: { done: number; at: number } | undefined;
  let state = { done: 0, counts: {} as Record<string, number> };
  let lastDrawAt = -Infinity;
  let lastDrawDone = -1;
  let lastWidth = 0;

  const rate = (): number | undefined => {
    if (!first) return undefined;
    const secs = (now() - first.at) / 1000;
    return secs > 0 && state.done > first.done ? (state.done - first.done) / secs : undefined;
  };
  const line = (): string => progressLine({ done: state.done, total: opts.total, rate: rate(), counts: state.counts });

  const draw = (): void => {
    lastDrawAt = now();
    lastDrawDone = state.done;
    if (!opts.isTTY) {
      opts.stream.write(line() + "\n");
      return;
    }
    const width = Math.max(20, (opts.stream.columns || 100) - 1); // 0 or undefined: width unknown
    const text = line().slice(0, width);
    opts.stream.write("\r" + text + " ".repeat(Math.max(0, lastWidth - text.length)));
    lastWidth = text.length;
  };

  return {
    update(done, counts) {
      first ??= { done, at: now() };
      state = { done, counts: { ...counts } };
      const elapsed = now() - lastDrawAt;
      if (opts.isTTY ? elapsed >= TTY_INTERVAL_MS : done - lastDrawDone >= every || elapsed >= everyMs) draw();
    },
    finish() {
      if (opts.isTTY) {
        draw();
        opts.stream.write("\n");
      } else if (lastDrawDone !== state.done) draw();
    },
  };
}
