/*
 * `bulkhead overhead --builds a,b,... [--workload files] [--params "k=v ..."] [--out dir]
 * [--sensitivity]`: the cost of isolation. Boots each build with the workload, runs it
 * fault-free and prints a table of every build's cycles, busy cycles, throughput, event counters
 * and overhead relative to the fastest build, with where the difference goes; --sensitivity adds
 * the overheads with each cost constant halved and doubled (the runs repeated). With --out:
 * overhead.csv, breakdown.csv, overhead.tex, overhead.html (+ figures/*.svg, *.pdf), and with
 * --sensitivity sensitivity.csv and sensitivity.tex. Exit status: 0; 2 bad input (an unknown
 * build or workload, parameters that are not key=value or with which the run does not pass).
 */
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { BUILDS, CPU_HZ, getBuild, getWorkload, WORKLOADS, type Build } from "../../system/index.js";
import { EXIT_USAGE, ExitError } from "../errors.js";
import { writeFiles } from "./report.js";

interface OverheadArgs {
  builds: string;
  workload: string;
  params?: string;
  out?: string;
  sensitivity: boolean;
}

/** The builds named by --builds a,b,... (each once); an unknown or repeated name is an ExitError(2). */
export function parseBuilds(raw: string): Build[] {
  const names = raw.split(",").map((s) => s.trim());
  if (names.some((n) => n === "")) throw new ExitError(EXIT_USAGE, `--builds must name builds as a,b,..., got '${raw}'`);
  const builds: Build[] = [];
  for (const name of names) {
    if (builds.some((b) => b.name === name)) throw new ExitError(EXIT_USAGE, `--builds names ${name} twice`);
    const b = getBuild(name);
    if (!b.ok) throw new ExitError(EXIT_USAGE, b.error);
    builds.push(b.build);
  }
  return builds;
}

/** The command line as it would be typed again (for the page). */
function commandLine(args: OverheadArgs): string {
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ["bulkhead overhead", "--builds", quote(args.builds), "--workload", quote(args.workload),
    ...(args.params !== undefined ? ["--params", quote(args.params)] : []), ...(args.sensitivity ? ["--sensitivity"] : [])].join(" ");
}

/** Runs the command; returns the exit status, or throws ExitError on bad input. */
export async function runOverheadCommand(args: OverheadArgs): Promise<number> {
  if (args.out === "") throw new ExitError(EXIT_USAGE, "--out must name a directory");
  const builds = parseBuilds(args.builds);
  const w = getWorkload(args.workload);
  if (!w.ok) throw new ExitError(EXIT_USAGE, w.error);
  // The system and the reports: loaded only once the input checks out.
  const { runOverhead } = await import("../../campaigns/overhead.js");
  const { compareOverhead, formatOverheadText, formatSensitivityText, sensitivity } = await import("../../reports/overhead.js");
  const r = runOverhead({ builds, workload: w.workload, params: args.params, sensitivity: args.sensitivity });
  if (!r.ok) throw new ExitError(EXIT_USAGE, r.error);
  const { result } = r;
  const cmp = compareOverhead(result.runs);
  const heading = `overhead: workload ${result.workload} (${result.params}), fault-free, ${result.runCount} runs; cycles of emulated time at ${CPU_HZ / 1e6} MHz`;
  process.stdout.write(formatOverheadText(cmp, heading) + "\n");
  const models = Object.fromEntries(builds.map((b) => [b.name, b.costs as unknown as Record<string, number>]));
  const sens = result.cases ? { rows: sensitivity(cmp, result.cases, models), uncharged: result.uncharged ?? [] } : undefined;
  if (sens) process.stdout.write("\n" + formatSensitivityText(sens.rows, cmp.reference, sens.uncharged) + "\n");
  if (args.out !== undefined) {
    const { overheadCsv, breakdownCsv, overheadLatex, sensitivityCsv, sensitivityLatex } = await import("../../reports/export/overhead.js");
    const { renderOverhead } = await import("../../reports/render.js");
    const page = renderOverhead({ workload: result.workload, params: result.params, comparison: cmp, sensitivity: sens, command: commandLine(args), clockHz: CPU_HZ });
    const files = [
      { path: "overhead.html", data: page.html },
      { path: "overhead.csv", data: overheadCsv(cmp, result.workload, result.params) },
      { path: "breakdown.csv", data: breakdownCsv(cmp) },
      { path: "overhead.tex", data: overheadLatex(cmp, result.workload) },
      ...(sens ? [{ path: "sensitivity.csv", data: sensitivityCsv(sens.rows, cmp.reference) }, { path: "sensitivity.tex", data: sensitivityLatex(sens.rows, cmp.reference, result.workload) }] : []),
      ...page.figures.map((f) => ({ path: join("figures", f.file), data: f.data })),
    ];
    writeFiles(args.out, files);
    process.stdout.write(`\nwrote ${files.filter((f) => !f.path.startsWith("figures")).map((f) => join(args.out!, f.path)).join(", ")} and ${page.figures.length} figures in ${join(args.out, "figures")}\n`);
  }
  return 0;
}

export const overheadCommand: CommandModule<object, OverheadArgs> = {
  command: "overhead",
  describe: "The cost of isolation: fault-free runs of several builds compared on their event counters (cycles, throughput, where the difference goes)",
  builder: (y: Argv<object>) =>
    y
      .option("builds", { type: "string", demandOption: true, describe: `builds to compare, a,b,... (${Object.keys(BUILDS).join(", ")})` })
      .option("workload", { type: "string", default: "files", describe: `workload (${Object.keys(WORKLOADS).join(", ")})` })
      .option("params", { type: "string", describe: "workload parameters, key=value words over the workload's defaults" })
      .option("out", { type: "string", describe: "also write overhead.html (+ figures), CSV and LaTeX into this directory" })
      .option("sensitivity", { type: "boolean", default: false, describe: "also rerun with each cost constant halved and doubled" })
      .epilogue("Emulated time only: the same command gives the same numbers anywhere. A fault-free run of files takes ~50 ms of host time; " +
        "--sensitivity reruns each build once per constant it charged and factor (3 builds: 71 runs, ~5 s on files, ~17 s on throughput). Exit status: 0; 2 bad input.") as unknown as Argv<OverheadArgs>,
  handler: async (argv) => {
    process.exitCode = await runOverheadCommand({ builds: argv.builds, workload: argv.workload, params: argv.params, out: argv.out, sensitivity: argv.sensitivity });
  },
};
