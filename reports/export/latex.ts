/*
 * LaTeX export for papers: the outcome table as a booktabs table, each cell the rate in percent
 * with its Wilson 95% interval in small type, e.g. `12.3\% {\scriptsize [10.1, 14.8]}`. Every
 * string that comes from the data or the spec (campaign and build names, fault types, caption)
 * is escaped, so any name typesets. Needs \usepackage{booktabs} in the document.
 */
import { OUTCOMES, type Outcome } from "../../campaigns/types.js";
import { outcomeTable, type Grouping, type ReportData } from "../data.js";
import type { Interval } from "../stats.js";

const LATEX_SPECIALS: Record<string, string> = {
  "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", _: "\\_", "%": "\\%", "&": "\\&", "#": "\\#", $: "\\$",
  "~": "\\textasciitilde{}", "^": "\\textasciicircum{}",
};

/** Text with LaTeX's special characters escaped (in one pass, so nothing is escaped twice). */
export function latexEscape(s: string): string {
  return s.replace(/[\\{}_%&#$~^]/g, (c) => LATEX_SPECIALS[c]);
}

export interface LatexOptions {
  /** Rows per build (default) or per build × fault type. */
  by?: Grouping;
  /** Outcome columns (default: those that occur, most severe first). */
  outcomes?: Outcome[];
  /** Caption text (escaped); default names the campaign. */
  caption?: string;
  /** \label key (used as given: choose it yourself; default tab:<campaign>-outcomes with specials removed). */
  label?: string;
  /** Decimals of the percentages (default 1). */
  digits?: number;
}

/** One cell: `12.3\% {\scriptsize [10.1, 14.8]}`; "--" for an empty group. */
export function latexRateCell(ci: Interval, digits = 1): string {
  if (Number.isNaN(ci.p)) return "--";
  const f = (v: number): string => (100 * v).toFixed(digits);
  return `${f(ci.p)}\\% {\\scriptsize [${f(ci.lo)}, ${f(ci.hi)}]}`;
}

/** The outcome table of `data` as a booktabs `table` environment. */
export function outcomeTableLatex(data: ReportData, opts: LatexOptions = {}): string {
  const by = opts.by ?? "build";
  const rows = outcomeTable(data, by);
  const outcomes = opts.outcomes ?? OUTCOMES.filter((o) => rows.some((r) => r.counts[o] > 0));
  const keyCols = by === "build" ? ["Build"] : ["Build", "Fault type"];
  const spec = `${"l".repeat(keyCols.length)}r${"r".repeat(outcomes.length)}`;
  const name = data.spec.name;
  const caption = opts.caption !== undefined
    ? latexEscape(opts.caption)
    : `Outcomes of the fault-injection campaign ${latexEscape(name)}: percent of experiments, with 95\\,\\% Wilson intervals.`;
  const label = opts.label ?? `tab:${name.replace(/[^A-Za-z0-9:.-]/g, "")}-outcomes`;
  const head = [...keyCols, "$n$", ...outcomes.map(latexEscape)];
  const body = rows.flatMap((r, i) => {
    // Per build × fault type: the build named on its first row only, a little space between builds.
    const first = i === 0 || rows[i - 1].build !== r.build;
    const keys = by === "build" ? [latexEscape(r.build)] : [first ? latexEscape(r.build) : "", latexEscape(r.faultType ?? "")];
    const line = [...keys, String(r.n), ...outcomes.map((o) => latexRateCell(r.ci[o], opts.digits))].join(" & ") + " \\\\";
    return by !== "build" && first && i > 0 ? ["\\addlinespace", line] : [line];
  });
  return [
    "\\begin{table}[t]",
    "\\centering",
    "\\small",
    `\\caption{${caption}}`,
    `\\label{${label}}`,
    `\\begin{tabular}{${spec}}`,
    "\\toprule",
    head.join(" & ") + " \\\\",
    "\\midrule",
    ...body,
    "\\bottomrule",
    "\\end{tabular}",
    "\\end{table}",
    "",
  ].join("\n");
}
