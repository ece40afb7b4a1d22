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
import type { WorkerReply } from "./protocol.js";
import { init, step, type CoordinatorAction, type CoordinatorEvent } from "./coordinator.js";
import { driverFor, OUTCOMES, targetDrivers, type CampaignSpec, type ExperimentPlan, type ExperimentResult, type GoldenRun } from "./types.js";

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
  if (opts.shard) plans = plans.filter((p) => inShard(p.id, opts.shard!, spec.builds.length));
  if (opts.maxExperiments !== undefined) plans = plans.slice(0, opts.maxExperiments);
  return plans;
}

/**
 * Records each build's fingerprint (its data and the driver images faults go into); a database started
 * with other images or build data refuses to continue, so results never mix two systems.
 */
export function checkBuilds(spec: CampaignSpec, store: Store): void {
  const images: Record<string, Uint8Array> = {};
  for (const d of targetDrivers(spec)) {
    const img = loadImage(d);
    if (!img.ok) throw new CampaignError(img.error);
    images[d] = img.bytes;
  }
  for (const build of spec.builds) {
    const r = store.putBuild(build, fingerprint(BUILDS[build], images), JSON.stringify(BUILDS[build]));
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
  const seen = new Set<string>();
  for (const p of todo) {
    const driver = driverFor(spec, p.workload);
    if (seen.has(`${driver}/${p.model}`)) continue;
    seen.add(`${driver}/${p.model}`);
    const img = loadImage(driver);
    if (!img.ok) throw new CampaignError(img.error);
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
 * Runs on worker threads: the driver of the coordinator (coordinator.ts). It owns the threads,
 * turns their messages and deaths into events (after a stop event when `stop` says so: it is
 * checked between experiments) and performs the actions the coordinator returns.
 */
function runThreads(spec: CampaignSpec, store: Store, todo: ExperimentPlan[], n: number, record: (r: ExperimentResult) => void, stop?: () => boolean): Promise<void> {
  const configs = configurations(spec);
  let state = init(configs, configs.map(([build, workload]) => store.getGolden(build, workload) ?? null), todo, n);
  return new Promise((resolve, reject) => {
    const threads = Array.from({ length: n }, () => startWorker(spec));
    /** Performs one action; the fault check answers with an event. */
    const perform = (a: CoordinatorAction): CoordinatorEvent | undefined => {
      switch (a.kind) {
        case "send":
          threads[a.worker].postMessage(a.request);
          return;
        case "storeGolden":
          store.putGolden(a.golden);
          return;
        case "checkFaults":
          try {
            checkFaults(spec, a.goldens, todo);
            return { kind: "checked" };
          } catch (e) {
            return { kind: "checked", error: e as Error };
          }
        case "record":
          record(a.result);
          return;
        case "finish":
        case "fail":
          for (const t of threads) void t.terminate();
          if (a.kind === "fail") reject(a.error);
          else resolve();
          return;
      }
    };
    /** Feeds one event, and those the actions give rise to, to the coordinator. */
    const deliver = (event: CoordinatorEvent): void => {
      const events: CoordinatorEvent[] = stop?.() && !state.stopping ? [{ kind: "stop" }, event] : [event];
      for (let e = events.shift(); e; e = events.shift()) {
        const r = step(state, e);
        state = r.state;
        for (const a of r.actions) {
          const answer = perform(a);
          if (answer) events.push(answer);
        }
      }
    };
    threads.forEach((t, worker) => {
      t.on("message", (reply: WorkerReply) => deliver({ kind: "reply", worker, reply }));
      t.on("error", (error) => deliver({ kind: "crashed", worker, error }));
    });
    deliver({ kind: "start" });
  });
}

/**
 * A worker thread running campaigns/worker: the built worker.js, or from TypeScript sources
 * (tests, tsx) worker.ts with tsx's module hooks registered in the thread by tsx-hooks.mjs
 * (on Node 20, `--import tsx` registers them in the main thread only). The sources path passes
 * this process's options on, as a worker inherits them by default; Node refuses V8 options on
 * a worker's command line, so a V8 option (--max-old-space-size) given to node itself makes
 * the worker fail to start — NODE_OPTIONS is not affected.
 */
function startWorker(spec: CampaignSpec): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./worker.js", import.meta.url), { workerData: { spec } });
  const hooks = new URL("./tsx-hooks.mjs", import.meta.url).href;
  return new Worker(new URL("./worker.ts", import.meta.url), { workerData: { spec }, execArgv: [...process.execArgv, "--import", hooks] });
}
