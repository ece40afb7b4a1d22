/*
 * Paired comparison of two builds on the same faults. Experiments of different builds with the
 * same fault_key got the same fault (campaigns/plan.ts), so each fault gives a pair of outcomes:
 * the transition matrix counts them, and "system failure" (a system crash or hang) on either
 * side gives the discordant counts for the exact McNemar test and the paired interval of the
 * difference in failure rate. Two builds of one database, or one build (or all) of two databases
 * of the same campaign (same spec hash). Pure functions over ReportData; the text is for the
 * terminal.
 */
import type { Result } from "../campaigns/store.js";
import { OUTCOMES, type ExperimentResult, type Outcome } from "../campaigns/types.js";
import type { ReportData } from "./data.js";
import { diffCI, mcnemarExact, wilson, type DiffInterval, type Interval, type McNemar } from "./stats.js";

/** Outcomes that count as a failure of the whole system. */
export const SYSTEM_FAILURE: readonly Outcome[] = ["system-crash", "system-hang"];
const isFailure = (r: ExperimentResult): boolean => SYSTEM_FAILURE.includes(r.outcome);

export interface Comparison {
  /** Labels of the two sides (build names, or database[:build]). */
  a: string;
  b: string;
  /** Faults with a result on both sides. */
  pairs: number;
  /** Results on one side only (their partner is missing): not compared. */
  unpaired: { a: number; b: number };
  /** transition[outcome of A][outcome of B] = pairs; every outcome present, zeros included. */
  transition: Record<Outcome, Record<Outcome, number>>;
  /** System failure (system-crash or system-hang) in A only, B only, both, neither. */
  failure: { aOnly: number; bOnly: number; both: number; neither: number };
  /** Exact McNemar test on (aOnly, bOnly). */
  mcnemar: McNemar;
  /** System-failure rates over the pairs, with Wilson 95% intervals. */
  rateA: Interval & { x: number; n: number };
  rateB: Interval & { x: number; n: number };
  /** rateA − rateB with Newcombe's paired 95% interval. */
  diff: DiffInterval;
  /** System-failure rates over the pairs whose fault was activated on that side (Wilson 95%). */
  activatedRateA: Interval & { x: number; n: number };
  activatedRateB: Interval & { x: number; n: number };
  /**
   * How each pair was detected on either side, over the pairs activated on at least one side:
   * [detection with A, detection with B, outcome with A, outcome with B, pairs], most pairs first.
   * Shows which mechanism made the difference (the same MMU fault a panic in one build and a
   * restart in the other, or a denial only one build has).
   */
  detections: Array<{ a: string; b: string; outcomeA: Outcome; outcomeB: Outcome; pairs: number }>;
}

function emptyTransition(): Record<Outcome, Record<Outcome, number>> {
  return Object.fromEntries(OUTCOMES.map((a) => [a, Object.fromEntries(OUTCOMES.map((b) => [b, 0]))])) as Record<Outcome, Record<Outcome, number>>;
}

/** Pairs two lists of results by `key`; one result per key and side is assumed. */
function compare(a: string, b: string, ra: ExperimentResult[], rb: ExperimentResult[], key: (r: ExperimentResult) => string): Comparison {
  const byKey = new Map(rb.map((r) => [key(r), r]));
  const transition = emptyTransition();
  const failure = { aOnly: 0, bOnly: 0, both: 0, neither: 0 };
  const activated = { a: 0, b: 0, aFailed: 0, bFailed: 0 };
  const detections = new Map<string, Comparison["detections"][number]>();
  let pairs = 0;
  for (const x of ra) {
    const y = byKey.get(key(x));
    if (!y) continue;
    pairs++;
    const row = (transition[x.outcome] ??= Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>);
    row[y.outcome] = (row[y.outcome] ?? 0) + 1;
    const fx = isFailure(x), fy = isFailure(y);
    if (x.activated) {
      activated.a++;
      if (fx) activated.aFailed++;
    }
    if (y.activated) {
      activated.b++;
      if (fy) activated.bFailed++;
    }
    if (x.activated || y.activated) {
      const k = [x.detection, y.detection, x.outcome, y.outcome].join("\u0000");
      const d = detections.get(k) ?? { a: x.detection, b: y.detection, outcomeA: x.outcome, outcomeB: y.outcome, pairs: 0 };
      d.pairs++;
      detections.set(k, d);
    }
    if (fx && fy) failure.both++;
    else if (fx) failure.aOnly++;
    else if (fy) failure.bOnly++;
    else failure.neither++;
  }
  const xA = failure.aOnly + failure.both, xB = failure.bOnly + failure.both;
  return {
    a, b, pairs,
    unpaired: { a: ra.length - pairs, b: rb.length - pairs },
    transition, failure,
    mcnemar: mcnemarExact(failure.aOnly, failure.bOnly),
    rateA: { ...wilson(xA, pairs), x: xA, n: pairs },
    rateB: { ...wilson(xB, pairs), x: xB, n: pairs },
    diff: diffCI({ x: xA, n: pairs }, { x: xB, n: pairs }, { b: failure.aOnly, c: failure.bOnly, n: pairs }),
    activatedRateA: { ...wilson(activated.aFailed, activated.a), x: activated.aFailed, n: activated.a },
    activatedRateB: { ...wilson(activated.bFailed, activated.b), x: activated.bFailed, n: activated.b },
    detections: [...detections.values()].sort((p, q) => q.pairs - p.pairs || OUTCOMES.indexOf(p.outcomeA) - OUTCOMES.indexOf(q.outcomeA) || (p.a + p.b).localeCompare(q.a + q.b)),
  };
}

