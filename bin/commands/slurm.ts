/*
 * `bulkhead slurm <spec> --shards N [--out dir] [--partition P] [--time T] [--cpus-per-task C] [--submit]`:
 * writes a campaign's Slurm job array (one task per shard, each into its own database) and its
 * merge-and-report job (campaigns/slurm.ts), and with --submit submits both, the second after the
 * whole array succeeded (afterok), and prints their job ids. Without --submit it prints the two
 * sbatch commands. Exit status: 0; 2 bad input (spec, options, a failed sbatch).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { parseSpec } from "../../campaigns/spec.js";
import { arrayScript, mergeScript, shQuote, type SlurmJob } from "../../campaigns/slurm.js";
import { EXIT_USAGE, ExitError } from "../errors.js";
import { parseIntOption, readInputFile } from "./run.js";

interface SlurmArgs {
  spec: string;
  shards?: string;
  out?: string;
  partition?: string;
  time?: string;
  cpusPerTask?: string;
  submit?: boolean;
}

/** A single-valued text option, or undefined; one line when given twice or empty. */
function text(name: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new ExitError(EXIT_USAGE, `--${name} given more than once`);
  const v = String(raw).trim();
  if (v === "" || /\s/.test(v)) throw new ExitError(EXIT_USAGE, `--${name} must be one word, got '${String(raw)}'`);
  return v;
}

/** Reads and checks the spec and options; the job to write. */
export function slurmJob(args: SlurmArgs, bulkhead: string[]): SlurmJob {
  const shards = parseIntOption("shards", args.shards, 1);
  if (!shards.ok) throw new ExitError(EXIT_USAGE, shards.error);
  if (shards.value === undefined) throw new ExitError(EXIT_USAGE, "--shards N is required (the number of array tasks)");
  const cpus = parseIntOption("cpus-per-task", args.cpusPerTask, 1);
  if (!cpus.ok) throw new ExitError(EXIT_USAGE, cpus.error);
  const parsed = parseSpec(readInputFile(args.spec));
  if (!parsed.ok) throw new ExitError(EXIT_USAGE, `${args.spec}: ${parsed.errors[0]}${parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more: see bulkhead run)` : ""}`);
  const name = parsed.spec.name;
  return {
    name, spec: resolve(args.spec), shards: shards.value, out: resolve(text("out", args.out) ?? `${name}-slurm`),
    partition: text("partition", args.partition), time: text("time", args.time), cpusPerTask: cpus.value ?? 1, bulkhead,
  };
}

/** sbatch --parsable <args>: the job id, or a one-line error. */
function sbatch(args: string[]): string {
  const r = spawnSync("sbatch", ["--parsable", ...args], { encoding: "utf8" });
  if (r.error) throw new ExitError(EXIT_USAGE, `cannot run sbatch: ${(r.error as NodeJS.ErrnoException).code === "ENOENT" ? "not found (is Slurm installed here?)" : r.error.message}`);
  if (r.status !== 0) throw new ExitError(EXIT_USAGE, `sbatch ${args.join(" ")} failed: ${(r.stderr || r.stdout).trim().split("\n")[0]}`);
  const id = r.stdout.trim().split(";")[0];
  if (!/^\d+$/.test(id)) throw new ExitError(EXIT_USAGE, `sbatch printed no job id: '${r.stdout.trim()}'`);
  return id;
}

export const slurmCommand: CommandModule<object, SlurmArgs> = {
  command: "slurm <spec>",
  describe: "Write (and with --submit, submit) a campaign as a Slurm job array of shards plus a merge-and-report job",
  builder: (y: Argv<object>) =>
    y
      .positional("spec", { type: "string", demandOption: true, describe: "campaign spec (YAML)" })
      .option("shards", { type: "string", describe: "array tasks, one shard each (required)" })
      .option("out", { type: "string", describe: "directory for the scripts, shards/, logs/, the merged database and report/ (default <name>-slurm)" })
      .option("partition", { type: "string", describe: "Slurm partition (default: the cluster's)" })
      .option("time", { type: "string", describe: "time limit per array task, as sbatch takes it (e.g. 2:00:00)" })
      .option("cpus-per-task", { type: "string", describe: "CPUs per array task = its worker threads (default 1)" })
      .option("submit", { type: "boolean", default: false, describe: "submit the array and the merge job (afterok) and print their ids" })
      .epilogue("Exit status: 0; 2 bad input.") as unknown as Argv<SlurmArgs>,
  handler: (argv) => {
    // The compute nodes start bulkhead as this process was started (node, its flags, the script).
    const job = slurmJob(argv, [process.execPath, ...process.execArgv, resolve(process.argv[1])]);
    for (const dir of ["shards", "logs"]) mkdirSync(resolve(job.out, dir), { recursive: true });
    const array = resolve(job.out, `${job.name}.array.sbatch`);
    const merge = resolve(job.out, `${job.name}.merge.sbatch`);
    writeFileSync(array, arrayScript(job), { mode: 0o755 });
    writeFileSync(merge, mergeScript(job), { mode: 0o755 });
    process.stdout.write(`wrote ${array} (${job.shards} tasks, ${job.cpusPerTask} CPU${job.cpusPerTask === 1 ? "" : "s"} each) and ${merge}\n`);
    if (!argv.submit) {
      process.stdout.write(`submit: A=$(sbatch --parsable ${shQuote(array)}) && sbatch --dependency=afterok:$A ${shQuote(merge)}\n`);
      return;
    }
    const a = sbatch([array]);
    const m = sbatch([`--dependency=afterok:${a}`, merge]);
    process.stdout.write(`submitted array job ${a} and merge job ${m} (after the array succeeds); merged database: ${resolve(job.out, `${job.name}.db`)}\n`);
  },
};
