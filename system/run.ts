/*
 * Running a workload to its end under watch: the monitors that turn a run into observations.
 * A kernel panic or a machine reset/power-off ends the run (the system crashed); no workload
 * progress for a watchdog window of emulated time ends it as a hang; otherwise it runs until
 * the workload is done or the cycle budget is spent. The observations gather the RS event log,
 * the kernel's events, the console and the oracle's verdict, and — for a watched driver — what
 * a classifier needs about it (its deaths, the kernel's refusals, the IOMMU faults of the DMA it
 * programmed, whether it is alive, whether it wrote outside its domain) and, on request, which of
 * its instructions executed.
 */
import type { HaltRecord } from "./machine/device.js";
import { finishCoverage, startCoverage } from "./coverage.js";
import type { DenialKind, KernelEvent } from "./kernel/state.js";
import { probeService, type ProbeState } from "./probe.js";
import type { RsEvent, RsState } from "./servers/rs/types.js";
import { rsService } from "./servers/rs/rs.js";
import type { System } from "./system.js";
import { countersBetween, readCounters, type RunCounters } from "./counters.js";
import type { OracleVerdict, Workload } from "./workloads/workload.js";

export interface RunLimits {
  /** Cycles the run may take at most (from its start). */
  budgetCycles: number;
  /** No workload progress for this many cycles = system hang. */
  watchdogCycles: number;
  /** Granularity of the monitors (default 1,000,000 cycles = 10 ms). */
  stepCycles?: number;
  /** Called when an execution breakpoint stops the machine (fault injection); the run then goes on. */
  onBreakpoint?: () => void;
  /** Called once when the run reaches `at` cycles from its start (a fault trigger "at cycle T"). */
  atCycle?: { at: number; fn: () => void };
  /** The driver whose fate the observations report in `driver` (the faulty one). */
  watch?: string;
  /**
   * Called when the recovery agent has started a new incarnation of the watched driver, before
   * it runs (fault injection follows it into its new memory: injectors/inject.ts refresh).
   */
  onRestart?: () => void;
  /** Record which instructions of the watched driver's text executed (`coverage`). */
  coverage?: boolean;
}

/** What happened to the watched driver during the run; cycles are from the run's start. */
export interface DriverObservations {
  label: string;
  /** Alive at the end of the run. */
  alive: boolean;
  /** RS's events about it (all of them, boot included: those before the run have negative cycles). */
  rsEvents: Array<RsEvent & { at: number }>;
  /** Its deaths seen by the kernel during the run. */
  deaths: Array<{ kind: string; detail: string; at: number }>;
  /** Its requests the kernel refused during the run (privilege checks). */
  denials: Array<{ kind: DenialKind; at: number }>;
  /** IOMMU faults the kernel took during the run on DMA attributed to it (the device's refused access). */
  iommuFaults: Array<{ device: string; address: number; length: number; write: boolean; at: number }>;
  /** Its stores or its DMA wrote memory outside its domain (page ownership), when they did; owner: the domain written. */
  propagation?: { writes: number; firstPa: number; firstAt: number; owner: number };
}

export const DEFAULT_LIMITS: RunLimits = { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000 };

export interface Observations {
  /**
   * How the run ended: the workload completed; the kernel panicked; the machine reset or powered
   * off; the workload stalled (no progress for the watchdog window, or nothing left that could
   * ever run); or the cycle budget ran out. Whether the system was alive then is `probe.alive`.
   */
  end: "completed" | "panic" | "reset" | "poweroff" | "stalled" | "budget";
  /**
   * Cycles from the start of the run to its end: to the cycle for a completion (the kernel entry
   * in which the workload finished), a panic or a halt; else where the monitors stopped it.
   */
  cycles: number;
  panic?: { reason: string; at: number };
  /** The kernel's first soft-lockup warning during the run, if any. */
  lockup?: { label: string; at: number; ticks: number };
  halt?: HaltRecord;
  /** Cycle (from run start) of the last workload progress, to the cycle, and the progress counter then. */
  lastProgressAt: number;
  progress: number;
  /**
   * The liveness probe (probe.ts): answers it got, the cycle (from run start) of the last one, and
   * whether it got one within the last watchdog window before the end (the system was alive).
   */
  probe: { answers: number; lastAt: number; alive: boolean };
  rsEvents: RsEvent[];
  kernelEvents: KernelEvent[];
  oracle: OracleVerdict;
  /** Kernel console (process diagnostics) followed by the UART output. */
  console: string;
  /** With limits.watch: the watched driver's fate. */
  driver?: DriverObservations;
  /** With limits.coverage: virtual addresses of the watched driver's instructions that executed. */
  coverage?: number[];
  /** What the system did during the run, to its end (to the cycle when the workload completed). */
  counters: RunCounters;
}

