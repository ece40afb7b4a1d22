/*
 * Running a campaign: plan, skip what the store already has (resume), make sure every
 * configuration has its golden run, then run the remaining experiments — in this thread for
 * one worker, on worker threads otherwise — writing each result to the store as it arrives.
 * Results are identical whatever the number of workers or shards.
 */
import { Worker } from "node:worker_threads";
import { BUILDS, fingerprint, loadImage } from "../system/index.js";
import { attachGolden, commonCoverage, faultOf, prepareConfig } from "./execute.js";
import { configurations, planExperiments } from "./plan.js";
import { CampaignError } from "./errors.js";
import { inShard } from "./shard.js";
import { ExperimentSource } from "./source.js";
import type { Store } from "./store.js";
import type { WorkerReply, WorkerRequest } from "./worker.js";
import { OUTCOMES, type CampaignSpec, type ExperimentPlan, type ExperimentResult, type GoldenRun } from "./types.js";

export interface RunOptions {
  /** Worker threads (>= 1; 1 runs in this thread). */
  workers: number;
  shard?: { index: number; count: number };
  /** Run only the first N planned experiments (of this shard). */
  maxExperiments?: number;
  onProgress?: (p: { done: number; total: number; counts: Record<string, number> }) => void;
  /** Checked between experiments: true stops the run cleanly (what finished is stored). */
  shouldStop?: () => boolean;
}

export interface RunSummary {
  total: number;
  ran: number;
  resumed: number;
  counts: Record<string, number>;
}

/** The experiments this run is responsible for (shard and limit applied), in id order. */
export function selectedPlans(spec: CampaignSpec, opts: Pick<RunOptions, "shard" | "maxExperiments">): ExperimentPlan[] {
  let plans = planExperiments(spec);
  if (opts.shard) plans = plans.filter((p) => inShard(p.id, opts.shard!));
  if (opts.maxExperiments !== undefined) plans = plans.slice(0, opts.maxExperiments);
  return plans;
}

/**
 * Records each build's fingerprint (its data and the driver image it runs); a database started
 * with other images or build data refuses to continue, so results never mix two systems.
 */
export function checkBuilds(spec: CampaignSpec, store: Store): void {
  const img = loadImage(spec.driver);
  if (!img.ok) throw new CampaignError(img.error);
  for (const build of spec.builds) {
    const r = store.putBuild(build, fingerprint(BUILDS[build], { [spec.driver]: img.bytes }), JSON.stringify(BUILDS[build]));
    if (r && !r.ok) throw new CampaignError(r.error);
  }
}

/** Golden runs for every configuration, from the store or computed now (and stored). */
export function ensureGoldens(spec: CampaignSpec, store: Store): GoldenRun[] {
  const out: GoldenRun[] = [];
  for (const [build, workload] of configurations(spec)) {
    let g = store.getGolden(build, workload);
    if (!g) {
      const r = prepareConfig(spec, build, workload);
      if (!r.ok) throw new CampaignError(r.error);
      g = attachGolden(spec, r.config);
      store.putGolden(g);
    }
    out.push(g);
  }
  return out;
}

export async function runCampaign(spec: CampaignSpec, store: Store, opts: RunOptions): Promise<RunSummary> {
  const plans = selectedPlans(spec, opts);
  const done = store.doneIds();
  const todo = plans.filter((p) => !done.has(p.id));
  const counts: Record<string, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  const ids = new Set(plans.map((p) => p.id));
  for (const r of store.results()) if (ids.has(r.id)) counts[r.outcome]++;
  const summary: RunSummary = { total: plans.length, ran: 0, resumed: plans.length - todo.length, counts };
  const report = () => opts.onProgress?.({ done: summary.resumed + summary.ran, total: summary.total, counts: { ...counts } });
  const record = (r: ExperimentResult) => {
    store.putResult(r);
    counts[r.outcome]++;
    summary.ran++;
    report();
  };
  report();
  checkBuilds(spec, store);
  if (todo.length === 0) return summary;
  const workers = Math.max(1, Math.min(opts.workers, todo.length));
  if (workers === 1) {
    const goldens = ensureGoldens(spec, store);
    checkFaults(spec, goldens, todo);
    await runHere(spec, goldens, todo, record, opts.shouldStop);
  } else await runThreads(spec, store, todo, workers, record, opts.shouldStop);
  return summary;
}

