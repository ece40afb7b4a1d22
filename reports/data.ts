/*
 * A campaign's report data: everything a report needs, read once from the store (spec, builds
 * and their fingerprints, golden runs, meta, all results) into a plain ReportData, and pure
 * functions that turn it into the report's tables — outcomes, detection, activation,
 * propagation, recovery, golden-run overhead, the cost of isolation from the golden runs' event
 * counters — and the list of notable experiments to drill
 * into. Only loadReport() touches the store; everything else is a function of the data, so a
 * report can always be regenerated from the database alone.
 */
import { CPU_HZ } from "../system/index.js";
import type { Store, StoredBuild } from "../campaigns/store.js";
import { DETECTIONS, OUTCOMES, type CampaignSpec, type Detection, type ExperimentDetail, type ExperimentResult, type GoldenRun, type Outcome } from "../campaigns/types.js";
import { compareOverhead, type OverheadComparison } from "./overhead.js";
import { wilson, type Interval } from "./stats.js";

export interface ReportData {
  /** The database file the data came from (for replay commands). */
  path: string;
  spec: CampaignSpec;
  specYaml: string;
  specHash: string;
  /** Every meta key (name, version, started_at, last_run_at, ...), spec_yaml and spec_json excepted. */
  meta: Record<string, string>;
  builds: StoredBuild[];
  goldens: GoldenRun[];
  /** Every stored result, by id. */
  results: ExperimentResult[];
  /** The emulated clock's rate, cycles per second (recorded in the store; databases from before it was recorded ran at CPU_HZ). */
  clockHz: number;
}

/**
 * Reads everything a report needs from an open store. Assumes the store holds a campaign. Throws
 * (one line) when a golden run's stored counters cannot be read.
 */
export function loadReport(store: Store): ReportData {
  const problem = store.countersProblem();
  if (problem !== undefined) throw new Error(problem);
  const rows = store.connection().prepare<[], { key: string; value: string }>("SELECT key, value FROM meta ORDER BY key").all();
  const meta = Object.fromEntries(rows.filter((r) => r.key !== "spec_yaml" && r.key !== "spec_json").map((r) => [r.key, r.value]));
  return {
    path: store.path,
    spec: store.spec(),
    specYaml: store.meta("spec_yaml") ?? "",
    specHash: store.meta("spec_hash") ?? "",
    meta,
    builds: store.builds(),
    goldens: store.goldens(),
    results: store.results(),
    clockHz: Number(meta.clock_hz ?? CPU_HZ),
  };
}

/** Builds in the spec's order, then any other build that has results. */
export function buildOrder(data: ReportData): string[] {
  return ordered(data.spec.builds, data.results.map((r) => r.build));
}

/** Fault types in the spec's order, then any other that has results. */
export function faultTypeOrder(data: ReportData): string[] {
  return ordered(data.spec.faults.map((f) => f.type), data.results.map((r) => r.faultType));
}

function ordered(first: string[], seen: string[]): string[] {
  const out = [...new Set(first)];
  for (const s of [...new Set(seen)].sort()) if (!out.includes(s)) out.push(s);
  return out;
}

/** A row of a count table: a group (build, and fault type when grouped by it), its size, counts and Wilson 95% CIs. */
export interface CountRow<K extends string> {
  build: string;
  faultType?: string;
  n: number;
  counts: Record<K, number>;
  ci: Record<K, Interval>;
}

export type Grouping = "build" | "build+faultType";

/** The groups of results: per build, or per build × fault type (groups without results left out). */
function groups(data: ReportData, by: Grouping): Array<{ build: string; faultType?: string; results: ExperimentResult[] }> {
  const out: Array<{ build: string; faultType?: string; results: ExperimentResult[] }> = [];
  for (const build of buildOrder(data)) {
    const mine = data.results.filter((r) => r.build === build);
    if (by === "build") out.push({ build, results: mine });
    else for (const faultType of faultTypeOrder(data)) {
      const cell = mine.filter((r) => r.faultType === faultType);
      if (cell.length > 0) out.push({ build, faultType, results: cell });
    }
  }
  return out;
}

function countRow<K extends string>(keys: readonly K[], g: { build: string; faultType?: string; results: ExperimentResult[] }, key: (r: ExperimentResult) => K): CountRow<K> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const r of g.results) counts[key(r)] = (counts[key(r)] ?? 0) + 1;
  const n = g.results.length;
  const ci = Object.fromEntries(keys.map((k) => [k, wilson(counts[k], n)])) as Record<K, Interval>;
  return { build: g.build, ...(g.faultType !== undefined ? { faultType: g.faultType } : {}), n, counts, ci };
}

/** Outcomes per build (or build × fault type): counts over all experiments, summing to n. */
export function outcomeTable(data: ReportData, by: Grouping = "build"): Array<CountRow<Outcome>> {
  return groups(data, by).map((g) => countRow(OUTCOMES, g, (r) => r.outcome));
}

