/*
 * `bulkhead run <spec.yaml> [--db file] [--workers N] [--seed S] [--experiments N] [--shard i/n | --shard auto [--shard-count N]]`:
 * runs a campaign into its SQLite store, with a progress line on stderr and a table of outcomes
 * per build on stdout at the end.
 *
 * Resume is the default: experiments already in the database are skipped, so after Ctrl-C (or a
 * crash, or kill -9) the same command carries on. A database holding another spec is refused.
 * The database defaults to `<name>.db` in the current directory (`<name>.shard<i>of<n>.db` with
 * --shard). Exit status: 0 done; 2 bad input (spec, options, database); 130 interrupted.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Argv, CommandModule } from "yargs";
import { parseShard, shardFromEnv, type Shard } from "../../campaigns/shard.js";
import { parseSpec } from "../../campaigns/spec.js";
import { Store } from "../../campaigns/store.js";
import { OUTCOMES } from "../../campaigns/types.js";
import { EXIT_USAGE, ExitError } from "../errors.js";
import { createProgress, type Progress } from "../progress.js";

export const EXIT_INTERRUPTED = 130; // 128 + SIGINT

interface RunArgs {
  spec: string;
  db?: string;
  workers?: string;
  seed?: string;
  experiments?: string;
  shard?: string;
  shardCount?: string;
}

/** The parsed options of one run. */
export interface RunPlan {
  specFile: string;
  db: string;
  workers: number;
  seed?: number;
  maxExperiments?: number;
  shard?: Shard;
}

/** Parses an integer option >= min; returns a one-line error naming the option otherwise. */
export function parseIntOption(name: string, raw: unknown, min: number): { ok: true; value: number | undefined } | { ok: false; error: string } {
  if (raw === undefined) return { ok: true, value: undefined };
  if (Array.isArray(raw)) return { ok: false, error: `--${name} given more than once` };
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min)
    return { ok: false, error: `--${name} must be an integer >= ${min}, got '${String(raw)}'` };
  return { ok: true, value };
}

/** The default database of a campaign (and shard), in the current directory. */
export const defaultDb = (name: string, shard?: Shard): string => (shard ? `${name}.shard${shard.index}of${shard.count}.db` : `${name}.db`);

/** Reads a text file given on the command line; a missing file is the user's error. */
export function readInputFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : null;
    if (why === null) throw e;
    throw new ExitError(EXIT_USAGE, `cannot read ${path}: ${why}`);
  }
}

/** The version in package.json (found from bin/commands/ or dist/bin/commands/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "bulkhead" && pkg.version) return pkg.version;
    } catch {
      // not here; look one level up
    }
  }
  return "unknown";
}

/**
 * The outcome table: one row per build, a column per outcome that occurred (most severe first)
 * and the total.
 */