/** Fails early (one clear message) when a fault model has no site in the driver. */
function checkFaults(spec: CampaignSpec, goldens: GoldenRun[], todo: ExperimentPlan[]): void {
  const img = loadImage(spec.driver);
  if (!img.ok) throw new CampaignError(img.error);
  const seen = new Set<number>();
  for (const p of todo) {
    if (seen.has(p.model)) continue;
    seen.add(p.model);
    const r = faultOf(spec, img.bytes, p, commonCoverage(goldens, p.workload));
    if (!r.ok) throw new CampaignError(`faults[${p.model}] (${spec.faults[p.model].type}): ${r.error}`);
  }
}

async function runHere(spec: CampaignSpec, goldens: GoldenRun[], todo: ExperimentPlan[], record: (r: ExperimentResult) => void, stop?: () => boolean): Promise<void> {
  const source = new ExperimentSource(spec, goldens);
  for (const p of todo) {
    if (stop?.()) return;
    record(source.run(p));
    await new Promise((r) => setImmediate(r)); // let signals and progress output through
  }
}

/**
 * Runs on worker threads. The workers start at once; the golden runs the store lacks are spread
 * over them (each keeps the system it booted), and stored in configuration order once all are
 * known; then every worker learns them and experiments are handed out one at a time (two in
 * flight each), results collected as they come.
 */
function runThreads(spec: CampaignSpec, store: Store, todo: ExperimentPlan[], n: number, record: (r: ExperimentResult) => void, stop?: () => boolean): Promise<void> {
  const fromSource = import.meta.url.endsWith(".ts");
  const url = new URL(fromSource ? "./worker.ts" : "./worker.js", import.meta.url);
  const configs = configurations(spec);
  const known = configs.map(([build, workload]) => store.getGolden(build, workload));
  let next = 0;
  let outstanding = 0;
  return new Promise((resolve, reject) => {
    const threads: Worker[] = [];
    let failed = false;
    const finish = (err?: Error) => {
      if (failed) return;
      if (err) failed = true;
      for (const t of threads) void t.terminate();
      if (err) reject(err);
      else resolve();
    };
    const send = (t: Worker, req: WorkerRequest) => t.postMessage(req);
    const feed = (t: Worker) => {
      if (failed || stop?.() || next >= todo.length) {
        if (outstanding === 0) finish();
        return;
      }
      outstanding++;
      send(t, { kind: "run", plan: todo[next++] });
    };
    /** Every golden run is known: store the new ones, check the faults, start the experiments. */
    const start = () => {
      const goldens = known as GoldenRun[];
      configs.forEach(([build, workload], i) => {
        if (!store.getGolden(build, workload)) store.putGolden(goldens[i]);
      });
      try {
        checkFaults(spec, goldens, todo);
      } catch (e) {
        return finish(e as Error);
      }
      for (const t of threads) send(t, { kind: "goldens", goldens });
      for (const t of threads) {
        feed(t);
        feed(t);
      }
    };
    for (let i = 0; i < n; i++) {
      const t = fromSource
        ? // From TypeScript sources (tests, tsx): load the worker through tsx's loader.
          new Worker(`import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true, workerData: { spec } })
        : new Worker(url, { workerData: { spec } });
      threads.push(t);
      t.on("message", (m: WorkerReply) => {
        // A configuration that cannot boot is the user's problem (one line); a failing experiment is ours.
        if (!m.ok) return finish(m.kind === "golden" ? new CampaignError(m.error) : new Error(`${m.what}: ${m.error}`));
        if (m.kind === "golden") {
          known[configs.findIndex(([b, w]) => b === m.golden.build && w === m.golden.workload)] = m.golden;
          if (known.every(Boolean)) start();
          return;
        }
        outstanding--;
        record(m.result);
        feed(t);
      });
      t.on("error", (e) => finish(e));
    }
    // Golden runs the store lacks, round robin over the workers.
    const missing = configs.filter((_, i) => !known[i]);
    missing.forEach(([build, workload], i) => send(threads[i % n], { kind: "golden", build, workload }));
    if (missing.length === 0) start();
  });
}
