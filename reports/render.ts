/*
 * Rendering a report: ReportData (reports/data.ts) → one self-contained HTML file (CSS inline,
 * charts as PNG data URIs: it works offline) and the charts again as SVG and PDF figures for
 * papers. Pure apart from reading the templates in reports/html/: the same data gives the same
 * HTML byte for byte (no clock: the only date shown is the data's own started_at).
 *
 * Every string from the guest or the spec reaches the page through handlebars' {{ }} escaping;
 * only the stylesheet (our own file) is inserted raw.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { OUTCOMES, type Outcome } from "../campaigns/types.js";
import { colourOf, renderChart, type ChartSpec, type RenderedChart } from "./charts.js";
import {
  activationTable, buildOrder, detectionTable, faultTypeOrder, goldenTable, isolationTable, notable, outcomeTable, propagationTable, recovery,
  type CountRow, type NotableExperiment, type RateRow, type ReportData,
} from "./data.js";
import {
  breakdown, breakdownCells, comparisonCells, sensitivityCells, type OverheadComparison, type SensitivityRow,
} from "./overhead.js";
import { comparePaired, formatComparisonText, formatP, SYSTEM_FAILURE, type Comparison } from "./pairs.js";
import type { Interval } from "./stats.js";

/** A figure file to write next to the report: `figures/<file>`. */
export interface Figure {
  file: string;
  data: Buffer;
}

/** A rendered page and its figures. */
export interface Rendered {
  html: string;
  figures: Figure[];
}


// --- formatting (deterministic: no locale) --------------------------------------------------------

/** 1234567 → "1,234,567". */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const pct = (p: number, digits = 1): string => (Number.isNaN(p) ? "–" : `${(100 * p).toFixed(digits)}%`);
const ciText = (ci: Interval): string => `[${pct(ci.lo)}, ${pct(ci.hi)}]`;
/** Cycles as milliseconds of emulated time at `hz`. */
const ms = (cycles: number, hz: number): string => (cycles / (hz / 1000)).toFixed(2);

// --- templates ------------------------------------------------------------------------------------

/** reports/html/, next to this file (tsx) or in the source tree beside dist/ (built). */
function templateDir(): string {
  for (const rel of ["./html/", "../../reports/html/"]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir + "report.hbs")) return dir;
  }
  throw new Error("report templates not found (reports/html/report.hbs)");
}

type Template = (ctx: object) => string;
let templates: { report: Template; compare: Template; overhead: Template; css: string } | undefined;

/** Compiles the templates once, in a handlebars environment of our own (HTML escaping on). */
function loadTemplates(): NonNullable<typeof templates> {
  if (templates) return templates;
  const dir = templateDir();
  const hb = Handlebars.create();
  const read = (f: string): string => readFileSync(dir + f, "utf8");
  for (const p of ["chart", "countTable", "rateTable", "isolation"]) hb.registerPartial(p, read(`${p}.hbs`));
  const opts = { strict: false, noEscape: false };
  templates = {
    report: hb.compile(read("report.hbs"), opts), compare: hb.compile(read("compare.hbs"), opts), overhead: hb.compile(read("overhead.hbs"), opts),
    css: read("style.css"),
  };
  return templates;
}

// --- view models ----------------------------------------------------------------------------------

interface ChartView {
  name: string;
  title: string;
  src: string;
  width: number;
  height: number;
}

/** Renders chart specs; returns their views (by name) and their SVG + PDF figure files. */
function drawCharts(specs: ChartSpec[]): { views: Record<string, ChartView>; figures: Figure[] } {
  const views: Record<string, ChartView> = {};
  const figures: Figure[] = [];
  for (const spec of specs) {
    const c: RenderedChart = renderChart(spec);
    views[spec.name] = { name: c.name, title: c.title, src: c.pngDataUri, width: spec.width ?? 720, height: spec.height ?? 360 };
    figures.push({ file: `${c.name}.svg`, data: c.svg }, { file: `${c.name}.pdf`, data: c.pdf });
  }
  return { views, figures };
}

/** Keys (outcomes, detections) that occur in any row, in their canonical order. */
function usedKeys<K extends string>(rows: Array<CountRow<K>>): K[] {
  const keys = rows.length ? (Object.keys(rows[0].counts) as K[]) : [];
  return keys.filter((k) => rows.some((r) => r.counts[k] > 0));
}