/** Runs `workload` (already started on `sys`) under the monitors; returns what was observed. */
export function runWorkload(sys: System, workload: Workload, params: string, limits: RunLimits = DEFAULT_LIMITS): Observations {
  const start = sys.machine.clock.now;
  const startCounters = readCounters(sys);
  const step = limits.stepCycles ?? 1_000_000;
  const domain = limits.watch === undefined ? undefined : sys.domainOf(limits.watch);
  const cover = limits.coverage && limits.watch !== undefined ? startCoverage(sys, limits.watch) : undefined;
  const state = () => sys.nativeState<unknown>(workload.name);
  const restart = limits.onRestart && limits.watch !== undefined ? { driver: limits.watch, endpoint: sys.kernel.lookupLabel(limits.watch), fn: limits.onRestart } : undefined;
  const watched = watchProgress(sys, workload, start, restart);
  let end: Observations["end"] = "budget";
  let pendingAt = limits.atCycle;
  try {
    for (;;) {
      const elapsed = sys.machine.clock.now - start;
      if (pendingAt && elapsed >= pendingAt.at) {
        pendingAt.fn();
        pendingAt = undefined;
      }
      if (elapsed >= limits.budgetCycles) break;
      const stop = sys.run(Math.min(step, limits.budgetCycles - elapsed, pendingAt ? Math.max(1, pendingAt.at - elapsed) : Infinity));
      const now = sys.machine.clock.now - start;
      if (stop === "panic") { end = "panic"; break; }
      if (stop === "halt") { end = sys.machine.halted?.kind === "poweroff" ? "poweroff" : "reset"; break; }
      if (stop === "breakpoint") {
        limits.onBreakpoint?.();
        continue;
      }
      if (watched.workload.doneAt >= 0) { end = "completed"; break; }
      if (now - watched.workload.lastAt >= limits.watchdogCycles || stop === "idle") { end = "stalled"; break; }
    }
  } finally {
    sys.kernel.onNativeRun = null;
  }
  const k = sys.kernel.state;
  const st = state();
  const coverage = cover && finishCoverage(sys, cover);
  const stoppedAt = sys.machine.clock.now - start;
  const exactEnd = end === "completed" ? watched.workload.doneAt : end === "panic" && k.panic ? k.panic.at - start : sys.machine.halted ? sys.machine.halted.at - start : stoppedAt;
  const lockup = k.lockup && k.lockup.at >= start ? { lockup: { ...k.lockup } } : {};
  // RS's event log is its host-side observation (rs/types.ts); what RS believes is its table in its memory (rs/table.ts rsServices).
  const rsEvents = structuredClone(sys.nativeState<RsState>("rs")?.events ?? []);
  const kernelEvents = structuredClone(k.events);
  return {
    end,
    cycles: exactEnd,
    ...(k.panic ? { panic: { ...k.panic } } : {}),
    ...lockup,
    ...(sys.machine.halted ? { halt: { ...sys.machine.halted } } : {}),
    lastProgressAt: watched.workload.lastAt,
    progress: watched.workload.value,
    probe: { answers: watched.probe.value, lastAt: watched.probe.lastAt, alive: watched.probe.lastAt >= 0 && stoppedAt - watched.probe.lastAt < limits.watchdogCycles },
    rsEvents,
    kernelEvents,
    oracle: workload.judge(params, st === undefined ? undefined : structuredClone(st), sys.machine.records()),
    console: sys.console(),
    ...(limits.watch !== undefined ? { driver: driverObservations(sys, limits.watch, domain, start, rsEvents, kernelEvents) } : {}),
    ...(coverage ? { coverage } : {}),
    counters: countersBetween(startCounters, end === "completed" && watched.workload.doneCounters ? watched.workload.doneCounters : readCounters(sys)),
  };
}

