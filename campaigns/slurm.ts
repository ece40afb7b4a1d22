/*
 * Slurm job scripts for a campaign (`bulkhead slurm`): a job array with one task per shard, each
 * running `bulkhead run --shard auto` into its own database under <out>/shards (a resubmitted task
 * resumes its shard), and a merge-and-report job that depends on the whole array (afterok). The
 * scripts are plain sbatch files a researcher can read and edit before submitting them. Pure text
 * here; bin/commands/slurm.ts writes and submits them.
 */

export interface SlurmJob {
  /** The campaign's name (from its spec) and the spec file's absolute path. */
  name: string;
  spec: string;
  /** Array tasks, one per shard. */
  shards: number;
  /** Absolute output directory: shards/, logs/, the merged database and the report go there. */
  out: string;
  partition?: string;
  time?: string;
  /** CPUs per array task: the task's worker threads. */
  cpusPerTask: number;
  /** How to start bulkhead on a compute node: the command line this process was started with. */
  bulkhead: string[];
}

/** A word quoted for sh (single quotes; a quote inside is closed, escaped, reopened). */
export const shQuote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const cmd = (words: string[]): string => words.map(shQuote).join(" ");

function header(job: SlurmJob, lines: string[]): string[] {
  return [
    ...lines,
    ...(job.partition ? [`#SBATCH --partition=${job.partition}`] : []),
    ...(job.time ? [`#SBATCH --time=${job.time}`] : []),
  ];
}

/** The database of shard i (what `bulkhead run --shard auto` names it in its working directory). */
export const shardDb = (job: SlurmJob, i: number): string => `${job.name}.shard${i}of${job.shards}.db`;

/** The job array: task i runs shard i of `shards`, with the task's CPUs as workers. */
export function arrayScript(job: SlurmJob): string {
  return [
    "#!/bin/bash",
    `# bulkhead campaign ${job.name}: one Slurm array task per shard, written by \`bulkhead slurm\` (edit freely).`,
    `# Task i runs shard i of ${job.shards} into ${job.out}/shards/${job.name}.shard<i>of${job.shards}.db; a task`,
    "# submitted again (after a failure, a timeout) skips the experiments its database already holds.",
    ...header(job, [
      `#SBATCH --job-name=bulkhead-${job.name}`,
      `#SBATCH --array=0-${job.shards - 1}`,
      "#SBATCH --ntasks=1",
      `#SBATCH --cpus-per-task=${job.cpusPerTask}`,
      `#SBATCH --output=${job.out}/logs/%A_%a.out`,
    ]),
    "set -euo pipefail",
    `cd ${shQuote(`${job.out}/shards`)}`,
    `exec ${cmd([...job.bulkhead, "run", job.spec, "--shard", "auto"])} --workers "\${SLURM_CPUS_PER_TASK:-${job.cpusPerTask}}"`,
    "",
  ].join("\n");
}

/** The merge-and-report job (submitted with --dependency=afterok:<array job>): merge every shard, then the report. */
export function mergeScript(job: SlurmJob): string {
  const shards = Array.from({ length: job.shards }, (_, i) => `shards/${shardDb(job, i)}`);
  return [
    "#!/bin/bash",
    `# bulkhead campaign ${job.name}: merge the ${job.shards} shard databases into ${job.name}.db and write its report`,
    "# (report/). Submitted to run after every array task succeeded; it can be run by hand too.",
    ...header(job, [
      `#SBATCH --job-name=bulkhead-${job.name}-merge`,
      "#SBATCH --ntasks=1",
      "#SBATCH --cpus-per-task=1",
      `#SBATCH --output=${job.out}/logs/%j-merge.out`,
    ]),
    "set -euo pipefail",
    `cd ${shQuote(job.out)}`,
    `rm -f ${shQuote(`${job.name}.db`)} # derived from the shards: merged again from scratch`,
    `${cmd([...job.bulkhead, "merge", ...shards, "-o", `${job.name}.db`])}`,
    `${cmd([...job.bulkhead, "report", `${job.name}.db`, "--out", "report"])}`,
    "",
  ].join("\n");
}