/** A count table: one row per group, one cell per key that occurs (count, %, CI). */
function countTableView<K extends string>(rows: Array<CountRow<K>>, byFaultType: boolean) {
  const keys = usedKeys(rows);
  const labels = byFaultType ? ["build", "fault type"] : ["build"];
  return {
    headers: [...labels.map((text) => ({ text, label: true })), { text: "n", label: false }, ...keys.map((text) => ({ text, label: false }))],
    rows: rows.map((r) => ({
      labels: byFaultType ? [r.build, r.faultType ?? ""] : [r.build],
      n: r.n,
      cells: keys.map((k) => ({ count: r.counts[k], zero: r.counts[k] === 0, pct: pct(r.ci[k].p), ci: ciText(r.ci[k]) })),
    })),
  };
}

const rateTableView = (rows: RateRow[], what: string) => ({
  what,
  rows: rows.map((r) => ({ build: r.build, faultType: r.faultType, n: r.n, x: r.x, pct: pct(r.ci.p), ci: ciText(r.ci) })),
});

/** Stacked bars of key shares (percent of the group) per group. */
function shareChart<K extends string>(name: string, title: string, rows: Array<CountRow<K>>, category: (r: CountRow<K>) => string, horizontal = false): ChartSpec {
  const keys = usedKeys(rows);
  return {
    name, title, kind: "stacked-bar", horizontal, categories: rows.map(category), yLabel: "% of experiments", max: 100,
    series: keys.map((k) => ({ label: k, values: rows.map((r) => (r.n ? (100 * r.counts[k]) / r.n : 0)) })),
    ...(horizontal ? { height: Math.max(360, 60 + rows.length * 26) } : {}),
  };
}

/** Grouped bars of a rate (percent) per fault type, one series per build. */
function rateChart(name: string, title: string, data: ReportData, rows: RateRow[], yLabel: string): ChartSpec {
  const types = faultTypeOrder(data).filter((t) => rows.some((r) => r.faultType === t));
  return {
    name, title, kind: "bar", categories: types, yLabel, max: 100,
    series: buildOrder(data).map((b) => ({ label: b, values: types.map((t) => { const r = rows.find((x) => x.build === b && x.faultType === t); return r && r.n ? 100 * r.ci.p : 0; }) })),
  };
}

/** The q-quantile (nearest rank) of ascending values. */
const quantile = (xs: number[], q: number): number => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))];

function recoveryView(data: ReportData) {
  const rows = recovery(data);
  const maxRestarts = Math.max(0, ...rows.flatMap((r) => r.restarts.map((x) => x.restarts)));
  const columns = Array.from({ length: maxRestarts + 1 }, (_, i) => i);
  const count = (r: (typeof rows)[number], k: number): number => r.restarts.find((x) => x.restarts === k)?.count ?? 0;
  const restartsChart: ChartSpec = {
    name: "restarts", title: "Driver restarts per activated experiment", kind: "bar", categories: columns.map(String),
    xLabel: "restarts", yLabel: "experiments", series: rows.map((r) => ({ label: r.build, values: columns.map((k) => count(r, k)) })),
  };
  const perMs = data.clockHz / 1000;
  const withTimes = rows.filter((r) => r.recoveryCycles.length > 0);
  // A log axis when the times span more than two decades (a restart at once vs after backoff).
  const all = withTimes.flatMap((r) => r.recoveryCycles).filter((c) => c > 0);
  const logX = all.length > 0 && Math.max(...all) / Math.min(...all) > 100;
  const cdf: ChartSpec | undefined = withTimes.length === 0 ? undefined : {
    name: "recovery-cdf", title: "Time to recover (CDF)", kind: "cdf", logX,
    xLabel: `ms of emulated time from activation to recovery${logX ? " (log scale)" : ""}`, yLabel: "fraction recovered",
    series: withTimes.map((r) => {
      const xs = r.recoveryCycles.filter((c) => !logX || c > 0);
      return { label: r.build, points: [{ x: logX ? xs[0] / perMs : 0, y: 0 }, ...xs.map((c, i) => ({ x: c / perMs, y: (i + 1) / xs.length }))] };
    }),
  };
  const view = {
    restartColumns: columns,
    rows: rows.map((r) => ({ build: r.build, cells: columns.map((k) => count(r, k)) })),
    times: rows.map((r) => {
      const xs = r.recoveryCycles;
      return xs.length === 0 ? { build: r.build, n: 0, min: "–", median: "–", p90: "–", max: "–" }
        : { build: r.build, n: xs.length, min: ms(xs[0], data.clockHz), median: ms(quantile(xs, 0.5), data.clockHz), p90: ms(quantile(xs, 0.9), data.clockHz), max: ms(xs[xs.length - 1], data.clockHz) };
    }),
  };
  return { view, charts: cdf ? [restartsChart, cdf] : [restartsChart] };
}

