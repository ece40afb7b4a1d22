/*
 * The cost of isolation: builds compared on their fault-free runs' event counters — from
 * `bulkhead overhead` (campaigns/overhead.ts runs them) or from a campaign's golden runs. Pure
 * functions of the counters:
 *
 *   compareOverhead   each build's overhead over the fastest one (fewest busy cycles), in busy
 *                     and in total cycles, and where the difference goes: per cost name the
 *                     cycles the kernel's model charged, the instructions' own cycles, the rest
 *                     of the machine's cycles, and idle time. The items sum to the difference
 *                     exactly (the rest is what is left, so it absorbs what the counters do not
 *                     separate: page-walk levels, taken branches, mul/div, MMIO);
 *   sensitivity       the overheads again with each cost constant halved and doubled, sorted
 *                     by how far they move;
 *   format*Text       the same as plain-text tables for the terminal.
 */
import type { BuildCounters, SensitivityCase, Throughput } from "../campaigns/overhead.js";
// The machine's cost of one instruction: the facade does not export machine/costs.ts.
import { INSTRUCTION_CYCLES, PAGE_WALK_READ_CYCLES, type RunCounters } from "../system/index.js";

export type { BuildCounters, SensitivityCase, Throughput };

export interface OverheadRow {
  build: string;
  counters: RunCounters;
  throughput: Throughput[];
  /** busyCycles / the reference's − 1 (0 for the reference), and the same for total cycles. */
  busyOverhead: number;
  totalOverhead: number;
}

/** One item of where a difference in cycles goes. */
export interface BreakdownItem {
  /** "kernel: ipcOp", "instructions", "page walks", "other machine cycles", "idle". */
  item: string;
  kind: "charged" | "instructions" | "machine" | "idle";
  cycles: number;
}

/** A build's difference from the reference: the busy items sum to busyDelta, all of them to totalDelta. */
export interface Breakdown {
  build: string;
  busyDelta: number;
  totalDelta: number;
  items: BreakdownItem[];
}

export interface OverheadComparison {
  /** The build every overhead is relative to: the fewest busy cycles (the first of equals). */
  reference: string;
  rows: OverheadRow[];
  /** One per build other than the reference, in the rows' order. */
  breakdowns: Breakdown[];
  /** The counters every row is shown with (numbers, `charged` apart), in the counters' order. */
  counterNames: string[];
  /** The cost names any build was charged for. */
  costNames: string[];
}

const charged = (c: RunCounters): Record<string, number> => (c.charged ?? {}) as Record<string, number>;
const counter = (c: RunCounters, name: string): number => ((c as unknown as Record<string, number>)[name] ?? 0);
const ratio = (x: number, ref: number): number => (ref > 0 ? x / ref - 1 : 0);

/** The breakdown of `b`'s counters minus `ref`'s. */
export function breakdown(build: string, b: RunCounters, ref: RunCounters, costNames: string[]): Breakdown {
  const items: BreakdownItem[] = [];
  for (const name of costNames) {
    const d = (charged(b)[name] ?? 0) - (charged(ref)[name] ?? 0);
    if (d !== 0) items.push({ item: `kernel: ${name}`, kind: "charged", cycles: d });
  }
  const busyDelta = b.busyCycles - ref.busyCycles;
  const totalDelta = b.cycles - ref.cycles;
  const instructions = (b.instructions - ref.instructions) * INSTRUCTION_CYCLES;
  items.push({ item: "instructions", kind: "instructions", cycles: instructions });
  const walks = (counter(b, "pageWalkReads") - counter(ref, "pageWalkReads")) * PAGE_WALK_READ_CYCLES;
  if (walks !== 0) items.push({ item: "page walks", kind: "machine", cycles: walks });
  const accounted = items.reduce((t, i) => t + i.cycles, 0);
  items.push({ item: "other machine cycles", kind: "machine", cycles: busyDelta - accounted });
  items.push({ item: "idle", kind: "idle", cycles: totalDelta - busyDelta });
  return { build, busyDelta, totalDelta, items };
}

/** Builds compared on their counters (in the given order); see the file comment. */
export function compareOverhead(runs: BuildCounters[]): OverheadComparison {
  if (runs.length === 0) return { reference: "", rows: [], breakdowns: [], counterNames: [], costNames: [] };
  const ref = runs.reduce((best, r) => (r.counters.busyCycles < best.counters.busyCycles ? r : best), runs[0]);
  const counterNames = [...new Set(runs.flatMap((r) => Object.keys(r.counters).filter((k) => k !== "charged")))];
  const costNames = [...new Set(runs.flatMap((r) => Object.keys(charged(r.counters))))];
  const rows = runs.map((r) => ({
    build: r.build, counters: r.counters, throughput: r.throughput,
    busyOverhead: ratio(r.counters.busyCycles, ref.counters.busyCycles), totalOverhead: ratio(r.counters.cycles, ref.counters.cycles),
  }));
  const breakdowns = runs.filter((r) => r !== ref).map((r) => breakdown(r.build, r.counters, ref.counters, costNames));
  return { reference: ref.build, rows, breakdowns, counterNames, costNames };
}

