/*
 * `bulkhead replay <db> <id> [--trace]`: reruns one stored experiment (same snapshot, fault and
 * seed), prints its fault, event timeline and console (and with --trace every guest instruction),
 * and states whether the replay ended as the stored run did.
 * Exit status: 0 identical (outcome, state hash, cycles); 1 different; 2 bad input.
 */
import type { Argv, CommandModule } from "yargs";
import type { ReplayReport } from "../../campaigns/replay.js";
import { Store } from "../../campaigns/store.js";
import type { ExperimentResult } from "../../campaigns/types.js";
import { EXIT_USAGE, ExitError } from "../errors.js";
import { parseIntOption } from "./run.js";

export const EXIT_DIFFERENT = 1;

interface ReplayArgs {
  db: string;
  id: string;
  trace: boolean;
}

/** Fields of the two results that differ. */
export function differingFields(a: ExperimentResult, b: ExperimentResult): Array<keyof ExperimentResult> {
  return (Object.keys(a) as Array<keyof ExperimentResult>).filter((k) => a[k] !== b[k]);
}

/** "stored 1a2b…, replayed 1a2b… — same": abbreviated when equal, in full when not. */
function hashes(stored: string, replayed: string): string {
  const show = (h: string): string => (h === "" ? "(none)" : stored === replayed && h.length > 16 ? h.slice(0, 16) + "…" : h);
  return `stored ${show(stored)}, replayed ${show(replayed)} — ${stored === replayed ? "same" : "DIFFERENT"}`;
}

/** The human-readable replay report (without the trace). */
export function formatReplay(r: ReplayReport): string {
  const s = r.stored;
  const same = (x: unknown, y: unknown): string => (x === y ? "same" : "DIFFERENT");
  const diff = differingFields(s, r.replayed);
  return [
    `== experiment ${s.id} ==`,
    `build ${s.build}, workload ${s.workload}, ${s.faultType} fault (seed ${s.seed}, key ${s.faultKey})`,
    `fault: ${s.fault}`,
    ``,
    `== timeline (cycles from the experiment's start) ==`,
    ...(r.timeline.length ? r.timeline : ["(no events)"]),
    ``,
    `== console ==`,
    r.console.trimEnd() || "(empty)",
    ``,
    `== replay ==`,
    `outcome:    stored ${s.outcome}, replayed ${r.replayed.outcome} — ${same(s.outcome, r.replayed.outcome)}`,
    `detection:  stored ${s.detection}, replayed ${r.replayed.detection}`,
    `cycles:     stored ${s.cycles}, replayed ${r.replayed.cycles} — ${same(s.cycles, r.replayed.cycles)}`,
    `state hash: ${hashes(s.stateHash, r.replayed.stateHash)}`,
    r.identical ? `identical${diff.length ? ` (other fields differ: ${diff.join(", ")})` : ""}` : `NOT identical (differs: ${diff.join(", ")})`,
  ].join("\n");
}

/** Runs the command; returns the exit status, or throws ExitError on bad input. */
export async function runReplay(args: { db: string; id: string; trace: boolean }): Promise<number> {
  const id = parseIntOption("id", args.id, 0);
  if (!id.ok || id.value === undefined) throw new ExitError(EXIT_USAGE, `the experiment id must be an integer >= 0, got '${args.id}'`);
  const opened = Store.open(args.db, { create: false });
  if (!opened.ok) throw new ExitError(EXIT_USAGE, opened.error);
  const store = opened.store;
  try {
    if (store.result(id.value) === undefined) {
      const n = store.count();
      const ids = store.doneIds();
      const range = n ? ` (it holds ${n} experiments, ids ${Math.min(...ids)}..${Math.max(...ids)})` : " (it holds no experiments yet)";
      throw new ExitError(EXIT_USAGE, `no experiment ${id.value} in ${args.db}${range}`);
    }
    const { replayExperiment } = await import("../../campaigns/replay.js"); // the whole system: load only when needed
    const r = replayExperiment(store, id.value, { trace: args.trace });
    if (!r.ok) throw new ExitError(EXIT_USAGE, `${args.db}: ${r.error}`);
    if (r.report.trace) writeLines(["== trace ==", ...r.report.trace, ""]);
    process.stdout.write(formatReplay(r.report) + "\n");
    return r.report.identical ? 0 : EXIT_DIFFERENT;
  } finally {
    store.close();
  }
}

/** Writes many lines in large chunks. */
function writeLines(lines: string[]): void {
  for (let i = 0; i < lines.length; i += 4096) process.stdout.write(lines.slice(i, i + 4096).join("\n") + "\n");
}

export const replayCommand: CommandModule<object, ReplayArgs> = {
  command: "replay <db> <id>",
  describe: "Rerun one experiment of a campaign database; show its timeline and console; check it ends identically",
  builder: (y: Argv<object>) =>
    y
      .positional("db", { type: "string", demandOption: true, describe: "campaign database" })
      .positional("id", { type: "string", demandOption: true, describe: "experiment id" })
      .option("trace", { type: "boolean", default: false, describe: "also print every guest instruction executed (large)" })
      .epilogue("Exit status: 0 identical to the stored run; 1 different; 2 bad input.") as unknown as Argv<ReplayArgs>,
  handler: async (argv) => {
    process.exitCode = await runReplay({ db: argv.db, id: String(argv.id), trace: argv.trace });
  },
};
