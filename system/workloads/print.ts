/*
 * The `print` workload: a user program prints a document on /dev/lp (the printer driver, through
 * VFS) in writes of `piece` bytes, as a careful spooler does (chardev-client.ts): after EIO it
 * reopens the printer and sends the failed piece again. The document is text made from the seed
 * (lines of words), so the oracle can regenerate it.
 *
 * Its oracle compares what the printer took (the parallel port's record) with the document:
 *
 *   pass     the program finished and the printer took the document exactly, and every error the
 *            program saw is one a driver restart causes (EIO, ENXIO while reopening): with a
 *            failure detected and repaired this is "recovered";
 *   errors   the program saw errors (or did not finish), and the printout is the document with
 *            at most a repeat of a piece's start where the program sent a failed piece again
 *            (the driver had printed part of it before it died): what a user sees after a
 *            recovered printer failure, a few characters twice;
 *   corrupt  characters the document does not have, characters lost or out of order, or a
 *            repeat the program saw no error for.
 *
 * Parameters: seed=<n> (1) bytes=<document size> (2400: past the printer's 2-KiB input buffer, so
 * the last 350 characters wait for the print mechanism, 300 a second, and the driver waits for
 * the printer's acknowledge interrupt as MINIX's does with a busy printer; about 1.2 s of
 * emulated time, mostly idle)
 * piece=<bytes per write> (256) retry=<ticks between opens> (10) retries=<opens in a row> (300)
 */
import seedrandom from "seedrandom";
import { charVerdict, charWorkload, restartErrors, type CharState, type CharJob } from "./chardev-client.js";
import { num, parseParams } from "./vfs-client.js";
import type { DeviceRecords, OracleVerdict, Workload } from "./workload.js";

export interface PrintParams {
  seed: number;
  bytes: number;
  piece: number;
  retry: number;
  retries: number;
}

export function printParams(params: string): PrintParams {
  const p = parseParams(params);
  return {
    seed: num(p.seed, 1),
    bytes: Math.max(1, num(p.bytes, 2400)),
    piece: Math.max(1, Math.min(16384, num(p.piece, 256))),
    retry: Math.max(1, num(p.retry, 10)),
    retries: Math.max(1, num(p.retries, 300)),
  };
}

const WORDS = ["driver", "kernel", "fault", "restart", "isolation", "message", "server", "printer", "reincarnation", "page", "line", "the", "a", "of", "and"];

/** The document for `seed`: `bytes` characters of seeded words, lines of at most 72 characters. */
export function documentOf(seed: number, bytes: number): Uint8Array {
  const rng = seedrandom(`print:${seed}`);
  let text = "";
  let line = "";
  while (text.length < bytes) {
    const w = WORDS[Math.floor(rng() * WORDS.length)];
    if (line.length + w.length + 1 > 72) {
      text += `${line}\n`;
      line = "";
    }
    line += line ? ` ${w}` : w;
  }
  return Uint8Array.from(text.slice(0, bytes), (c) => c.charCodeAt(0));
}

const printJob = (params: string): CharJob => {
  const p = printParams(params);
  const doc = documentOf(p.seed, p.bytes);
  return { node: "lp", once: [], config: [], total: doc.length, piece: p.piece, bytes: (a, b) => doc.slice(a, b), retryTicks: p.retry, retries: p.retries, drainTicks: 0 };
};

export type PrintState = CharState;

export interface PrintJudgement {
  verdict: "pass" | "errors" | "corrupt";
  programErrors: string[];
  /** Characters printed, repeated (a piece's start printed twice), lost, and not in the document. */
  printed: number;
  repeated: number;
  lost: number;
  wrong: number;
  /** Strobes the printer did not take (busy, offline): a driver that ignored the handshake. */
  missed: number;
}

