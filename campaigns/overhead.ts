/*
 * The runs behind `bulkhead overhead`: each build boots with the workload and runs it fault-free
 * (composeSystem + runWorkload, the workload's default parameters unless given), and its event
 * counters and throughput are kept; with a sensitivity analysis, the runs again with each cost
 * constant of the builds' models halved and doubled. Everything is emulated time: the same
 * request gives the same numbers on any machine. The comparison itself (overhead, breakdown,
 * sensitivity rows) is reports/overhead.ts, a pure function of these runs.
 */
import {
  composeSystem, CPU_HZ, DEFAULT_LIMITS, readCounters, runWorkload, type Build, type RunCounters, type RunLimits, type Workload,
} from "../system/index.js";

/** Work done per second of emulated time, e.g. { label: "written + read", unit: "B/s", value }. */
export interface Throughput {
  label: string;
  unit: string;
  value: number;
  /** For figures by a parameter (the throughput workload's transfer sizes): which curve ("write") and where on it ("4 KiB"). */
  series?: string;
  category?: string;
}

/** One build's fault-free run: its counters (from the run's start to the workload's completion) and throughput. */
export interface BuildCounters {
  build: string;
  counters: RunCounters;
  throughput: Throughput[];
}

/** Every build's run with one cost constant scaled by `factor` in each build's model. */
export interface SensitivityCase {
  constant: string;
  factor: number;
  runs: BuildCounters[];
}

export interface OverheadRequest {
  builds: Build[];
  workload: Workload;
  /** Workload parameters as key=value words, over the workload's defaults (which are kept where not given). */
  params?: string;
  /** Also run the sensitivity analysis: each cost constant (all, or these) halved and doubled. */
  sensitivity?: boolean | { constants: string[] };
  limits?: RunLimits;
}

export interface OverheadRuns {
  workload: string;
  /** The parameters every run used. */
  params: string;
  runs: BuildCounters[];
  /** Per cost constant and factor, every build's run with that constant scaled (sensitivity only). */
  cases?: SensitivityCase[];
  /** Constants left out of the sensitivity runs because no build ever charged them (their runs could not change). */
  uncharged?: string[];
  /** Fault-free runs done (boots included in each). */
  runCount: number;
}

/** The factors of the sensitivity analysis. */
export const FACTORS = [0.5, 2] as const;

/** `key=value` words; an error names the first word that is not one. */
export function parseParams(text: string): { ok: true; pairs: Array<[string, string]> } | { ok: false; error: string } {
  const pairs: Array<[string, string]> = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const m = /^([A-Za-z][\w-]*)=(\S+)$/.exec(word);
    if (!m) return { ok: false, error: `--params: '${word}' is not key=value` };
    pairs.push([m[1], m[2]]);
  }
  return { ok: true, pairs };
}

/** `given` over `defaults`: a given key replaces the default's value in place, a new key is appended. */
export function mergeParams(defaults: string, given: Array<[string, string]>): string {
  const parsed = parseParams(defaults);
  const out = parsed.ok ? parsed.pairs : [];
  for (const [k, v] of given) {
    const i = out.findIndex(([key]) => key === k);
    if (i >= 0) out[i] = [k, v];
    else out.push([k, v]);
  }
  return out.map(([k, v]) => `${k}=${v}`).join(" ");
}

/** What one run yields, with the counters since power-on (which constants were ever charged). */
interface OneRun {
  run: BuildCounters;
  sinceBoot: RunCounters;
}

type RunResult = { ok: true; one: OneRun } | { ok: false; error: string };

/** Boots `build` with the workload and runs it fault-free; a run that does not complete and pass is an error. */
function runOnce(build: Build, workload: Workload, params: string | undefined, limits: RunLimits): RunResult & { params?: string } {
  const composed = composeSystem(build, workload, params === undefined ? {} : { params });
  if (!composed.ok) return { ok: false, error: `${build.name} × ${workload.name}: ${composed.error}` };
  const sys = composed.system;
  const obs = runWorkload(sys, workload, composed.params, limits);
  if (obs.end !== "completed" || obs.oracle.verdict !== "pass")
    return { ok: false, error: `the fault-free run of ${build.name} × ${workload.name} (${composed.params}) ended ${obs.end}, oracle ${obs.oracle.verdict}: ${obs.oracle.summary}` };
  const throughput = throughputOf(workload, sys.nativeState(workload.name), obs.oracle.details, obs.counters.cycles);
  return { ok: true, one: { run: { build: build.name, counters: obs.counters, throughput }, sinceBoot: readCounters(sys) }, params: composed.params };
}

/** The build with cost `constant` scaled by `factor` (same name: it is the same build under another model). */
export function scaledBuild(build: Build, constant: string, factor: number): Build {
  const costs = build.costs as unknown as Record<string, number>;
  if (!(constant in costs)) return build;
  return { ...build, costs: { ...build.costs, [constant]: costs[constant] * factor } };
}

