/*
 * The executor: the one place where experiments have effects. For a (build, workload)
 * configuration it composes and boots the system once (through the system facade) and keeps the
 * post-boot snapshot; each experiment restores it, plans its fault from its own seed, arms the
 * injector, runs the workload under the monitors watching the faulty driver, and turns the
 * observations into a result (classifier, propagation, drill-down detail).
 */
import seedrandom from "seedrandom";
import { activation, arm, atCycle, disarm, onBreakpoint, refresh } from "../injectors/inject.js";
import { planFault } from "../injectors/plan.js";
import { RUNTIME_TYPES, type Fault } from "../injectors/types.js";
import {
  composeSystem, getBuild, withDefaultDrivers, getWorkload, ramChanges, runWorkload, type Observations, type RamChanges, type System, type SystemSnapshot, type Workload,
} from "../system/index.js";
import { classify } from "./classify.js";
import { goldenRun } from "./golden.js";
import { driverFor, type CampaignSpec, type ExperimentDetail, type ExperimentPlan, type ExperimentResult, type GoldenRun } from "./types.js";

/** A configuration booted and ready for experiments. */
export interface BootedConfig {
  build: string;
  workload: Workload;
  params: string;
  sys: System;
  snapshot: SystemSnapshot;
  /** Driver instructions the golden run executed (a code mutation elsewhere cannot matter). */
  covered?: Set<number>;
  /** Its golden run, once attached (attachGolden). */
  golden?: GoldenRun;
  /**
   * The RAM chunks the last experiment's final state differed from the snapshot in, found by its
   * state hash: the next experiment's restore copies only those (the system is runExperiment's
   * between experiments: nothing else may write its RAM).
   */
  ramChanged?: RamChanges;
}

/** Boots `build` × `workload` for the campaign and takes the post-boot snapshot. */
export function prepareConfig(spec: CampaignSpec, build: string, workloadName: string): { ok: true; config: BootedConfig } | { ok: false; error: string } {
  const b = getBuild(build);
  if (!b.ok) return b;
  const w = getWorkload(workloadName);
  if (!w.ok) return w;
  const target = driverFor(spec, workloadName);
  const drivers = (spec.drivers ?? withDefaultDrivers(w.workload, [{ driver: target }])).map((d) => ((d.label ?? d.driver) === target ? { ...d, params: spec.driverParams } : d));
  const r = composeSystem(b.build, w.workload, { seed: spec.seed, heartbeatTicks: spec.heartbeatTicks, drivers });
  if (!r.ok) return { ok: false, error: `${build} × ${workloadName}: ${r.error}` };
  const sys = r.system;
  if (sys.domainOf(target) === undefined) return { ok: false, error: `${build} × ${workloadName}: no driver "${target}" is running` };
  return { ok: true, config: { build, workload: w.workload, params: r.params, sys, snapshot: sys.snapshot() } };
}

/** Runs (or takes) the golden run of a configuration and attaches it; the system is restored afterwards. */
export function attachGolden(spec: CampaignSpec, cfg: BootedConfig, stored?: GoldenRun): GoldenRun {
  const g = stored ?? goldenRun(cfg.sys, cfg.build, cfg.workload, cfg.params, driverFor(spec, cfg.workload.name), spec.limits);
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
    { type: m.type as Fault["requested"], driver: driverFor(spec, plan.workload), targets: m.targets, trigger: m.trigger, persistence: m.persistence, ...(m.variant ? { variant: m.variant } : {}) },
    seedrandom(`fault:${plan.seed}`),
    RUNTIME_TYPES.includes(m.type as Fault["requested"]) && executed ? { executed } : {},
  );
}

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
export function runExperiment(spec: CampaignSpec, cfg: BootedConfig, plan: ExperimentPlan, executed: Set<number>): ExperimentResult {
  const { sys } = cfg;
  // The fault is planned from the pristine image (the snapshot's).
  const driver = driverFor(spec, plan.workload);
  const planned = faultOf(spec, cfg.snapshot.images[driver], plan, executed);
  if (!planned.ok) throw new Error(`experiment ${plan.id}: ${planned.error}`);
  const fault = planned.fault;
  const base = {
    id: plan.id, build: plan.build, workload: plan.workload, faultType: fault.type, fault: fault.description,
    faultJson: JSON.stringify(fault), faultKey: plan.faultKey, seed: plan.seed,
  };
  // A code mutation the golden run never executes cannot change anything: decided without running.
  if (fault.kind === "code" && fault.trigger.kind !== "cycle" && cfg.covered && !cfg.covered.has(fault.site.va)) {
    const detail: ExperimentDetail = { reason: "the golden run never executes this instruction" };
    return {
      ...base, activated: false, activationCycle: -1, outcome: "not-activated", detection: "none", restarts: 0, recoveryCycles: -1,
      propagated: false, cycles: 0, end: "not-run", verdict: "-", detail: JSON.stringify(detail), stateHash: "",
    };
  }
  sys.restore(cfg.snapshot, cfg.ramChanged);
  if (cfg.ramChanged) cfg.ramChanged.ref = undefined; // valid again only after this experiment's hash
  sys.clearBreakpoints();
  const start = sys.now();
  const armed = arm(sys, fault);
  if (!armed.ok) throw new Error(`experiment ${plan.id}: ${armed.error}`);
  const inj = armed.injection;
  const obs = runWorkload(sys, cfg.workload, cfg.params, {
    ...spec.limits,
    watch: driver,
    onBreakpoint: () => void onBreakpoint(sys, inj),
    // A persistent fault follows the restarted driver at once, also into other memory (a transient one ends with its incarnation).
    ...(fault.persistence === "persistent" ? { onRestart: () => refresh(sys, inj) } : {}),
    ...(armed.stopAtCycle !== undefined ? { atCycle: { at: armed.stopAtCycle - start, fn: () => atCycle(sys, inj) } } : {}),
  });
  const act = activation(sys, inj);
  disarm(sys, inj);
  const ramChanged = (cfg.ramChanged ??= ramChanges(cfg.snapshot.machine.ram.length));
  return { ...base, ...resultOf(obs, act.activated, act.activated ? act.at - start : -1), stateHash: sys.stateHash(cfg.snapshot, ramChanged) };
}

/** Observations of a run watching the faulty driver → the result's fields (classification, propagation, drill-down). */
function resultOf(obs: Observations, activated: boolean, activationCycle: number) {
  const driver = obs.driver!;
  const c = classify({
    activated, activationCycle, end: obs.end, probeAlive: obs.probe.alive, panicReason: obs.panic?.reason, lockup: obs.lockup !== undefined, verdict: obs.oracle.verdict,
    rsEvents: driver.rsEvents, deaths: driver.deaths, denials: driver.denials, iommuFaults: driver.iommuFaults, driverAlive: driver.alive,
  });
  const detail: ExperimentDetail = {
    panic: obs.panic?.reason, lockup: obs.lockup, halt: obs.halt?.reason, oracle: obs.oracle.summary, rsEvents: driver.rsEvents, deaths: driver.deaths,
    denials: driver.denials.slice(0, 10), iommuFaults: driver.iommuFaults.slice(0, 10), propagation: driver.propagation, console: obs.console.slice(-2000),
  };
  return {
    activated, activationCycle, outcome: c.outcome, detection: c.detection, restarts: c.restarts, recoveryCycles: c.recoveryCycles,
    propagated: (driver.propagation?.writes ?? 0) > 0, cycles: obs.cycles, end: obs.end, verdict: obs.oracle.verdict, detail: JSON.stringify(detail),
  };
}