/**
 * Detection mechanisms per build (or build × fault type), over the activated experiments only
 * (a fault that never took effect has nothing to detect); counts sum to n, "none" included.
 */
export function detectionTable(data: ReportData, by: Grouping = "build"): Array<CountRow<Detection>> {
  return groups(data, by).map((g) => countRow(DETECTIONS, { ...g, results: g.results.filter((r) => r.activated) }, (r) => r.detection));
}

export interface RateRow {
  build: string;
  faultType: string;
  /** Experiments in the group (for propagation: the activated ones). */
  n: number;
  /** Experiments with the property (activated; propagated). */
  x: number;
  ci: Interval;
}

/** Activated vs not, per build × fault type: x activated of n experiments. */
export function activationTable(data: ReportData): RateRow[] {
  return groups(data, "build+faultType").map((g) => rateRow(g, g.results, (r) => r.activated));
}

/**
 * Error propagation per build × fault type: of the activated experiments (n), how many had the
 * faulty driver write memory outside its own domain (x).
 */
export function propagationTable(data: ReportData): RateRow[] {
  return groups(data, "build+faultType").map((g) => rateRow(g, g.results.filter((r) => r.activated), (r) => r.propagated));
}

function rateRow(g: { build: string; faultType?: string }, results: ExperimentResult[], has: (r: ExperimentResult) => boolean): RateRow {
  const x = results.filter(has).length;
  return { build: g.build, faultType: g.faultType ?? "", n: results.length, x, ci: wilson(x, results.length) };
}

export interface RecoveryRow {
  build: string;
  /** Activated experiments by number of driver restarts, ascending by restarts. */
  restarts: Array<{ restarts: number; count: number }>;
  /** Cycles from activation to recovery of every experiment that recovered, ascending (a CDF's x values). */
  recoveryCycles: number[];
}

/** Per build: the restart histogram (activated experiments) and the sorted recovery times. */
export function recovery(data: ReportData): RecoveryRow[] {
  return buildOrder(data).map((build) => {
    const mine = data.results.filter((r) => r.build === build && r.activated);
    const hist = new Map<number, number>();
    for (const r of mine) hist.set(r.restarts, (hist.get(r.restarts) ?? 0) + 1);
    return {
      build,
      restarts: [...hist].sort((x, y) => x[0] - y[0]).map(([restarts, count]) => ({ restarts, count })),
      recoveryCycles: mine.filter((r) => r.recoveryCycles >= 0).map((r) => r.recoveryCycles).sort((x, y) => x - y),
    };
  });
}

export interface GoldenRow {
  build: string;
  workload: string;
  end: string;
  verdict: string;
  cycles: number;
  /** cycles / (fewest cycles of any build on this workload) − 1: 0 for the fastest build. */
  overhead: number;
}

/** Golden (fault-free) runs per workload × build, with the overhead relative to the fastest build. */
export function goldenTable(data: ReportData): GoldenRow[] {
  const builds = buildOrder(data);
  const workloads = ordered(data.spec.workloads, data.goldens.map((g) => g.workload));
  const rows: GoldenRow[] = [];
  for (const workload of workloads) {
    const mine = data.goldens.filter((g) => g.workload === workload).sort((x, y) => builds.indexOf(x.build) - builds.indexOf(y.build));
    const fastest = Math.min(...mine.map((g) => g.cycles));
    for (const g of mine)
      rows.push({ build: g.build, workload, end: g.end, verdict: g.verdict, cycles: g.cycles, overhead: fastest > 0 ? g.cycles / fastest - 1 : 0 });
  }
  return rows;
}

/** The cost of isolation on one workload, from its golden runs' counters. */
export interface IsolationRow {
  workload: string;
  /** The builds whose golden runs have counters, compared (one build: just its counters); undefined when none has. */
  comparison?: OverheadComparison;
  /** Builds whose golden run of this workload has no counters (a database from before they were recorded). */
  notRecorded: string[];
}

/** Per workload (spec order), the golden runs' counters compared across builds (build order). */
export function isolationTable(data: ReportData): IsolationRow[] {
  const builds = buildOrder(data);
  const workloads = ordered(data.spec.workloads, data.goldens.map((g) => g.workload));
  return workloads.map((workload) => {
    const mine = data.goldens.filter((g) => g.workload === workload).sort((x, y) => builds.indexOf(x.build) - builds.indexOf(y.build));
    const recorded = mine.filter((g) => g.counters !== undefined);
    return {
      workload,
      ...(recorded.length > 0 ? { comparison: compareOverhead(recorded.map((g) => ({ build: g.build, counters: g.counters!, throughput: [] }))) } : {}),
      notRecorded: mine.filter((g) => g.counters === undefined).map((g) => g.build),
    };
  });
}

