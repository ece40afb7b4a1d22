/*
 * `bulkhead report <db> [--out dir] [--format html|csv|latex]`: renders a campaign's report from
 * its database alone. html (default): <out>/report.html (self-contained: CSS inline, charts as
 * embedded PNGs) and every chart as <out>/figures/<name>.svg and .pdf; csv: <out>/experiments.csv;
 * latex: <out>/outcomes.tex (booktabs). --out defaults to "report". Exit status: 0 written; 2 bad
 * input (a missing or corrupt database, an --out that cannot be written).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { Store } from "../../campaigns/store.js";
import type { ReportData } from "../../reports/data.js";
import { EXIT_USAGE, ExitError } from "../errors.js";

export const REPORT_FORMATS = ["html", "csv", "latex"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

interface ReportArgs {
  db: string;
  out: string;
  format: ReportFormat;
}

/** Opens a campaign database and reads its report data; bad input is an ExitError(2). */
export async function loadData(db: string): Promise<ReportData> {
  const opened = Store.open(db, { create: false });
  if (!opened.ok) throw new ExitError(EXIT_USAGE, opened.error);
  const { loadReport } = await import("../../reports/data.js");
  try {
    return loadReport(opened.store);
  } catch (e) {
    throw new ExitError(EXIT_USAGE, `cannot read ${db}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    opened.store.close();
  }
}

/** Writes `files` (paths relative to `dir`), creating the folders; an unwritable place is an ExitError(2). */
export function writeFiles(dir: string, files: Array<{ path: string; data: string | Buffer }>): void {
  try {
    for (const f of files) {
      const full = join(dir, f.path);
      mkdirSync(join(full, ".."), { recursive: true });
      writeFileSync(full, f.data);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!err.code) throw e;
    throw new ExitError(EXIT_USAGE, `cannot write to ${dir}: ${err.code === "ENOTDIR" || err.code === "EEXIST" ? "not a directory" : err.code === "EACCES" || err.code === "EROFS" ? "permission denied" : err.code}`);
  }
}

/** The files of one report format, relative to the output folder. */
async function reportFiles(data: ReportData, format: ReportFormat): Promise<Array<{ path: string; data: string | Buffer }>> {
  if (format === "csv") {
    const { toCsv } = await import("../../reports/export/csv.js");
    return [{ path: "experiments.csv", data: toCsv(data) }];
  }
  if (format === "latex") {
    const { outcomeTableLatex } = await import("../../reports/export/latex.js");
    return [{ path: "outcomes.tex", data: outcomeTableLatex(data) }];
  }
  const { renderReport } = await import("../../reports/render.js"); // chart.js and canvas: only when needed
  const r = renderReport(data);
  return [{ path: "report.html", data: r.html }, ...r.figures.map((f) => ({ path: join("figures", f.file), data: f.data }))];
}

/** Runs the command: returns the exit status; throws ExitError on bad input. */
export async function runReport(args: ReportArgs): Promise<number> {
  if (args.out === "") throw new ExitError(EXIT_USAGE, "--out must name a directory");
  const data = await loadData(args.db);
  const files = await reportFiles(data, args.format);
  writeFiles(args.out, files);
  const main = files[0].path;
  const figures = files.length - 1;
  process.stdout.write(`wrote ${join(args.out, main)}${figures ? ` and ${figures} figures in ${join(args.out, "figures")}` : ""}\n`);
  return 0;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: "report <db>",
  describe: "Render a campaign's report from its database: HTML with charts (and SVG/PDF figures), or CSV, or a LaTeX table",
  builder: (y: Argv<object>) =>
    y
      .positional("db", { type: "string", demandOption: true, describe: "campaign database" })
      .option("out", { type: "string", default: "report", describe: "output directory" })
      .option("format", { choices: REPORT_FORMATS, default: "html" as ReportFormat, describe: "html: report.html + figures/*.svg, *.pdf; csv: experiments.csv; latex: outcomes.tex" })
      .epilogue("Exit status: 0 written; 2 bad input (missing or corrupt database, unwritable --out).") as unknown as Argv<ReportArgs>,
  handler: async (argv) => {
    process.exitCode = await runReport({ db: argv.db, out: String(argv.out), format: argv.format });
  },
};
