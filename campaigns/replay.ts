/*
 * Replay: rerun one stored experiment from its spec, with the same snapshot, fault and seed,
 * and check that it ends identically (outcome and state hash). Optionally with a full
 * instruction trace of the guest. Shows the experiment's event timeline and console.
 */
import { planExperiments } from "./plan.js";
import { ExperimentSource } from "./source.js";
import type { Store } from "./store.js";
import type { ExperimentResult } from "./types.js";

export interface ReplayReport {
  stored: ExperimentResult;
  replayed: ExperimentResult;
  identical: boolean;
  /** Kernel and RS events of the experiment, in time order, one line each. */
  timeline: string[];
  console: string;
  trace?: string[];
}

/** Most trace lines kept (a hang can execute a billion instructions). */
const TRACE_LIMIT = 200_000;

export function replayExperiment(store: Store, id: number, opts: { trace?: boolean } = {}): { ok: true; report: ReplayReport } | { ok: false; error: string } {
  const stored = store.result(id);
  if (!stored) return { ok: false, error: `no experiment ${id} in this database` };
  const spec = store.spec();
  const plan = planExperiments(spec).find((p) => p.id === id);
  if (!plan) return { ok: false, error: `experiment ${id} is not in the campaign's plan` };
  // All golden runs: faults are placed using the coverage common to every build's golden run.
  const source = new ExperimentSource(spec, store.goldens());
  const cfg = source.config(plan.build, plan.workload);
  const trace: string[] = [];
  if (opts.trace) cfg.sys.setTrace((line) => void (trace.length < TRACE_LIMIT && trace.push(line)));
  const start = cfg.snapshot.machine.clock.now;
  const replayed = source.run(plan);
  cfg.sys.setTrace(null);
  const timeline = cfg.sys.timeline(start).map((e) => `${String(e.at - start).padStart(12)}  ${e.text}`);
  const identical = replayed.outcome === stored.outcome && replayed.stateHash === stored.stateHash && replayed.cycles === stored.cycles;
  return { ok: true, report: { stored, replayed, identical, timeline, console: cfg.sys.console(), ...(opts.trace ? { trace } : {}) } };
}
