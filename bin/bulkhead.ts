#!/usr/bin/env node
/*
 * The `bulkhead` command line. Thin on purpose: yargs parses, each command lives in
 * bin/commands/<name>.ts and calls into the modules that do the work. Every failure ends here as
 * one line on stderr and an exit status (see bin/errors.ts); usage errors exit 2.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { bootCommand } from "./commands/boot.js";
import { compareCommand } from "./commands/compare.js";
import { execCommand } from "./commands/exec.js";
import { mergeCommand } from "./commands/merge.js";
import { overheadCommand } from "./commands/overhead.js";
import { slurmCommand } from "./commands/slurm.js";
import { planCommand } from "./commands/plan.js";
import { replayCommand } from "./commands/replay.js";
import { reportCommand } from "./commands/report.js";
import { runCommand } from "./commands/run.js";
import { debugEnabled, EXIT_USAGE, ExitError, reportError } from "./errors.js";

/** The version in package.json, found from bin/ (tsx) or dist/bin/ (built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "bulkhead" && pkg.version) return pkg.version;
    } catch {
      // not here; look one level up
    }
  }
  return "unknown";
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type
const COMMANDS: CommandModule<object, any>[] = [execCommand, bootCommand, runCommand, mergeCommand, replayCommand, planCommand, reportCommand, compareCommand, overheadCommand, slurmCommand];

/** Turns a yargs validation message into a usage error; errors thrown by handlers pass through. */
function onParseFailure(msg: string | null | undefined, err: Error | undefined): never {
  if (err) throw err;
  const text = msg ? msg.charAt(0).toLowerCase() + msg.slice(1) : "invalid command line";
  throw new ExitError(EXIT_USAGE, `${text} (see bulkhead --help)`);
}

/** yargs reports an unknown command as an "unknown argument"; name it for what it is. */
function checkCommandName(argv: string[]): void {
  const first = argv[0];
  if (first === undefined || first.startsWith("-")) return;
  const known = COMMANDS.map((c) => String(c.command).split(" ")[0]);
  if (!known.includes(first))
    throw new ExitError(EXIT_USAGE, `unknown command '${first}' (commands: ${known.join(", ")}; see bulkhead --help)`);
}

async function main(argv: string[]): Promise<void> {
  checkCommandName(argv);
  await yargs(argv)
    .scriptName("bulkhead")
    .usage("$0 <command> [options]\n\nFault-injection and dependability harness on an emulated RISC-V machine.")
    .command(COMMANDS)
    .demandCommand(1, "no command given")
    .strict()
    .version(packageVersion())
    .help()
    .alias("h", "help")
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail(onParseFailure)
    .parseAsync();
}

process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0); // reader went away (e.g. `| head`)
  throw e;
});

main(hideBin(process.argv)).catch((err: unknown) => {
  const report = reportError(err, debugEnabled());
  process.stderr.write(report.line + "\n");
  if (report.detail) process.stderr.write(report.detail + "\n");
  process.exitCode = report.code;
});
