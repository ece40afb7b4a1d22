/*
 * How the CLI fails, after changesets: an `ExitError` is an expected failure (bad input, bad
 * option value, a file that is missing or not an ELF) and carries its exit code; anything else
 * that reaches the top level is a bug in bulkhead. Either way the user sees exactly one line on
 * stderr; a stack trace only with BULKHEAD_DEBUG=1.
 */

/** Exit statuses the CLI itself uses (guest programs choose their own in 1..123). */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70; // EX_SOFTWARE (sysexits.h)

/** An expected failure: print `bulkhead: <message>` and exit with `code`. */
export class ExitError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "ExitError";
  }
}

/** What the top level prints and the status it exits with. */
export interface ErrorReport {
  line: string;
  code: number;
  /** The stack, when debugging is on and the error had one. */
  detail?: string;
}

/**
 * Turns anything caught at the top level into one line and an exit code.
 * ExitError → its message and code; everything else → an internal error, exit 70.
 */
export function reportError(err: unknown, debug: boolean): ErrorReport {
  const detail = debug && err instanceof Error ? err.stack : undefined;
  if (err instanceof ExitError) return { line: `bulkhead: ${oneLine(err.message)}`, code: err.code, detail };
  const message = err instanceof Error ? err.message : String(err);
  return {
    line: `bulkhead: internal error: ${oneLine(message)} (this is a bug in bulkhead)`,
    code: EXIT_INTERNAL,
    detail,
  };
}

/** True when BULKHEAD_DEBUG asks for stack traces. */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.BULKHEAD_DEBUG;
  return v !== undefined && v !== "" && v !== "0";
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, "; ").trim();
}