/** One event of an experiment's timeline, at a cycle from the experiment's start. */
export interface TimelineEvent {
  at: number;
  /** fault (activated), rs (reincarnation server), death (the kernel saw the driver die), denial (a refused request). */
  source: "fault" | "rs" | "death" | "denial";
  kind: string;
  text: string;
}

/**
 * The stored `detail` JSON of an experiment (the executor's ExperimentDetail), parsed: the lists
 * and the console always present (empty when absent), other fields absent in the JSON left out.
 */
export type ParsedDetail = Omit<ExperimentDetail, "rsEvents" | "deaths" | "denials" | "console"> &
  Required<Pick<ExperimentDetail, "rsEvents" | "deaths" | "denials" | "console">> & {
    /** rsEvents, deaths and denials merged, by cycle. */
    timeline: TimelineEvent[];
  };

const arrayOf = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const stringOf = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Parses an experiment's `detail` JSON; text that is not a JSON object gives an empty detail with it as the console. */
export function parseDetail(detail: string): ParsedDetail {
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(detail);
    o = v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return { rsEvents: [], deaths: [], denials: [], console: detail, timeline: [] };
  }
  const rsEvents = arrayOf<ParsedDetail["rsEvents"][number]>(o.rsEvents);
  const deaths = arrayOf<ParsedDetail["deaths"][number]>(o.deaths);
  const denials = arrayOf<ParsedDetail["denials"][number]>(o.denials);
  const timeline: TimelineEvent[] = [
    ...rsEvents.map((e) => ({ at: e.at, source: "rs" as const, kind: e.kind, text: `rs ${e.kind}: ${e.detail}` })),
    ...deaths.map((e) => ({ at: e.at, source: "death" as const, kind: e.kind, text: `driver ${e.kind}: ${e.detail}` })),
    ...denials.map((e) => ({ at: e.at, source: "denial" as const, kind: e.kind, text: `kernel denied a ${e.kind} request` })),
  ].sort((x, y) => x.at - y.at);
  const out: ParsedDetail = { rsEvents, deaths, denials, console: stringOf(o.console) ?? "", timeline };
  for (const k of ["reason", "panic", "halt", "oracle"] as const) if (stringOf(o[k]) !== undefined) out[k] = stringOf(o[k]);
  if (o.lockup && typeof o.lockup === "object") out.lockup = o.lockup as ParsedDetail["lockup"];
  if (o.propagation && typeof o.propagation === "object") out.propagation = o.propagation as ParsedDetail["propagation"];
  return out;
}

/** The outcomes every one of which a report lists: the system failed or silently lost data. */
export const SEVERE: readonly Outcome[] = ["system-crash", "system-hang", "silent-corruption"];

export interface NotableExperiment {
  result: ExperimentResult;
  /** severe: a system crash, hang or silent corruption (all are listed); sample: drawn from the rest. */
  why: "severe" | "sample";
  /** The fault's human-readable description. */
  fault: string;
  detail: ParsedDetail;
  /** The shell command that reruns the experiment. */
  replay: string;
}

/** A word quoted for a POSIX shell when it needs it. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `bulkhead replay <db> <id>`, with the database path quoted for the shell when needed. */
export function replayCommand(db: string, id: number): string {
  return `bulkhead replay ${shellWord(db)} ${id}`;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1); deterministic for a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The detail with the fault's activation added to its timeline (when it was activated). */
function withActivation(d: ParsedDetail, r: ExperimentResult): ParsedDetail {
  if (!r.activated || r.activationCycle < 0) return d;
  const event: TimelineEvent = { at: r.activationCycle, source: "fault", kind: "activated", text: `fault activated (${r.faultType})` };
  return { ...d, timeline: [event, ...d.timeline].sort((x, y) => x.at - y.at) };
}

/**
 * The experiments to drill into: every system-crash, system-hang and silent-corruption, then
 * `sample` (default 10) of the rest drawn with a PRNG seeded by `sampleSeed` (the same data and
 * seed give the same list), activated experiments only. Each in id order within its group; each
 * timeline starts with the fault's activation.
 */
export function notable(data: ReportData, sampleSeed: number, sample = 10): NotableExperiment[] {
  const severe = data.results.filter((r) => SEVERE.includes(r.outcome));
  const rest = data.results.filter((r) => !SEVERE.includes(r.outcome) && r.activated);
  const rnd = mulberry32(sampleSeed);
  const pool = [...rest];
  const k = Math.min(sample, pool.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rnd() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const drawn = pool.slice(0, k).sort((x, y) => x.id - y.id);
  const item = (result: ExperimentResult, why: NotableExperiment["why"]): NotableExperiment =>
    ({ result, why, fault: result.fault, detail: withActivation(parseDetail(result.detail), result), replay: replayCommand(data.path, result.id) });
  return [...severe.map((r) => item(r, "severe")), ...drawn.map((r) => item(r, "sample"))];
}