function goldenView(data: ReportData) {
  const rows = goldenTable(data);
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const chart: ChartSpec = {
    name: "golden-cycles", title: "Golden runs: cycles per workload", kind: "bar", categories: workloads, yLabel: "million cycles",
    series: buildOrder(data).map((b) => ({ label: b, values: workloads.map((w) => (rows.find((r) => r.build === b && r.workload === w)?.cycles ?? 0) / 1e6) })),
  };
  const view = rows.map((r) => ({ ...r, cycles: thousands(r.cycles), overhead: r.overhead === 0 ? "fastest" : `+${pct(r.overhead)}` }));
  return { view, chart };
}

/** One workload's part of the "Cost of isolation" section: what to compare, and where it came from. */
export interface IsolationInput {
  workload: string;
  params?: string;
  comparison?: OverheadComparison;
  notRecorded: string[];
}

/** A figure name made of a-z, 0-9 and dashes. */
const figureName = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

/** Colours of the kernel's cost names (by their position in the model: the same name, the same colour), and of the machine's parts. */
const COST_COLOURS = ["#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99"];
const PART_COLOURS: Record<string, string> = { instructions: "#525252", "other machine cycles": "#969696", idle: "#e0e0e0" };

/** Stacked bars per build: where its cycles go (kernel work per cost name, instructions, other machine cycles, idle). */
function isolationChart(workload: string, cmp: OverheadComparison): ChartSpec {
  const zero = { cycles: 0, busyCycles: 0, instructions: 0, charged: {} } as unknown as OverheadComparison["rows"][number]["counters"];
  const parts = cmp.rows.map((r) => breakdown(r.build, r.counters, zero, cmp.costNames).items);
  const items = [...new Set(parts.flatMap((p) => p.map((i) => i.item)))];
  const colour = (item: string): string => PART_COLOURS[item] ?? COST_COLOURS[Math.max(0, cmp.costNames.indexOf(item.replace(/^kernel: /, ""))) % COST_COLOURS.length];
  return {
    name: `isolation-${figureName(workload)}`, title: `Where the cycles go: ${workload}`, kind: "stacked-bar", categories: cmp.rows.map((r) => r.build), yLabel: "million cycles",
    series: items.map((item) => ({ label: item.replace(/^kernel: /, ""), colour: colour(item), values: parts.map((p) => (p.find((i) => i.item === item)?.cycles ?? 0) / 1e6) })),
    height: 420,
  };
}

/** Grouped bars per throughput curve (the throughput workload's write and read): MB/s per transfer size, one series per build. */
function throughputCharts(workload: string, cmp: OverheadComparison): ChartSpec[] {
  const all = cmp.rows.flatMap((r) => r.throughput.filter((t) => t.series !== undefined && t.category !== undefined));
  return [...new Set(all.map((t) => t.series!))].map((series) => {
    const categories = [...new Set(all.filter((t) => t.series === series).map((t) => t.category!))];
    return {
      name: `throughput-${figureName(workload)}-${figureName(series)}`, title: `Throughput (${series}) per transfer size: ${workload}`, kind: "bar", categories,
      xLabel: "transfer size", yLabel: "MB/s of emulated time",
      series: cmp.rows.map((r) => ({ label: r.build, values: categories.map((c) => (r.throughput.find((t) => t.series === series && t.category === c)?.value ?? 0) / 1e6) })),
    } satisfies ChartSpec;
  });
}

/** A round lower end for an axis holding `lo` (0 when nothing is negative). */
function axisFloor(lo: number): number {
  if (!(lo < 0)) return 0;
  const step = 10 ** Math.floor(Math.log10(-lo));
  return -Math.ceil(-lo / step) * step;
}

