/*
 * `bulkhead exec <elf>`: run a bare-metal RV32 ELF on the machine until it exits through HTIF
 * (`tohost`), the machine resets or powers off, or the cycle budget runs out.
 *
 * The guest's console output goes to stdout as captured; a one-line summary goes to stderr.
 * Exit status: pass → 0; fail → the guest's code (tohost >> 1, low 8 bits; 1 when those are 0);
 * out of cycles → 124; machine reset / power-off → 125; trap loop (the same trap at the same pc
 * again and again, no instruction retired: e.g. a fault with no handler) → 126; bad input → 2.
 * Guest programs should use codes 1..123 so a failure is never mistaken for one of the
 * harness's own statuses.
 */
import { readFile } from "node:fs/promises";
import type { Argv, CommandModule } from "yargs";
import { execElf, type ExecResult, type ExecTrap } from "../../system/index.js";
import { EXIT_USAGE, ExitError } from "../errors.js";

export const EXIT_TIMEOUT = 124;
export const EXIT_HALTED = 125;
export const EXIT_TRAP_LOOP = 126;
export const MAX_CYCLES_DEFAULT = 1_000_000_000;

interface ExecArgs {
  elf: string;
  "max-cycles"?: string;
  trace: boolean;
}

/** What the command reports after a run: the summary line (without prefix) and the exit status. */
export interface ExecOutcome {
  summary: string;
  exitCode: number;
}

/**
 * Parses the --max-cycles value. Accepts any positive integer Number() understands (1000000,
 * 1e6, 0x100000); returns an error message otherwise.
 */
export function parseMaxCycles(raw: unknown): { ok: true; value: number } | { ok: false; error: string } {
  if (raw === undefined) return { ok: true, value: MAX_CYCLES_DEFAULT };
  if (Array.isArray(raw)) return { ok: false, error: "--max-cycles given more than once" };
  const text = String(raw).trim();
  const value = text === "" ? NaN : Number(text);
  if (!Number.isSafeInteger(value) || value <= 0)
    return { ok: false, error: `--max-cycles must be a positive integer, got '${String(raw)}'` };
  return { ok: true, value };
}

/** Maps a run's result to its summary line and exit status (see the file comment). */
export function summarize(r: ExecResult): ExecOutcome {
  const counts = `${r.instret} instructions (${r.cycles} cycles)`;
  switch (r.status) {
    case "pass":
      return { summary: `PASS after ${counts}`, exitCode: 0 };
    case "fail": {
      const status = r.exitCode & 0xff || 1;
      const note = status === r.exitCode ? "" : ` (exit status ${status})`;
      return { summary: `FAIL with code ${r.exitCode}${note} after ${counts}`, exitCode: status };
    }
    case "timeout":
      return {
        summary: `out of cycles after ${r.cycles} cycles, ${r.instret} instructions (use --max-cycles)`,
        exitCode: EXIT_TIMEOUT,
      };
    case "trap-loop":
      return { summary: `trap loop: ${trapLoopText(r.trapLoop)} after ${counts}`, exitCode: EXIT_TRAP_LOOP };
    case "halted": {
      const what = r.halt?.kind === "poweroff" ? "machine powered off" : "machine reset";
      return { summary: `${what}: ${r.halt?.reason ?? "unknown reason"} after ${counts}`, exitCode: EXIT_HALTED };
    }
  }
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;
const trapText = (t: ExecTrap): string => `${t.name} at pc ${hex(t.pc)}, tval ${hex(t.tval)}`;
const sameTrap = (a: ExecTrap, b: ExecTrap): boolean =>
  a.cause === b.cause && a.interrupt === b.interrupt && a.pc === b.pc && a.tval === b.tval;

/** The first trap of a trap loop, and the one that repeated when it is another. */
function trapLoopText(t: ExecResult["trapLoop"]): string {
  if (!t) return "no trap recorded;";
  const again = `${t.repeats + 1} times in a row`;
  if (sameTrap(t.first, t.repeated)) return `${trapText(t.first)}, ${again} with no instruction retired;`;
  return `${trapText(t.first)}; then the trap handler never ran an instruction: ${trapText(t.repeated)}, ${again};`;
}

/** Reads the ELF file; a missing or unreadable file is the user's error, not ours. */
async function readElf(path: string): Promise<Uint8Array> {
  if (path === "") throw new ExitError(EXIT_USAGE, "no ELF file given (empty path)");
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : null;
    if (why === null) throw e;
    throw new ExitError(EXIT_USAGE, `cannot read ${path}: ${why}`);
  }
}

/** A trace sink that batches lines so tracing millions of instructions stays cheap. */
function traceWriter(): { write: (line: string) => void; flush: () => void } {
  let buf: string[] = [];
  const flush = (): void => {
    if (buf.length) process.stdout.write(buf.join("\n") + "\n");
    buf = [];
  };
  return {
    write: (line) => {
      buf.push(line);
      if (buf.length >= 4096) flush();
    },
    flush,
  };
}

/** Runs the command; returns the exit status, or throws ExitError on bad input. */
export async function runExec(args: { elf: string; maxCycles: unknown; trace: boolean }): Promise<number> {
  const max = parseMaxCycles(args.maxCycles);
  if (!max.ok) throw new ExitError(EXIT_USAGE, max.error);
  const bytes = await readElf(args.elf);
  const tracer = args.trace ? traceWriter() : null;
  const run = execElf(bytes, { maxCycles: max.value, trace: tracer?.write });
  tracer?.flush();
  if (!run.ok) throw new ExitError(EXIT_USAGE, `${args.elf}: ${run.error}`);
  const out = run.result.console;
  if (out) process.stdout.write(out);
  const outcome = summarize(run.result);
  // On a terminal, start the summary on its own line even if the guest's last line is unfinished.
  const sep = out && !out.endsWith("\n") && process.stdout.isTTY && process.stderr.isTTY ? "\n" : "";
  process.stderr.write(`${sep}bulkhead: ${outcome.summary}\n`);
  return outcome.exitCode;
}

export const execCommand: CommandModule<object, ExecArgs> = {
  command: "exec <elf>",
  describe: "Run a bare-metal RV32 ELF until it exits through HTIF tohost",
  builder: (y: Argv<object>) =>
    y
      .positional("elf", { type: "string", demandOption: true, describe: "RV32IM ELF executable (entry in RAM at 0x80000000)" })
      .option("max-cycles", {
        type: "string",
        describe: `Cycle budget; when it runs out, exit 124 (default ${MAX_CYCLES_DEFAULT})`,
      })
      .option("trace", { type: "boolean", default: false, describe: "Print one line per executed instruction to stdout" })
      .epilogue(
        "Exit status: 0 pass; otherwise the guest's code (tohost >> 1, low 8 bits, 1 if those are 0; " +
          "use 1..123); 124 out of cycles; " +
          "125 machine reset or powered off; 126 trap loop (the same trap at the same pc again and again, " +
          "no instruction retired: e.g. a fault with no trap handler); 2 bad input.",
      ) as unknown as Argv<ExecArgs>,
  handler: async (argv) => {
    process.exitCode = await runExec({ elf: argv.elf, maxCycles: argv["max-cycles"], trace: argv.trace });
  },
};