export function formatOutcomeTable(rows: Array<{ build: string; outcome: string; n: number }>, builds: string[]): string {
  const seen = new Set(rows.map((r) => r.outcome));
  const outcomes = [...OUTCOMES.filter((o) => seen.has(o)), ...[...seen].filter((o) => !(OUTCOMES as readonly string[]).includes(o)).sort()];
  const names = [...builds, ...[...new Set(rows.map((r) => r.build))].filter((b) => !builds.includes(b))];
  const count = (b: string, o: string): number => rows.find((r) => r.build === b && r.outcome === o)?.n ?? 0;
  const header = ["build", ...outcomes, "total"];
  const body = names.map((b) => [b, ...outcomes.map((o) => String(count(b, o))), String(outcomes.reduce((s, o) => s + count(b, o), 0))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [fmt(header), ...body.map(fmt)].join("\n");
}

/** Checks the options (before anything is read or opened). */
function parseOptions(args: RunArgs): RunPlan {
  const workers = parseIntOption("workers", args.workers, 1);
  const seed = parseIntOption("seed", args.seed, 0);
  const experiments = parseIntOption("experiments", args.experiments, 1);
  for (const r of [workers, seed, experiments]) if (!r.ok) throw new ExitError(EXIT_USAGE, r.error);
  let shard: Shard | undefined;
  const shardCount = parseIntOption("shard-count", args.shardCount, 1);
  if (!shardCount.ok) throw new ExitError(EXIT_USAGE, shardCount.error);
  if (args.shard !== undefined) {
    const s = String(args.shard) === "auto" ? shardFromEnv(process.env, shardCount.value) : parseShard(String(args.shard));
    if (!s.ok) throw new ExitError(EXIT_USAGE, s.error);
    shard = s.shard;
  } else if (shardCount.value !== undefined) throw new ExitError(EXIT_USAGE, "--shard-count goes with --shard auto");
  if (args.db === "") throw new ExitError(EXIT_USAGE, "--db must name a file");
  return {
    specFile: args.spec,
    db: args.db ?? "",
    workers: (workers.ok && workers.value) || availableParallelism(),
    seed: seed.ok ? seed.value : undefined,
    maxExperiments: experiments.ok ? experiments.value : undefined,
    shard,
  };
}

/**
 * Runs the command: returns the exit status; throws ExitError on bad input. Spec errors are
 * printed one per line (`bulkhead: <file>: <error>`) with status 2.
 */
export async function runRun(args: RunArgs): Promise<number> {
  const plan = parseOptions(args);
  const yamlText = readInputFile(plan.specFile);
  const parsed = parseSpec(yamlText);
  if (!parsed.ok) {
    for (const e of parsed.errors) process.stderr.write(`bulkhead: ${plan.specFile}: ${e}\n`);
    return EXIT_USAGE;
  }
  const spec = plan.seed === undefined ? parsed.spec : { ...parsed.spec, seed: plan.seed };
  const db = plan.db || defaultDb(spec.name, plan.shard);
  const opened = Store.open(db, { create: true });
  if (!opened.ok) throw new ExitError(EXIT_USAGE, opened.error);
  const store = opened.store;
  const init = store.init(spec, yamlText);
  if (!init.ok) {
    store.close();
    throw new ExitError(EXIT_USAGE, init.error);
  }
  const now = new Date().toISOString();
  if (store.meta("started_at") === undefined) store.setMeta("started_at", now);
  if (store.meta("version") === undefined) store.setMeta("version", packageVersion());
  store.setMeta("last_run_at", now);
  return runWithProgress(spec.name, plan, db, store);
}

/**
 * Runs the campaign with the progress reporter and the summary at the end. The first Ctrl-C
 * (or SIGTERM) asks the runner to stop after the experiments in flight; a second one exits at
 * once. Either way every finished experiment is already committed to the store.
 */
async function runWithProgress(name: string, plan: RunPlan, db: string, store: Store): Promise<number> {
  let progress: Progress | undefined;
  let stopping = false;
  const interrupt = (signal: NodeJS.Signals): void => {
    if (!stopping) {
      stopping = true;
      progress?.finish();
      process.stderr.write(`bulkhead: ${signal}: stopping after the experiments in flight (again to stop now)\n`);
      return;
    }
    const n = store.count();
    store.close();
    process.stderr.write(`bulkhead: stopped; ${n} experiments are in ${db}; run the same command again to resume\n`);
    process.exit(EXIT_INTERRUPTED);
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  try {
    // Loaded here, not at the top: the runner pulls in the whole system, which other commands
    // (and this one's input checks) do not need.
    const { runCampaign } = await import("../../campaigns/runner.js");
    const { CampaignError } = await import("../../campaigns/errors.js");
    const spec = store.spec();
    const summary = await runCampaign(spec, store, {
      workers: plan.workers,
      ...(plan.shard ? { shard: plan.shard } : {}),
      ...(plan.maxExperiments !== undefined ? { maxExperiments: plan.maxExperiments } : {}),
      shouldStop: () => stopping,
      onProgress: (p) => {
        progress ??= createProgress({ total: p.total, stream: process.stderr, isTTY: process.stderr.isTTY === true });
        if (!stopping) progress.update(p.done, p.counts);
      },
    }).catch((e: unknown) => {
      if (e instanceof CampaignError) throw new ExitError(EXIT_USAGE, `${name}: ${e.message}`);
      throw e;
    });
    if (!stopping) progress?.finish();
    const shard = plan.shard ? ` (shard ${plan.shard.index}/${plan.shard.count})` : "";
    const done = summary.ran + summary.resumed;
    process.stdout.write(formatOutcomeTable(store.outcomeCounts(), spec.builds) + "\n\n");
    process.stdout.write(`${name}${shard}: ran ${summary.ran}, resumed ${summary.resumed}; ${done} of ${summary.total} experiments in ${db}\n`);
    if (!stopping || done === summary.total) return 0;
    process.stderr.write(`bulkhead: interrupted; run the same command again to resume\n`);
    return EXIT_INTERRUPTED;
  } finally {
    process.removeListener("SIGINT", interrupt);
    process.removeListener("SIGTERM", interrupt);
    store.close();
  }
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: "run <spec>",
  describe: "Run a fault-injection campaign (YAML spec) into its SQLite database; resumes an interrupted one",
  builder: (y: Argv<object>) =>
    y
      .positional("spec", { type: "string", demandOption: true, describe: "campaign spec (YAML; see campaigns/library/)" })
      .option("db", { type: "string", describe: "database file (default <name>.db, or <name>.shard<i>of<n>.db)" })
      .option("workers", { type: "string", describe: "worker threads (default: the number of CPUs)" })
      .option("seed", { type: "string", describe: "override the spec's seed" })
      .option("experiments", { type: "string", describe: "run only the first N planned experiments (of this shard)" })
      .option("shard", { type: "string", describe: "run shard i of n (faults f % n == i, every build's experiment of each), or auto: the Slurm array task's or Kubernetes job index's shard; merge the shards with `bulkhead merge`" })
      .option("shard-count", { type: "string", describe: "with --shard auto in a Kubernetes Indexed Job: the job's completions (Slurm gives its own)" })
      .epilogue("Experiments already in the database are skipped (resume). Ctrl-C stops; what finished is kept. " +
        "Exit status: 0 done; 2 bad input; 130 interrupted.") as unknown as Argv<RunArgs>,
  handler: async (argv) => {
    process.exitCode = await runRun(argv);
  },
};