/** Horizontal bars per constant: how far each build's busy overhead moves with the constant halved and doubled (percentage points). */
function sensitivityChart(rows: SensitivityRow[], reference: string): ChartSpec {
  const builds = rows.length ? Object.keys(rows[0].base).filter((b) => b !== reference) : [];
  const factors = rows.length ? rows[0].scaled.map((s) => s.factor) : [];
  const series = builds.flatMap((b) => factors.map((f) => ({
    label: `${b} ${f === 0.5 ? "×½" : `×${f}`}`,
    values: rows.map((r) => 100 * ((r.scaled.find((s) => s.factor === f)?.overheads[b]?.busy ?? NaN) - r.base[b].busy)),
  })));
  return {
    name: "sensitivity", title: `Change of the busy overhead relative to ${reference}`, kind: "bar", horizontal: true, categories: rows.map((r) => r.constant),
    yLabel: "percentage points", height: Math.max(360, 80 + rows.length * 22 * Math.max(1, builds.length)),
    min: axisFloor(Math.min(0, ...series.flatMap((s) => s.values.filter(Number.isFinite)))), series,
  };
}

const split = (cells: string[][]) => ({ head: cells[0], rows: cells.slice(1) });

/** The section's view (and its charts): the workloads compared, and the sensitivity table when there is one. */
function isolationView(inputs: IsolationInput[], source: string, clockHz: number, sens?: { rows: SensitivityRow[]; reference: string; uncharged: string[] }) {
  const charts: ChartSpec[] = [];
  const workloads = inputs.map((w) => {
    if (!w.comparison) return { workload: w.workload, params: w.params, recorded: false, notRecorded: w.notRecorded.join(", ") };
    const chart = isolationChart(w.workload, w.comparison);
    const tps = throughputCharts(w.workload, w.comparison);
    charts.push(chart, ...tps);
    return {
      workload: w.workload, params: w.params, recorded: true, chartName: chart.name, throughputCharts: tps.map((c) => c.name), reference: w.comparison.reference,
      table: split(comparisonCells(w.comparison)),
      breakdown: w.comparison.breakdowns.length ? split(breakdownCells(w.comparison)) : undefined,
      notRecorded: w.notRecorded.join(", "),
    };
  });
  if (sens && sens.rows.length) charts.push(sensitivityChart(sens.rows, sens.reference));
  const { views, figures } = drawCharts(charts);
  return {
    view: {
      source, clockMHz: clockHz / 1e6,
      workloads: workloads.map((w) => ("chartName" in w ? { ...w, chart: views[w.chartName as string], throughputCharts: (w.throughputCharts ?? []).map((n) => views[n]) } : w)),
      sensitivity: sens && sens.rows.length ? { reference: sens.reference, table: split(sensitivityCells(sens.rows, sens.reference)), chart: views.sensitivity, uncharged: sens.uncharged.join(", ") } : undefined,
    },
    figures,
  };
}

function notableItem(n: NotableExperiment) {
  const r = n.result;
  const d = n.detail;
  const facts: Array<{ key: string; value: string }> = [];
  if (d.reason) facts.push({ key: "not run", value: d.reason });
  if (d.panic) facts.push({ key: "panic", value: d.panic });
  if (d.halt) facts.push({ key: "machine halted", value: d.halt });
  if (d.lockup) facts.push({ key: "soft lockup", value: `${d.lockup.label} for ${d.lockup.ticks} ticks at cycle ${thousands(d.lockup.at)}` });
  if (d.oracle) facts.push({ key: "oracle", value: d.oracle });
  if (d.propagation) facts.push({ key: "propagation", value: `${d.propagation.writes} writes outside its domain, first at 0x${(d.propagation.firstPa >>> 0).toString(16)} (owner ${d.propagation.owner}) at cycle ${thousands(d.propagation.firstAt)}` });
  return {
    id: r.id, build: r.build, workload: r.workload, faultType: r.faultType, outcome: r.outcome, colour: colourOf(r.outcome, 0),
    open: n.why === "severe", detection: r.detection, why: n.why === "severe" ? "system failure or silent corruption" : "sample", fault: n.fault,
    end: r.end, verdict: r.verdict, cycles: thousands(r.cycles), restarts: r.restarts, propagated: r.propagated, facts,
    timeline: d.timeline.map((e) => ({ at: thousands(e.at), text: e.text })),
    console: d.console.trimEnd() || "(no console output)", replay: n.replay,
  };
}

