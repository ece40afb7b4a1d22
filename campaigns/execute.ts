/*
 * The executor: the one place where experiments have effects. For a (build, workload)
 * configuration it boots the system once and keeps the post-boot snapshot; each experiment
 * restores it, plans its fault from its own seed, arms the injector, runs the workload under
 * the monitors, and hands the observations to the classifier.
 */
import seedrandom from "seedrandom";
import { activation, arm, atCycle, disarm, onBreakpoint } from "../injectors/inject.js";
import { planFault } from "../injectors/plan.js";
import type { Fault } from "../injectors/types.js";
import { getBuild } from "../system/builds/index.js";
import { composeSystem } from "../system/compose.js";
import { domainOf } from "../system/kernel/state.js";
import { lookupEndpoint } from "../system/kernel/proc.js";
import { runWorkload, type Observations } from "../system/run.js";
import type { System, SystemSnapshot } from "../system/system.js";
import { getWorkload } from "../system/workloads/index.js";
import type { Workload } from "../system/workloads/workload.js";
import { classify } from "./classify.js";
import { goldenRun } from "./golden.js";
import type { CampaignSpec, ExperimentPlan, ExperimentResult, GoldenRun } from "./types.js";

/** A booted configuration ready for experiments. */
export interface Config {
  build: string;
  workload: Workload;
  params: string;
  sys: System;
  snapshot: SystemSnapshot;
  /** Protection domain of the faulty driver (for propagation). */
  driverDomain: number;
  /** Driver instructions the golden run executed (a code mutation elsewhere cannot matter). */
  covered?: Set<number>;
  /** The golden run attached by useGolden. */
  golden?: GoldenRun;
}

/** Boots `build` × `workload` for the campaign and takes the post-boot snapshot. */
export function prepareConfig(spec: CampaignSpec, build: string, workloadName: string): { ok: true; config: Config } | { ok: false; error: string } {
  const b = getBuild(build);
  if (!b.ok) return b;
  const w = getWorkload(workloadName);
  if (!w.ok) return w;
  const r = composeSystem(b.build, w.workload, { params: w.workload.params(spec.seed), heartbeatTicks: spec.heartbeatTicks, driverParams: spec.driverParams });
  if (!r.ok) return { ok: false, error: `${build} × ${workloadName}: ${r.error}` };
  const sys = r.system;
  const ep = sys.kernel.lookupLabel(spec.driver);
  if (ep === undefined) return { ok: false, error: `${build} × ${workloadName}: no driver "${spec.driver}" is running` };
  const driverDomain = domainOf(lookupEndpoint(sys.kernel.km, ep));
  return { ok: true, config: { build, workload: w.workload, params: r.params, sys, snapshot: sys.snapshot(), driverDomain } };
}

/** Runs (or takes) the golden run of a configuration; the system is restored afterwards. */
export function useGolden(spec: CampaignSpec, cfg: Config, stored?: GoldenRun): GoldenRun {
  const g = stored ?? goldenRun(cfg.sys, cfg.build, cfg.workload, cfg.params, spec.driver, spec.limits);
  cfg.sys.restore(cfg.snapshot);
  cfg.covered = new Set(g.covered);
  cfg.golden = g;
  return g;
}

/**
 * The concrete fault of experiment `plan`: the same in every build (it depends on the seed and
 * `executed` only). Runtime faults (directed and state faults) are placed at instructions the
 * workload executes — `executed`, the golden runs' coverage common to all builds — since a user
 * who asks for a bad pointer wants one to happen; code mutations go anywhere in the driver's
 * text, as SWIFI does.
 */
export function faultOf(spec: CampaignSpec, image: Uint8Array, plan: ExperimentPlan, executed?: Set<number>): { ok: true; fault: Fault } | { ok: false; error: string } {
  const m = spec.faults[plan.model];
  return planFault(
    image,
    { type: m.type as Fault["requested"], driver: spec.driver, targets: m.targets, trigger: m.trigger, persistence: m.persistence, ...(m.variant ? { variant: m.variant } : {}) },
    seedrandom(`fault:${plan.seed}`),
    RUNTIME_TYPES.has(m.type) && executed ? { executed } : {},
  );
}

const RUNTIME_TYPES = new Set(["REG_FLIP", "MEM_FLIP", "BAD_POINTER", "BAD_PORT_WRITE"]);

