/*
 * `bulkhead boot --build <name> --workload <name> [--seed S] [--json] [--trace]`: boots a kernel
 * build with the standard services, runs the workload under the monitors, and prints the
 * console log, the event log (kernel and RS) and the verdict — or all observations as JSON.
 *
 * Exit status: 0 = the workload completed and its oracle passed; 3 = system crash (panic,
 * reset); 4 = system hang (the workload and the liveness probe both stalled); 5 = the workload
 * ended otherwise (errors, corruption, incomplete, or stalled on a live system).
 */
import type { Argv, CommandModule } from "yargs";
import { BUILDS, composeSystem, DEFAULT_LIMITS, getBuild, getWorkload, runWorkload, WORKLOADS, type Observations } from "../../system/index.js";
import { EXIT_USAGE, ExitError } from "../errors.js";

interface BootArgs {
  build: string;
  workload: string;
  seed: number;
  json: boolean;
  trace: boolean;
  budget?: number;
  watchdog?: number;
}

export const EXIT_CRASH = 3;
export const EXIT_HANG = 4;
export const EXIT_WORKLOAD = 5;

/** Exit status for a run's observations (see the file comment). */
export function bootExitCode(o: Observations): number {
  if (o.end === "panic" || o.end === "reset" || o.end === "poweroff") return EXIT_CRASH;
  if ((o.end === "stalled" || o.end === "budget") && !o.probe.alive) return EXIT_HANG;
  return o.end === "completed" && o.oracle.verdict === "pass" ? 0 : EXIT_WORKLOAD;
}

/** The human-readable report of a run. */
export function formatObservations(build: string, workload: string, seed: number, o: Observations): string {
  const lines = [`== console ==`, o.console.trimEnd() || "(empty)", ``, `== events ==`];
  const events = [
    ...o.kernelEvents.map((e) => ({ at: e.at, text: `kernel  ${e.kind.padEnd(8)} ${e.label}: ${e.detail}` })),
    ...o.rsEvents.map((e) => ({ at: e.at, text: `rs      ${e.kind.padEnd(8)} ${e.label}: ${e.detail}` })),
  ].sort((a, b) => a.at - b.at);
  for (const e of events) lines.push(`${String(e.at).padStart(12)}  ${e.text}`);
  const stalled = `${o.end} (${o.probe.alive ? "the system answered: a workload hang" : "the probe stalled too: a system hang"}${o.lockup ? `; soft lockup: CPU stuck in ${o.lockup.label} for ${o.lockup.ticks} ticks` : ""})`;
  const end = o.end === "panic" ? `kernel panic: ${o.panic?.reason}` : o.end === "reset" || o.end === "poweroff" ? `machine ${o.end}: ${o.halt?.reason}` : o.end === "completed" ? o.end : stalled;
  lines.push(``, `== verdict ==`, `build ${build}, workload ${workload}, seed ${seed}`, `run: ${end} after ${o.cycles} cycles`, `oracle: ${o.oracle.verdict} — ${o.oracle.summary}`);
  return lines.join("\n");
}

export const bootCommand: CommandModule<object, BootArgs> = {
  command: "boot",
  describe: "Boot a kernel build, run a workload under the monitors, print console, events and verdict",
  builder: (y: Argv) =>
    y
      .option("build", { type: "string", demandOption: true, describe: `kernel build (${Object.keys(BUILDS).join(", ")})` })
      .option("workload", { type: "string", default: "files", describe: `workload (${Object.keys(WORKLOADS).join(", ")})` })
      .option("seed", { type: "number", default: 1, describe: "seed of the workload's parameters" })
      .option("json", { type: "boolean", default: false, describe: "print the observations as JSON" })
      .option("trace", { type: "boolean", default: false, describe: "print every guest instruction executed (large)" })
      .option("budget", { type: "number", describe: `cycle budget of the run (default ${DEFAULT_LIMITS.budgetCycles})` })
      .option("watchdog", { type: "number", describe: `cycles without progress that count as a hang (default ${DEFAULT_LIMITS.watchdogCycles})` }) as Argv<BootArgs>,
  handler: (args) => {
    const b = getBuild(args.build);
    if (!b.ok) throw new ExitError(EXIT_USAGE, b.error);
    const w = getWorkload(args.workload);
    if (!w.ok) throw new ExitError(EXIT_USAGE, w.error);
    if (!Number.isSafeInteger(args.seed) || args.seed < 0) throw new ExitError(EXIT_USAGE, `--seed must be a non-negative integer, got ${args.seed}`);
    for (const [name, v] of [["budget", args.budget], ["watchdog", args.watchdog]] as const)
      if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0)) throw new ExitError(EXIT_USAGE, `--${name} must be a positive integer, got ${v}`);
    const composed = composeSystem(b.build, w.workload, { seed: args.seed });
    if (!composed.ok) throw new ExitError(1, composed.error);
    const sys = composed.system;
    if (args.trace) sys.setTrace((line) => process.stdout.write(line + "\n"));
    const obs = runWorkload(sys, w.workload, composed.params, {
      budgetCycles: args.budget ?? DEFAULT_LIMITS.budgetCycles,
      watchdogCycles: args.watchdog ?? DEFAULT_LIMITS.watchdogCycles,
    });
    process.stdout.write(args.json ? JSON.stringify({ build: args.build, workload: args.workload, seed: args.seed, stateHash: sys.stateHash(), ...obs }, null, 2) + "\n" : formatObservations(args.build, args.workload, args.seed, obs) + "\n");
    process.exitCode = bootExitCode(obs);
  },
};