function summaryView(data: ReportData) {
  const s = data.spec;
  const planned = s.builds.length * s.workloads.length * s.rounds * s.faults.reduce((t, f) => t + f.count, 0);
  const of = (b: string) => data.results.filter((r) => r.build === b);
  const fingerprints = new Map(data.builds.map((b) => [b.name, b.fingerprint]));
  return {
    name: s.name, description: s.description, seed: s.seed, path: data.path, specHash: data.specHash, specYaml: data.specYaml,
    version: data.meta.version ?? "unknown", startedAt: data.meta.started_at ?? "unknown", driver: `${s.targets ? Object.entries(s.targets).map(([w, d]) => `${d} under ${w}`).join(", ") : s.driver}${s.driverParams ? ` (${s.driverParams})` : ""}`,
    workloads: s.workloads.join(", "), experiments: thousands(data.results.length), planned: thousands(planned),
    activated: thousands(data.results.filter((r) => r.activated).length),
    builds: buildOrder(data).map((name) => {
      const rs = of(name);
      const activated = rs.filter((r) => r.activated);
      const failures = rs.filter((r) => SYSTEM_FAILURE.includes(r.outcome)).length;
      return {
        name, fingerprint: fingerprints.get(name) ?? "(not recorded)", experiments: rs.length, activated: activated.length, failures,
        failureRate: pct(rs.length ? failures / rs.length : NaN), activatedFailureRate: pct(activated.length ? failures / activated.length : NaN),
      };
    }),
  };
}

/** For a campaign of two or more builds: the first two, paired fault by fault (detections of each pair). */
function pairedView(data: ReportData) {
  const [a, b] = buildOrder(data);
  if (b === undefined) return undefined;
  const cmp = comparePaired(data, a, b);
  return cmp.ok ? { a, b, detections: cmp.detections } : undefined;
}

/**
 * The campaign report: HTML (self-contained) and its figures (SVG and PDF of every chart).
 * The notable experiments' sample is drawn with the campaign's seed, so it is the same each time.
 */
export function renderReport(data: ReportData): Rendered {
  const byBuild = outcomeTable(data, "build");
  const byType = outcomeTable(data, "build+faultType");
  const detection = detectionTable(data, "build");
  const activation = activationTable(data);
  const propagation = propagationTable(data);
  const rec = recoveryView(data);
  const golden = goldenView(data);
  const items = notable(data, data.spec.seed);
  const isolation = isolationView(isolationTable(data), "From the campaign's golden (fault-free) runs: their event counters, to the cycle each workload completed.", data.clockHz);
  const { views, figures } = drawCharts([
    shareChart("outcomes-by-build", "Outcomes per build", byBuild, (r) => r.build),
    shareChart("outcomes-by-fault-type", "Outcomes per build and fault type", byType, (r) => `${r.faultType} · ${r.build}`, true),
    rateChart("activation", "Activated faults per fault type", data, activation, "% activated"),
    shareChart("detection", "Detection mechanisms (activated experiments)", detection, (r) => r.build),
    rateChart("propagation", "Faults that left their compartment", data, propagation, "% of activated"),
    ...rec.charts,
    golden.chart,
  ]);
  const t = loadTemplates();
  const html = t.report({
    css: t.css, version: data.meta.version ?? "unknown", clockMHz: data.clockHz / 1e6, summary: summaryView(data), paired: pairedView(data),
    charts: {
      outcomesByBuild: views["outcomes-by-build"], outcomesByFaultType: views["outcomes-by-fault-type"], activation: views.activation,
      detection: views.detection, propagation: views.propagation, restarts: views.restarts, recoveryCdf: views["recovery-cdf"], golden: views["golden-cycles"],
    },
    outcomesByBuild: countTableView(byBuild, false),
    outcomesByFaultType: countTableView(byType, true),
    detection: countTableView(detection, false),
    activation: rateTableView(activation, "activated"),
    propagation: rateTableView(propagation, "propagated"),
    recovery: rec.view,
    golden: golden.view,
    isolation: isolation.view,
    notable: { seed: data.spec.seed, severe: items.filter((i) => i.why === "severe").length, sampled: items.filter((i) => i.why === "sample").length, items: items.map(notableItem) },
  });
  return { html, figures: [...figures, ...isolation.figures] };
}