/** Progress of a process: its counter, the cycle (from run start) it last grew, and (workload) when it finished. */
interface Progress {
  value: number;
  lastAt: number;
  doneAt: number;
  /** The system's counters when the workload finished (the run's counters end there). */
  doneCounters?: RunCounters;
}

/**
 * Follows the workload's and the probe's progress to the cycle: the kernel calls back after each
 * handler run of a native process, and the counters are read then (cheap: a few thousand runs per
 * experiment). The hook is host-side only (not state) and removed when the run ends.
 */
function watchProgress(
  sys: System, workload: Workload, start: number, restart?: { driver: string; endpoint: number | undefined; fn: () => void },
): { workload: Progress; probe: Progress } {
  const initial = sys.nativeState<unknown>(workload.name);
  const w: Progress = { value: initial === undefined ? -1 : workload.progress(initial), lastAt: 0, doneAt: initial !== undefined && workload.done(initial) ? 0 : -1 };
  const p: Progress = { value: sys.nativeState<ProbeState>(PROBE)?.answered ?? 0, lastAt: -1, doneAt: -1 };
  sys.kernel.onNativeRun = (label, state) => {
    const at = sys.machine.clock.now - start;
    if (label === workload.name) {
      const v = workload.progress(state);
      if (v !== w.value) {
        w.value = v;
        w.lastAt = at;
      }
      if (w.doneAt < 0 && workload.done(state)) {
        w.doneAt = at;
        w.doneCounters = readCounters(sys);
      }
    } else if (label === PROBE) {
      const v = (state as ProbeState).answered;
      if (v !== p.value) {
        p.value = v;
        p.lastAt = at;
      }
    } else if (restart && label === rsService.label) {
      // The recovery agent is the only one that starts drivers: a new endpoint is a new incarnation.
      const ep = sys.kernel.lookupLabel(restart.driver);
      if (ep !== undefined && ep !== restart.endpoint) {
        restart.endpoint = ep;
        restart.fn();
      }
    }
  };
  return { workload: w, probe: p };
}

/** The watched driver's fate since `start` (see DriverObservations). */
function driverObservations(sys: System, label: string, domain: number | undefined, start: number, rs: RsEvent[], events: KernelEvent[]): DriverObservations {
  const k = sys.kernel.state;
  const rel = (t: number) => t - start;
  const rsEvents = rs.filter((e) => e.label === label).map((e) => ({ ...e, at: rel(e.at) }));
  const deaths = events.filter((e) => e.label === label && (e.kind === "crash" || e.kind === "exit" || e.kind === "killed") && e.at >= start).map((e) => ({ kind: e.kind, detail: e.detail, at: rel(e.at) }));
  const denials = k.denials.filter((d) => d.label === label && d.at >= start).map((d) => ({ kind: d.kind, at: rel(d.at) }));
  const iommuFaults = k.iommuFaults
    .filter((f) => f.label === label && f.at >= start)
    .map((f) => ({ device: f.device, address: f.address, length: f.length, write: f.write, at: rel(f.at) }));
  const foreign = domain === undefined ? undefined : sys.machine.cpu.foreign[domain];
  return {
    label, alive: sys.kernel.lookupLabel(label) !== undefined, rsEvents, deaths, denials, iommuFaults,
    ...(foreign ? { propagation: { writes: foreign.count, firstPa: foreign.firstPa, firstAt: rel(foreign.firstAt), owner: foreign.firstOwner } } : {}),
  };
}

const PROBE = probeService.label;
