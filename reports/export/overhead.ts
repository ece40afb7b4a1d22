/*
 * CSV and LaTeX of the cost of isolation (reports/overhead.ts), for papers:
 *
 *   overhead.csv      one row per build: cycles, busy cycles, overheads (fractions), throughput,
 *                     every counter and the cycles charged per cost name (`charged.<name>`);
 *   breakdown.csv     one row per build × item of where its difference from the reference goes;
 *   sensitivity.csv   one row per constant × factor × build: the overheads with the constant scaled;
 *   overhead.tex      booktabs tables: the comparison and the breakdown (and sensitivity.tex).
 *
 * CSV is RFC 4180 as reports/export/csv.ts writes it; LaTeX strings are escaped as latex.ts does.
 */
import { breakdownCells, percent, sensitivityCells, thousands, throughputLabels, type OverheadComparison, type SensitivityRow } from "../overhead.js";
import { csvRecord } from "./csv.js";
import { latexEscape } from "./latex.js";

const csv = (rows: Array<Array<string | number>>): string => rows.map((r) => csvRecord(r) + "\r\n").join("");

/** The comparison, one row per build (numbers unformatted). */
export function overheadCsv(cmp: OverheadComparison, workload: string, params: string): string {
  const tps = throughputLabels(cmp);
  const counters = cmp.counterNames.filter((n) => n !== "cycles" && n !== "busyCycles");
  const head = ["build", "workload", "params", "reference", "cycles", "busyCycles", "busy_overhead", "total_overhead",
    ...tps.map((t) => `throughput: ${t.label} (${t.unit})`), ...counters, ...cmp.costNames.map((n) => `charged.${n}`)];
  const rows = cmp.rows.map((r) => {
    const c = r.counters as unknown as Record<string, number>;
    const charged = (r.counters.charged ?? {}) as Record<string, number>;
    return [r.build, workload, params, r.build === cmp.reference ? 1 : 0, r.counters.cycles, r.counters.busyCycles, r.busyOverhead, r.totalOverhead,
      ...tps.map((t) => r.throughput.find((x) => x.label === t.label)?.value ?? ""), ...counters.map((n) => c[n] ?? ""), ...cmp.costNames.map((n) => charged[n] ?? "")];
  });
  return csv([head, ...rows]);
}

/** Where each build's difference from the reference goes: build, reference, item, kind, cycles. */
export function breakdownCsv(cmp: OverheadComparison): string {
  return csv([["build", "reference", "item", "kind", "cycles"], ...cmp.breakdowns.flatMap((b) => b.items.map((i) => [b.build, cmp.reference, i.item, i.kind, i.cycles]))]);
}

/** The sensitivity analysis: constant, factor, build, the constant's value, and the overheads (scaled and as measured). */
export function sensitivityCsv(rows: SensitivityRow[], reference: string): string {
  const out: Array<Array<string | number>> = [["constant", "factor", "build", "value", "reference", "busy_overhead", "total_overhead", "base_busy_overhead", "base_total_overhead"]];
  for (const r of rows)
    for (const s of r.scaled)
      for (const [build, o] of Object.entries(s.overheads))
        out.push([r.constant, s.factor, build, r.values[build] ?? "", reference, o.busy, o.total, r.base[build]?.busy ?? "", r.base[build]?.total ?? ""]);
  return csv(out);
}

/** A booktabs table from text cells (first row the header; first column left-aligned). */
function latexTable(cells: string[][], caption: string, label: string): string {
  const cols = cells[0].length;
  return [
    "\\begin{table}[t]", "\\centering", "\\small", `\\caption{${latexEscape(caption)}}`, `\\label{${label}}`,
    `\\begin{tabular}{l${"r".repeat(cols - 1)}}`, "\\toprule",
    cells[0].map(latexEscape).join(" & ") + " \\\\", "\\midrule",
    ...cells.slice(1).map((r) => r.map(latexEscape).join(" & ") + " \\\\"),
    "\\bottomrule", "\\end{tabular}", "\\end{table}", "",
  ].join("\n");
}

/** The comparison (cycles in millions, throughput, overheads) and the breakdown, as LaTeX tables. */
export function overheadLatex(cmp: OverheadComparison, workload: string): string {
  const tps = throughputLabels(cmp);
  const mcycles = (n: number): string => (n / 1e6).toFixed(3);
  const main = [
    ["Build", "Busy Mcycles", "Total Mcycles", ...tps.map((t) => `${t.label} (${t.unit})`), "Busy overhead", "Total overhead"],
    ...cmp.rows.map((r) => [r.build, mcycles(r.counters.busyCycles), mcycles(r.counters.cycles),
      ...tps.map((t) => { const x = r.throughput.find((y) => y.label === t.label); return x ? thousands(Math.round(x.value)) : "--"; }),
      r.build === cmp.reference ? "--" : percent(r.busyOverhead), r.build === cmp.reference ? "--" : percent(r.totalOverhead)]),
  ];
  const tag = workload.replace(/[^A-Za-z0-9:.-]/g, "");
  const parts = [latexTable(main, `Cost of isolation on the ${workload} workload: fault-free runs, emulated cycles; overhead relative to ${cmp.reference} (fewest busy cycles).`, `tab:${tag}-overhead`)];
  if (cmp.breakdowns.length > 0)
    parts.push(latexTable(breakdownCells(cmp), `Where the difference from ${cmp.reference} goes, in cycles: kernel work charged per cost name, instructions, the rest of the machine's cycles, idle time.`, `tab:${tag}-overhead-breakdown`));
  return parts.join("\n");
}

export function sensitivityLatex(rows: SensitivityRow[], reference: string, workload: string): string {
  return latexTable(sensitivityCells(rows, reference), `Sensitivity of the busy-cycle overhead (relative to ${reference}, ${workload} workload) to each cost constant, halved and doubled in every build's model.`, `tab:${workload.replace(/[^A-Za-z0-9:.-]/g, "")}-sensitivity`);
}