/** What `bulkhead overhead` compared, for its page. */
export interface OverheadPage {
  workload: string;
  params: string;
  comparison: OverheadComparison;
  sensitivity?: { rows: SensitivityRow[]; uncharged: string[] };
  /** The command line that produced it (shown on the page). */
  command: string;
  clockHz: number;
  version?: string;
}

/** The page of `bulkhead overhead --out`: the "Cost of isolation" section, with its charts as figures. */
export function renderOverhead(p: OverheadPage): Rendered {
  const sens = p.sensitivity && { ...p.sensitivity, reference: p.comparison.reference };
  const iso = isolationView([{ workload: p.workload, params: p.params, comparison: p.comparison, notRecorded: [] }], "Fault-free runs of each build: their event counters, to the cycle the workload completed; throughput per second of emulated time.", p.clockHz, sens);
  const t = loadTemplates();
  const html = t.overhead({ css: t.css, version: p.version ?? "unknown", builds: p.comparison.rows.map((r) => r.build).join(", "), workload: p.workload, command: p.command, isolation: iso.view });
  return { html, figures: iso.figures };
}

/** The transition matrix as rows and columns of the outcomes that occur on side A (rows) or side B (columns). */
function transitionView(cmp: Comparison) {
  const tr = cmp.transition;
  const rowSum = (a: Outcome): number => OUTCOMES.reduce((s, b) => s + (tr[a]?.[b] ?? 0), 0);
  const colSum = (b: Outcome): number => OUTCOMES.reduce((s, a) => s + (tr[a]?.[b] ?? 0), 0);
  const rows = OUTCOMES.filter((o) => rowSum(o) > 0);
  const cols = OUTCOMES.filter((o) => colSum(o) > 0);
  return {
    rowSum, colSum, cols,
    rows: rows.map((a) => ({ label: a, total: rowSum(a), cells: cols.map((b) => ({ count: tr[a]?.[b] ?? 0, zero: (tr[a]?.[b] ?? 0) === 0 })) })),
  };
}

/** The paired comparison as a page: transition matrix, McNemar, difference of rates, a chart. */
export function renderComparison(cmp: Comparison, campaign: string, version = "unknown"): Rendered {
  const tv = transitionView(cmp);
  const outcomes = OUTCOMES.filter((o) => tv.rowSum(o) > 0 || tv.colSum(o) > 0);
  const chart: ChartSpec = {
    name: "compare-outcomes", title: `Outcomes of the ${cmp.pairs} paired faults`, kind: "stacked-bar", categories: [cmp.a, cmp.b], yLabel: "% of pairs", max: 100,
    series: outcomes.map((o) => ({ label: o, values: [tv.rowSum(o), tv.colSum(o)].map((n) => (cmp.pairs ? (100 * n) / cmp.pairs : 0)) })),
  };
  const { views, figures } = drawCharts([chart]);
  const pp = (v: number): string => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(1)}`;
  const t = loadTemplates();
  const unpaired = cmp.unpaired.a + cmp.unpaired.b > 0 ? `${cmp.unpaired.a} of ${cmp.a} and ${cmp.unpaired.b} of ${cmp.b} without a partner were left out` : "";
  const html = t.compare({
    css: t.css, version, campaign, a: cmp.a, b: cmp.b, pairs: cmp.pairs, unpaired, chart: views["compare-outcomes"],
    columns: tv.cols, rows: tv.rows, failure: cmp.failure,
    rates: [[cmp.a, cmp.rateA] as const, [cmp.b, cmp.rateB] as const].map(([label, r]) => ({ label, x: r.x, n: r.n, pct: pct(r.p), ci: ciText(r) })),
    activatedRates: [[cmp.a, cmp.activatedRateA] as const, [cmp.b, cmp.activatedRateB] as const].map(([label, r]) => ({ label, x: r.x, n: r.n, pct: pct(r.p), ci: ciText(r) })),
    detections: cmp.detections,
    mcnemarP: formatP(cmp.mcnemar.p),
    diff: cmp.pairs ? `${pp(cmp.diff.d)} percentage points, 95% CI ${pp(cmp.diff.lo)} to ${pp(cmp.diff.hi)}` : "no pairs",
    text: formatComparisonText(cmp),
  });
  return { html, figures };
}