/**
 * Places the printout on the document. A careful program's printout is the document cut at each
 * point where it sent a piece again after EIO (`restarts`, stream offsets in order): each stretch
 * runs from the last restart point to somewhere up to one piece past the next (what the dying
 * driver had printed of the failed piece), and the next stretch starts again at that next point.
 * The part printed twice is `repeated`. Each stretch's end is chosen where the next stretch then
 * matches longest (a coincidence of letters cannot fake a continuation). After the last stretch,
 * characters that do not continue the document are `wrong`; document characters never reached,
 * or skipped before a restart point, are `lost`.
 */
export function comparePrintout(doc: Uint8Array, printed: Uint8Array, piece: number, restarts: number[]): { repeated: number; lost: number; wrong: number } {
  const run = (p: number, d: number): number => {
    let n = 0;
    while (p + n < printed.length && d + n < doc.length && printed[p + n] === doc[d + n]) n++;
    return n;
  };
  let i = 0; // next printed character
  let at = 0; // the document position it should be
  let repeated = 0;
  let lost = 0;
  for (const e of restarts) {
    if (e < at || e > doc.length) continue;
    const reach = at + run(i, at); // this stretch matches the document up to here
    if (reach < e) {
      lost += e - reach; // acknowledged characters that were never printed
      i += reach - at;
      at = e;
      continue;
    }
    let end = e;
    let best = -1;
    for (let x = Math.min(reach, e + piece); x >= e; x--) {
      const next = run(i + (x - at), e);
      if (next > best) [best, end] = [next, x];
    }
    repeated += end - e;
    i += end - at;
    at = e;
  }
  let wrong = 0;
  while (i < printed.length) {
    if (at < doc.length && printed[i] === doc[at]) at++;
    else wrong++;
    i++;
  }
  return { repeated, lost: lost + doc.length - at, wrong };
}

export function judgePrint(params: string, state: PrintState | undefined, devices: DeviceRecords): PrintJudgement {
  const p = printParams(params);
  const doc = documentOf(p.seed, p.bytes);
  const rec = Object.values(devices).find((d) => d.kind === "printer");
  const printed = rec && rec.kind === "printer" ? rec.printed : new Uint8Array(0);
  const programErrors = state ? state.errors.map((e) => `${e.request}: ${e.error}`) : ["the workload is gone"];
  if (state && !state.done) programErrors.push(`the workload did not finish (${state.phase}, ${state.offset} of ${doc.length} bytes taken)`);
  const finished = state?.done === true && state.offset === doc.length;
  const c = comparePrintout(doc, printed, p.piece, state?.eios ?? []);
  // Lost characters are expected only when the program did not get to print them.
  const lostUnseen = finished ? c.lost : Math.max(0, c.lost - (doc.length - (state?.offset ?? 0)));
  const sawErrors = programErrors.length > 0;
  let verdict: PrintJudgement["verdict"];
  if (c.wrong > 0 || lostUnseen > 0 || (c.repeated > 0 && !sawErrors)) verdict = "corrupt";
  else if (c.repeated > 0 || c.lost > 0 || (sawErrors && !(finished && restartErrors(state!).only))) verdict = "errors";
  else verdict = "pass";
  return { verdict, programErrors, printed: printed.length, repeated: c.repeated, lost: c.lost, wrong: c.wrong, missed: rec && rec.kind === "printer" ? rec.missed : 0 };
}

function judgePrintRun(params: string, state: PrintState | undefined, devices: DeviceRecords): OracleVerdict {
  const j = judgePrint(params, state, devices);
  const counts = `${j.printed} printed, ${j.repeated} repeated, ${j.lost} lost, ${j.wrong} wrong`;
  const through = j.programErrors.length ? ` through ${j.programErrors.length} error(s) a driver restart explains` : "";
  return charVerdict(state, j, {
    corrupt: `printout differs from the document: ${counts}`,
    errors: `${j.programErrors.join("; ")} (${counts})`,
    pass: `document printed exactly (${j.printed} characters)${through}`,
  });
}

export const printWorkload: Workload<PrintState> = charWorkload(
  "print",
  "print a seeded text document on /dev/lp through VFS, reopening after EIO; the printout compared with the document",
  "printer",
  printJob,
  judgePrintRun,
);
