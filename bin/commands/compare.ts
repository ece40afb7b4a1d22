/*
 * `bulkhead compare <db> [--builds a,b] [--out dir]` or `bulkhead compare <dbA> <dbB> [--build b]
 * [--out dir]`: paired comparison on the same faults (same fault key and seed). Prints the
 * transition matrix, the system-failure rates, McNemar's exact test and the difference of rates;
 * with --out also writes <out>/compare.html (and its chart as figures/*.svg, *.pdf).
 * With one database, --builds defaults to the spec's first two builds. Exit status: 0; 2 bad input.
 */
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import type { ReportData } from "../../reports/data.js";
import type { Comparison } from "../../reports/pairs.js";
import { EXIT_USAGE, ExitError } from "../errors.js";
import { loadData, writeFiles } from "./report.js";

interface CompareArgs {
  db: string;
  other?: string;
  builds?: string;
  build?: string;
  out?: string;
}

/** The two builds to compare in one database: --builds a,b, or the spec's first two. */
export function pickBuilds(data: ReportData, raw: string | undefined): [string, string] {
  if (raw === undefined) {
    if (data.spec.builds.length < 2) throw new ExitError(EXIT_USAGE, `${data.path} has only one build (${data.spec.builds.join("")}); compare two databases instead`);
    return [data.spec.builds[0], data.spec.builds[1]];
  }
  const names = raw.split(",").map((s) => s.trim());
  if (names.length !== 2 || names.some((n) => n === "")) throw new ExitError(EXIT_USAGE, `--builds must name two builds as a,b, got '${raw}'`);
  return [names[0], names[1]];
}

async function comparison(args: CompareArgs): Promise<{ cmp: Comparison; data: ReportData }> {
  const { comparePaired, comparePairedStores } = await import("../../reports/pairs.js");
  const data = await loadData(args.db);
  if (args.other === undefined) {
    if (args.build !== undefined) throw new ExitError(EXIT_USAGE, "--build is for two databases; use --builds a,b with one");
    const [a, b] = pickBuilds(data, args.builds);
    const r = comparePaired(data, a, b);
    if (!r.ok) throw new ExitError(EXIT_USAGE, r.error);
    return { cmp: r, data };
  }
  if (args.builds !== undefined) throw new ExitError(EXIT_USAGE, "--builds is for one database; use --build b to compare one build of two databases");
  const other = await loadData(args.other);
  const r = comparePairedStores(data, other, args.build);
  if (!r.ok) throw new ExitError(EXIT_USAGE, r.error);
  return { cmp: r, data };
}

/** Runs the command; returns the exit status, or throws ExitError on bad input. */
export async function runCompare(args: CompareArgs): Promise<number> {
  if (args.out === "") throw new ExitError(EXIT_USAGE, "--out must name a directory");
  const { cmp, data } = await comparison(args);
  const { formatComparisonText } = await import("../../reports/pairs.js");
  process.stdout.write(formatComparisonText(cmp) + "\n");
  if (args.out !== undefined) {
    const { renderComparison } = await import("../../reports/render.js");
    const r = renderComparison(cmp, data.spec.name, data.meta.version);
    writeFiles(args.out, [{ path: "compare.html", data: r.html }, ...r.figures.map((f) => ({ path: join("figures", f.file), data: f.data }))]);
    process.stdout.write(`wrote ${join(args.out, "compare.html")}\n`);
  }
  return 0;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: "compare <db> [other]",
  describe: "Paired comparison of two builds on the same faults (one database), or of two databases of one campaign",
  builder: (y: Argv<object>) =>
    y
      .positional("db", { type: "string", demandOption: true, describe: "campaign database" })
      .positional("other", { type: "string", describe: "a second database of the same campaign" })
      .option("builds", { type: "string", describe: "one database: the two builds, a,b (default: the spec's first two)" })
      .option("build", { type: "string", describe: "two databases: compare only this build" })
      .option("out", { type: "string", describe: "also write <out>/compare.html" })
      .epilogue("System failure = system-crash or system-hang; McNemar's exact test on the discordant pairs. Exit status: 0; 2 bad input.") as unknown as Argv<CompareArgs>,
  handler: async (argv) => {
    process.exitCode = await runCompare({ db: argv.db, other: argv.other, builds: argv.builds, build: argv.build, out: argv.out });
  },
};