/**
 * Runs every build fault-free, and with `sensitivity` every cost constant halved and doubled.
 * A constant no build ever charged (since power-on, boot included) is left out: scaling it
 * changes no cycle, so its runs would be the baseline's. Likewise a build that never charged
 * a constant keeps its baseline run for it.
 */
export function runOverhead(req: OverheadRequest): { ok: true; result: OverheadRuns } | { ok: false; error: string } {
  const limits = req.limits ?? DEFAULT_LIMITS;
  if (req.builds.length === 0) return { ok: false, error: "no builds given" };
  let params: string | undefined;
  if (req.params !== undefined) {
    const given = parseParams(req.params);
    if (!given.ok) return given;
    // The defaults come from the composition (they may name the drivers composed).
    const probe = composeSystem(req.builds[0], req.workload, {});
    if (!probe.ok) return { ok: false, error: `${req.builds[0].name} × ${req.workload.name}: ${probe.error}` };
    params = mergeParams(probe.params, given.pairs);
  }
  let runCount = 0;
  const base: OneRun[] = [];
  for (const build of req.builds) {
    const r = runOnce(build, req.workload, params, limits);
    runCount++;
    if (!r.ok) return r;
    params ??= r.params;
    base.push(r.one);
  }
  const result: OverheadRuns = { workload: req.workload.name, params: params ?? "", runs: base.map((b) => b.run), runCount };
  if (!req.sensitivity) return { ok: true, result };

  const all = [...new Set(req.builds.flatMap((b) => Object.keys(b.costs)))];
  const only = typeof req.sensitivity === "object" ? req.sensitivity.constants : undefined;
  const wanted = only ? all.filter((c) => only.includes(c)) : all;
  const charged = (i: number, c: string): boolean => (base[i].sinceBoot.charged as Record<string, number>)[c] > 0;
  const constants = wanted.filter((c) => req.builds.some((_, i) => charged(i, c)));
  const cases: SensitivityCase[] = [];
  for (const constant of constants)
    for (const factor of FACTORS) {
      const runs: BuildCounters[] = [];
      for (let i = 0; i < req.builds.length; i++) {
        if (!charged(i, constant)) {
          runs.push(base[i].run);
          continue;
        }
        const r = runOnce(scaledBuild(req.builds[i], constant, factor), req.workload, params, limits);
        runCount++;
        if (!r.ok) return { ok: false, error: `sensitivity (${constant} × ${factor}): ${r.error}` };
        runs.push(r.one.run);
      }
      cases.push({ constant, factor, runs });
    }
  return { ok: true, result: { ...result, cases, uncharged: wanted.filter((c) => !constants.includes(c)), runCount } };
}

// --- throughput: the work a workload did per emulated second -----------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** A transfer size for people: 4096 → "4 KiB", 1000 → "1000 B". */
export const sizeLabel = (n: number): string => (n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`);

/**
 * What a workload's run achieved per second of emulated time (`cycles` at the clock's rate),
 * read from its final state (host-side data of the native program) or its oracle's details:
 *   files       bytes written and read back (each planned file once each way), and VFS requests;
 *   blocks      bytes written and read back (blocks × size, each way);
 *   throughput  per transfer size, the write and the read phase's bytes per second, as its
 *               throughputOf measures them (its oracle's details.throughput: the phases' own
 *               cycles, not the whole run's);
 *   net         the stream's bytes sent and read back per second, and requests per second;
 *   other       its progress counter's final value.
 */
export function throughputOf(workload: Workload, state: unknown, details: Record<string, unknown>, cycles: number, hz = CPU_HZ): Throughput[] {
  const seconds = cycles / hz;
  if (workload.name === "throughput") {
    const sizes = Array.isArray(details.throughput) ? details.throughput.filter(isObject) : [];
    return sizes.flatMap((t) => (["write", "read"] as const).map((phase) => ({
      label: `${phase} ${sizeLabel(num(t.size))}`, unit: "B/s", value: num(t[`${phase}BytesPerSec`]), series: phase, category: sizeLabel(num(t.size)),
    })));
  }
  if (!isObject(state) || seconds <= 0) return [];
  const per = (label: string, unit: string, amount: number): Throughput => ({ label, unit, value: amount / seconds });
  if (workload.name === "files") {
    const plan = state.plan;
    const files = isObject(plan) && Array.isArray(plan.files) ? plan.files : [];
    const bytes = files.reduce((t: number, f: unknown) => t + (isObject(f) ? num(f.size) : 0), 0);
    return [per("written + read", "B/s", 2 * bytes), per("requests", "req/s", num(state.ops))];
  }
  if (workload.name === "blocks") return [per("written + read", "B/s", 2 * num(state.blocks) * num(state.size))];
  if (workload.name === "net") return [per("stream sent + echoed", "B/s", num(state.sent) + num(state.received)), per("requests", "req/s", num(state.ops))];
  return [per("progress", "units/s", workload.progress(state))];
}