// --- sensitivity -------------------------------------------------------------------------------------

export interface SensitivityRow {
  constant: string;
  /** The constant's value in each build's model (as given; the runs scale it). */
  values: Record<string, number>;
  /** Busy and total overhead over the comparison's reference, per build: as measured, and per factor. */
  base: Record<string, { busy: number; total: number }>;
  scaled: Array<{ factor: number; overheads: Record<string, { busy: number; total: number }>; fastest: string }>;
  /** How far the conclusion moves: the largest change of any build's busy overhead (a fraction: 0.01 = 1 point). */
  moves: number;
  /** Some factor changes which build is fastest. */
  reorders: boolean;
}

function overheadsOf(runs: BuildCounters[], reference: string): Record<string, { busy: number; total: number }> {
  const ref = runs.find((r) => r.build === reference)?.counters;
  return Object.fromEntries(runs.map((r) => [r.build, ref ? { busy: ratio(r.counters.busyCycles, ref.busyCycles), total: ratio(r.counters.cycles, ref.cycles) } : { busy: NaN, total: NaN }]));
}

/**
 * The overheads (over `base`'s reference build, kept fixed so the numbers compare) with each
 * constant scaled, one row per constant, sorted by how far the busy overhead moves (most
 * first, then by name). `values` gives each build's model, for the constants' values.
 */
export function sensitivity(base: OverheadComparison, cases: SensitivityCase[], models: Record<string, Record<string, number>>): SensitivityRow[] {
  const baseRuns: BuildCounters[] = base.rows.map((r) => ({ build: r.build, counters: r.counters, throughput: r.throughput }));
  const baseOverheads = overheadsOf(baseRuns, base.reference);
  const constants = [...new Set(cases.map((c) => c.constant))];
  const rows = constants.map((constant): SensitivityRow => {
    const scaled = cases.filter((c) => c.constant === constant).map((c) => {
      const fastest = c.runs.reduce((best, r) => (r.counters.busyCycles < best.counters.busyCycles ? r : best), c.runs[0]).build;
      return { factor: c.factor, overheads: overheadsOf(c.runs, base.reference), fastest };
    });
    const moves = Math.max(0, ...scaled.flatMap((s) => Object.keys(s.overheads).map((b) => Math.abs(s.overheads[b].busy - baseOverheads[b].busy))));
    const values = Object.fromEntries(base.rows.map((r) => [r.build, models[r.build]?.[constant] ?? NaN]));
    return { constant, values, base: baseOverheads, scaled, moves, reorders: scaled.some((s) => s.fastest !== base.reference) };
  });
  return rows.sort((a, b) => b.moves - a.moves || (a.constant < b.constant ? -1 : a.constant > b.constant ? 1 : 0));
}

// --- text ----------------------------------------------------------------------------------------------

/** 1234567 → "1,234,567" (no locale: deterministic); fractions keep up to 3 decimals. */
export function thousands(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const [int, frac] = String(Math.round(n * 1000) / 1000).split(".");
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac ? `.${frac}` : "");
}

/** A signed whole number with its sign: "+1,234", "-56", "0". */
export const signed = (n: number): string => (n > 0 ? "+" : "") + thousands(n);

/** An overhead as a signed percentage with 2 decimals: "+0.31%", "-0.02%", "0.00%". */
export const percent = (f: number): string => (Number.isNaN(f) ? "–" : `${f > 0 ? "+" : ""}${(100 * f).toFixed(2)}%`);

/** A throughput with an SI prefix: "6.67 MB/s". */
export function rate(t: Throughput): string {
  const [v, p] = t.value >= 1e9 ? [t.value / 1e9, "G"] : t.value >= 1e6 ? [t.value / 1e6, "M"] : t.value >= 1e3 ? [t.value / 1e3, "k"] : [t.value, ""];
  return `${v.toFixed(2)} ${p}${t.unit}`;
}

/** Text columns: the first left-aligned, the others right-aligned, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd()).join("\n");
}

/** The labels of the throughput figures any row has, in order. */
export const throughputLabels = (cmp: OverheadComparison): Array<{ label: string; unit: string }> => {
  const seen = new Map<string, { label: string; unit: string }>();
  for (const r of cmp.rows) for (const t of r.throughput) if (!seen.has(t.label)) seen.set(t.label, { label: t.label, unit: t.unit });
  return [...seen.values()];
};