/** Driver instructions every build's golden run of `workload` executed (keeps faults paired across builds). */
export function commonCoverage(goldens: GoldenRun[], workload: string): Set<number> {
  const runs = goldens.filter((g) => g.workload === workload);
  if (runs.length === 0) return new Set();
  const rest = runs.slice(1).map((g) => new Set(g.covered));
  return new Set(runs[0].covered.filter((va) => rest.every((s) => s.has(va))));
}

/**
 * Runs one experiment on its configuration and returns its result. The system ends in the
 * experiment's final state (the caller may hash or inspect it; the next experiment restores).
 */
export function runExperiment(spec: CampaignSpec, cfg: Config, plan: ExperimentPlan, executed: Set<number>): ExperimentResult {
  const { sys } = cfg;
  // The fault is planned from the pristine image (the snapshot's).
  const planned = faultOf(spec, cfg.snapshot.images[spec.driver], plan, executed);
  if (!planned.ok) throw new Error(`experiment ${plan.id}: ${planned.error}`);
  const fault = planned.fault;
  const base = {
    id: plan.id, build: plan.build, workload: plan.workload, faultType: fault.type, fault: fault.description,
    faultJson: JSON.stringify(fault), faultKey: plan.faultKey, seed: plan.seed,
  };
  // A code mutation the golden run never executes cannot change anything: decided without running.
  if (fault.kind === "code" && fault.trigger.kind !== "cycle" && cfg.covered && !cfg.covered.has(fault.site.va))
    return {
      ...base, activated: false, activationCycle: -1, outcome: "not-activated", detection: "none", restarts: 0, recoveryCycles: -1,
      propagated: false, cycles: 0, end: "not-run", verdict: "-", detail: JSON.stringify({ reason: "the golden run never executes this instruction" }), stateHash: "",
    };
  sys.restore(cfg.snapshot);
  sys.machine.cpu.setBreakpoints([]);
  const start = sys.machine.clock.now;
  const armed = arm(sys, fault);
  if (!armed.ok) throw new Error(`experiment ${plan.id}: ${armed.error}`);
  const inj = armed.injection;
  const obs = runWorkload(sys, cfg.workload, cfg.params, {
    ...spec.limits,
    onBreakpoint: () => void onBreakpoint(sys, inj),
    ...(armed.stopAtCycle !== undefined ? { atCycle: { at: armed.stopAtCycle - start, fn: () => atCycle(sys, inj) } } : {}),
  });
  const act = activation(sys, inj);
  disarm(sys, inj);
  return { ...base, ...judge(spec, cfg, obs, start, act), stateHash: sys.stateHash(cfg.snapshot) };
}

/** Observations → the result fields (classification, propagation, drill-down detail). */
function judge(spec: CampaignSpec, cfg: Config, obs: Observations, start: number, act: { activated: boolean; at: number }) {
  const { sys } = cfg;
  const rel = (t: number) => t - start;
  const driver = spec.driver;
  const rsEvents = obs.rsEvents.filter((e) => e.label === driver).map((e) => ({ ...e, at: rel(e.at) }));
  const deaths = obs.kernelEvents.filter((e) => e.label === driver && (e.kind === "crash" || e.kind === "exit" || e.kind === "killed") && e.at >= start).map((e) => ({ kind: e.kind, detail: e.detail, at: rel(e.at) }));
  const denials = sys.kernel.state.denials.filter((d) => d.label === driver && d.at >= start).map((d) => ({ kind: d.kind, at: rel(d.at) }));
  const activationCycle = act.activated ? rel(act.at) : -1;
  const c = classify({
    activated: act.activated, activationCycle, end: obs.end, panicReason: obs.panic?.reason, lockup: obs.lockup !== undefined, verdict: obs.oracle.verdict,
    rsEvents, deaths, denials, driverAlive: sys.kernel.lookupLabel(driver) !== undefined,
  });
  const foreign = sys.machine.cpu.foreign[cfg.driverDomain];
  const detail = {
    panic: obs.panic?.reason, lockup: obs.lockup, halt: obs.halt?.reason, oracle: obs.oracle.summary, rsEvents, deaths, denials: denials.slice(0, 10),
    propagation: foreign ? { writes: foreign.count, firstPa: foreign.firstPa, firstAt: rel(foreign.firstAt), owner: foreign.firstOwner } : undefined,
    console: obs.console.slice(-2000),
  };
  return {
    activated: act.activated, activationCycle, outcome: c.outcome, detection: c.detection, restarts: c.restarts, recoveryCycles: c.recoveryCycles,
    propagated: (foreign?.count ?? 0) > 0, cycles: obs.cycles, end: obs.end, verdict: obs.oracle.verdict, detail: JSON.stringify(detail),
  };
}