/**
 * Builds `a` and `b` of one campaign, paired by fault_key. Error: a build without results, or
 * the same build twice.
 */
export function comparePaired(data: ReportData, a: string, b: string): Result<Comparison> {
  if (a === b) return { ok: false, error: `cannot compare build ${a} with itself` };
  const have = [...new Set(data.results.map((r) => r.build))];
  for (const build of [a, b])
    if (!have.includes(build)) return { ok: false, error: `${data.path} has no results of build ${build} (builds: ${have.join(", ") || "none"})` };
  const of = (build: string): ExperimentResult[] => data.results.filter((r) => r.build === build);
  return { ok: true, ...compare(a, b, of(a), of(b), (r) => r.faultKey) };
}

/**
 * Two databases of the same campaign (same spec hash), paired by build and fault_key; only
 * `build` when given. Error: the specs differ, or `build` has no results in one of them.
 */
export function comparePairedStores(dataA: ReportData, dataB: ReportData, build?: string): Result<Comparison> {
  if (dataA.specHash !== dataB.specHash)
    return { ok: false, error: `${dataA.path} and ${dataB.path} hold different campaigns (spec hash ${dataA.specHash.slice(0, 12)} vs ${dataB.specHash.slice(0, 12)}); compare databases of the same spec` };
  const pick = (d: ReportData): ExperimentResult[] => (build === undefined ? d.results : d.results.filter((r) => r.build === build));
  const ra = pick(dataA), rb = pick(dataB);
  if (build !== undefined)
    for (const [d, rs] of [[dataA, ra], [dataB, rb]] as const) if (rs.length === 0) return { ok: false, error: `${d.path} has no results of build ${build}` };
  const label = (d: ReportData): string => (build === undefined ? d.path : `${d.path}:${build}`);
  return { ok: true, ...compare(label(dataA), label(dataB), ra, rb, (r) => `${r.build}\u0000${r.faultKey}`) };
}

const pct = (v: number): string => (Number.isNaN(v) ? "-" : `${(100 * v).toFixed(1)}%`);
const pp = (v: number): string => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(1)}`;

/** A p-value for text: 4 significant digits, "< 0.0001" below. */
export function formatP(p: number): string {
  return p < 1e-4 ? "< 0.0001" : `= ${p >= 0.001 ? p.toFixed(4).replace(/0+$/, "").replace(/\.$/, "") : p.toPrecision(2)}`;
}

/** The transition matrix as text: outcomes that occur on either side, totals on the right and below. */
function transitionText(cmp: Comparison): string[] {
  const outcomes = Object.keys(cmp.transition) as Outcome[];
  const row = (o: Outcome): number => Object.values(cmp.transition[o] ?? {}).reduce((s, n) => s + n, 0);
  const col = (o: Outcome): number => outcomes.reduce((s, a) => s + (cmp.transition[a]?.[o] ?? 0), 0);
  const rows = outcomes.filter((o) => row(o) > 0);
  const cols = outcomes.filter((o) => col(o) > 0);
  const header = [`${cmp.a} \\ ${cmp.b}`, ...cols, "total"];
  const body = rows.map((a) => [a, ...cols.map((b) => String(cmp.transition[a][b] ?? 0)), String(row(a))]);
  body.push(["total", ...cols.map((b) => String(col(b))), String(cmp.pairs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [fmt(header), ...body.map(fmt)];
}

/**
 * The comparison for the terminal: the transition matrix (rows: A's outcome, columns: B's),
 * the failure rates with their intervals, the McNemar test and the difference, in plain words.
 */
export function formatComparisonText(cmp: Comparison): string {
  const { a, b, failure: f, mcnemar: m, diff } = cmp;
  const rate = (r: Comparison["rateA"]): string => `${r.x} of ${r.n} (${pct(r.p)}, 95% CI ${pct(r.lo)} to ${pct(r.hi)})`;
  const verdict = m.p < 0.05
    ? `${f.aOnly > f.bOnly ? a : b} fails significantly more often than ${f.aOnly > f.bOnly ? b : a} (exact McNemar test, p ${formatP(m.p)})`
    : `no significant difference in system failures at the 5% level (exact McNemar test, p ${formatP(m.p)})`;
  const lines = [
    `${a} vs ${b}: ${cmp.pairs} faults run on both${cmp.unpaired.a + cmp.unpaired.b > 0 ? ` (${cmp.unpaired.a} of ${a} and ${cmp.unpaired.b} of ${b} without a partner, left out)` : ""}`,
    "",
    `outcome transitions (rows: ${a}, columns: ${b}):`,
    ...transitionText(cmp),
    "",
    `system failure (crash or system hang): ${a} ${rate(cmp.rateA)}; ${b} ${rate(cmp.rateB)}`,
    `  over the faults activated on that side: ${a} ${rate(cmp.activatedRateA)}; ${b} ${rate(cmp.activatedRateB)}`,
    `failed only with ${a}: ${f.aOnly}; only with ${b}: ${f.bOnly}; with both: ${f.both}; with neither: ${f.neither}`,
    verdict,
  ];
  if (cmp.pairs > 0)
    lines.push(`difference ${a} − ${b}: ${pp(diff.d)} percentage points, 95% CI ${pp(diff.lo)} to ${pp(diff.hi)} (Newcombe's paired score interval)`);
  if (cmp.detections.length) {
    lines.push("", `detection of each pair (activated on either side; ${a} → ${b}):`);
    for (const d of cmp.detections) lines.push(`  ${String(d.pairs).padStart(5)}  ${d.outcomeA} (${d.a}) → ${d.outcomeB} (${d.b})`);
  }
  return lines.join("\n");
}