/** The comparison as rows of text cells (metric, then one column per build): the terminal's and the CSV's table. */
export function comparisonCells(cmp: OverheadComparison): string[][] {
  const out: string[][] = [["", ...cmp.rows.map((r) => r.build)]];
  const line = (label: string, f: (r: OverheadRow) => string): void => void out.push([label, ...cmp.rows.map(f)]);
  line("cycles", (r) => thousands(r.counters.cycles));
  line("busy cycles", (r) => thousands(r.counters.busyCycles));
  const ref = cmp.rows.find((r) => r.build === cmp.reference);
  for (const t of throughputLabels(cmp))
    line(`throughput: ${t.label}`, (r) => {
      const x = r.throughput.find((y) => y.label === t.label);
      const base = ref?.throughput.find((y) => y.label === t.label)?.value;
      // Beside each other build's figure, how it compares with the reference's (the seed's Figure 3 shows the ratio).
      return !x ? "–" : r === ref || !base ? rate(x) : `${rate(x)} (${percent(x.value / base - 1)})`;
    });
  line("busy overhead", (r) => (r.build === cmp.reference ? "fastest" : percent(r.busyOverhead)));
  line("total overhead", (r) => (r.build === cmp.reference ? "fastest" : percent(r.totalOverhead)));
  for (const name of cmp.counterNames.filter((n) => n !== "cycles" && n !== "busyCycles")) line(name, (r) => (name in r.counters ? thousands(counter(r.counters, name)) : "–"));
  for (const name of cmp.costNames) line(`charged: ${name}`, (r) => (name in charged(r.counters) ? thousands(charged(r.counters)[name]) : "–"));
  return out;
}

/** The breakdowns as rows of text cells (item, then one column per build other than the reference). */
export function breakdownCells(cmp: OverheadComparison): string[][] {
  const used = new Set(cmp.breakdowns.flatMap((b) => b.items.map((i) => i.item)));
  const items = [...cmp.costNames.map((n) => `kernel: ${n}`).filter((i) => used.has(i)), "instructions", ...(used.has("page walks") ? ["page walks"] : []), "other machine cycles"];
  const cell = (b: Breakdown, item: string): string => signed(b.items.find((i) => i.item === item)?.cycles ?? 0);
  return [
    ["", ...cmp.breakdowns.map((b) => b.build)],
    ...items.map((item) => [item, ...cmp.breakdowns.map((b) => cell(b, item))]),
    ["= busy cycles", ...cmp.breakdowns.map((b) => signed(b.busyDelta))],
    ["idle", ...cmp.breakdowns.map((b) => cell(b, "idle"))],
    ["= cycles", ...cmp.breakdowns.map((b) => signed(b.totalDelta))],
  ];
}

/** The comparison for the terminal: the counters table, then where each build's difference goes. */
export function formatOverheadText(cmp: OverheadComparison, heading: string): string {
  const lines = [heading, "", table(comparisonCells(cmp))];
  if (cmp.breakdowns.length > 0)
    lines.push("", `where the difference goes, in cycles, relative to ${cmp.reference} (fewest busy cycles):`, "", table(breakdownCells(cmp)),
      "", "kernel: cycles the build's cost model charged per cost name; instructions: 1 cycle each; page walks: page-table entries the",
      "TLB misses' walks read, at the machine's cost each; other machine cycles: the rest of the busy difference (taken branches, mul/div,",
      "MMIO: the counters do not separate them); idle: waiting for devices.");
  return lines.join("\n");
}

/** A constant's value(s): one number when every build has the same, else build=value pairs. */
export function valuesText(values: Record<string, number>): string {
  const vs = Object.values(values);
  return vs.every((v) => v === vs[0]) ? thousands(vs[0]) : Object.entries(values).map(([b, v]) => `${b}=${thousands(v)}`).join(" ");
}

/** The sensitivity rows as text cells: constant, value, then per build other than the reference ×½, base, ×2; moves. */
export function sensitivityCells(rows: SensitivityRow[], reference: string): string[][] {
  const builds = rows.length ? Object.keys(rows[0].base).filter((b) => b !== reference) : [];
  const factors = rows.length ? rows[0].scaled.map((s) => s.factor) : [];
  const fx = (f: number): string => (f === 0.5 ? "×½" : `×${f}`);
  const head = ["constant", "value", ...builds.flatMap((b) => [...factors.filter((f) => f < 1).map((f) => `${b} ${fx(f)}`), `${b}`, ...factors.filter((f) => f >= 1).map((f) => `${b} ${fx(f)}`)]), "moves", "fastest changes"];
  const body = rows.map((r) => {
    const at = (b: string, f: number): string => percent(r.scaled.find((s) => s.factor === f)?.overheads[b]?.busy ?? NaN);
    return [
      r.constant, valuesText(r.values),
      ...builds.flatMap((b) => [...factors.filter((f) => f < 1).map((f) => at(b, f)), percent(r.base[b].busy), ...factors.filter((f) => f >= 1).map((f) => at(b, f))]),
      `${(100 * r.moves).toFixed(2)} pt`, r.reorders ? r.scaled.filter((s) => s.fastest !== reference).map((s) => `${fx(s.factor)}: ${s.fastest}`).join(", ") : "no",
    ];
  });
  return [head, ...body];
}

export function formatSensitivityText(rows: SensitivityRow[], reference: string, uncharged: string[]): string {
  const lines = [
    `sensitivity: busy-cycle overhead relative to ${reference}, each cost constant halved (×½) and doubled (×2) in every build's model,`,
    "sorted by how far any build's overhead moves (percentage points):",
    "",
    rows.length ? table(sensitivityCells(rows, reference)) : "(no constant was charged)",
  ];
  if (uncharged.length) lines.push("", `not charged in any of these runs (scaling them changes nothing): ${uncharged.join(", ")}`);
  return lines.join("\n");
}
