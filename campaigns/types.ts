/*
 * The campaign's data, from spec to stored result: what a researcher asks for (CampaignSpec),
 * the planner's list of experiments (ExperimentPlan), the golden run per build × workload, and
 * one ExperimentResult per experiment (a row of the store), with its drill-down ExperimentDetail.
 * All plain JSON-able data.
 */
import type { DriverInstance, RunCounters } from "../system/index.js";

/** Outcome classes, most severe first (DESIGN.md "Campaigns"). */
export const OUTCOMES = [
  "system-crash",
  "system-hang",
  "component-dead",
  "workload-hang",
  "silent-corruption",
  "degraded",
  "recovered",
  "no-effect",
  "not-activated",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** How the failure was first detected, if it was. */
export const DETECTIONS = [
  "mmu", // page fault or access fault
  "illegal-instruction",
  "misaligned",
  "other-exception",
  "heartbeat", // RS found the driver silent
  "soft-lockup", // the kernel's soft-lockup detector found the CPU stuck
  "driver-exit", // the driver panicked or exited
  "denied-call", // the kernel refused a kernel call (ECALLDENIED)
  "denied-ipc", // the kernel refused an IPC (ECALLDENIED on send)
  "denied-port", // the kernel refused a port (EPERM on DEVIO)
  "denied-grant", // the kernel refused a safe copy outside the grant (EPERM on SAFECOPY)
  "iommu", // the IOMMU refused the driver's device a DMA access (and the kernel killed the driver)
  "wrapper", // a Nooks wrapper found a bad parameter in a call across the driver's protection domain
  "livelock", // Nooks' livelock detector found the driver holding the CPU
  "vm-check", // a driver VM's DD/OS found its own tables corrupt and panicked (the VM, not the system)
  "vm-port", // a driver VM touched a port not its device's: the DD/OS took a protection fault and panicked
  "sfi", // a software-isolated process's load, store or jump left its memory: the compiler-inserted check killed it
  "privileged", // a software-isolated process executed a privileged instruction and was killed
  "contract", // a message broke its channel's contract: its sender was killed
  "exchange-heap", // a software-isolated process copied to or from an exchange-heap block it does not hold
  "manifest", // a software-isolated process used a port, IRQ, kernel call or peer its manifest does not declare
  "kernel-check", // the kernel's invariant check found corrupt kernel data
  "machine-reset", // the system control port reset or powered off the machine
  "oracle", // only the workload's oracle noticed (errors or wrong data)
  "none",
] as const;
export type Detection = (typeof DETECTIONS)[number];

export type TriggerSpec = { kind: "first" } | { kind: "nth"; n: number } | { kind: "cycle"; at: number };

/** One fault model of a spec: which faults, how many per build × workload, where and when. */
export interface FaultModelSpec {
  type: string;
  variant?: string;
  /** Experiments per round for this model. */
  count: number;
  /** Functions of the driver to put faults in (default: all). */
  targets?: string[];
  trigger: TriggerSpec;
  persistence: "transient" | "persistent";
}

/** The driver faults go into under `workload`. */
export const driverFor = (spec: CampaignSpec, workload: string): string => spec.targets?.[workload] ?? spec.driver;

/** Every driver faults go into, once each, in the workloads' order. */
export const targetDrivers = (spec: CampaignSpec): string[] => [...new Set(spec.workloads.map((w) => driverFor(spec, w)))];

export interface CampaignSpec {
  name: string;
  description: string;
  seed: number;
  builds: string[];
  workloads: string[];
  /** The driver faults go into (its image name and label); with `targets`, the first workload's. */
  driver: string;
  /**
   * The driver faults go into, per workload, when the spec names one per workload (`driver:` as a
   * mapping: the disk driver under files, the NIC's under net): absent when one driver serves all.
   */
  targets?: Record<string, string>;
  /** Driver boot parameters (e.g. "dma=1"). */
  driverParams: string;
  /** The drivers in the system, when the spec names them (default: one per class the workloads need). */
  drivers?: DriverInstance[];
  /** RS heartbeat period of the driver, in clock ticks. */
  heartbeatTicks: number;
  /** Rounds: every fault model's count is repeated this many times (MINIX 3's procedure). */
  rounds: number;
  faults: FaultModelSpec[];
  /** Per experiment: cycle budget, and the watchdog window (cycles without progress = hang). */
  limits: { budgetCycles: number; watchdogCycles: number };
}

/** One planned experiment. Experiments of different builds with the same faultKey share the fault. */
export interface ExperimentPlan {
  id: number;
  build: string;
  workload: string;
  /** Index into spec.faults. */
  model: number;
  round: number;
  /** Index of the fault within model and round. */
  index: number;
  /** Seed of this fault's random choices (derived from the campaign seed; equal across builds). */
  seed: number;
  /** Identifies the fault independently of the build (for paired comparison). */
  faultKey: string;
}

export interface GoldenRun {
  build: string;
  workload: string;
  /** The fault-free outcome: how the run ended and the oracle's verdict. */
  end: string;
  verdict: string;
  cycles: number;
  /** Virtual addresses of the driver's instructions that executed. */
  covered: number[];
  stateHash: string;
  /**
   * The run's event counters, to the cycle the workload completed (Observations.counters): what
   * the "Cost of isolation" report section compares. Absent in databases from before they were
   * recorded.
   */
  counters?: RunCounters;
}

/**
 * The drill-down of one experiment (the store's `detail` column, as JSON; reports read it back).
 * Cycles are from the experiment's start. Absent fields are left out of the JSON.
 */
export interface ExperimentDetail {
  /** Why it was decided without running (an instruction the golden run never executes). */
  reason?: string;
  panic?: string;
  /** The kernel's soft-lockup report. */
  lockup?: { label: string; at: number; ticks: number };
  /** Why the machine reset or powered off. */
  halt?: string;
  /** The workload oracle's summary. */
  oracle?: string;
  /** RS's events about the faulty driver (boot included, at negative cycles). */
  rsEvents?: Array<{ at: number; label?: string; kind: string; detail: string; recoveryCycles?: number }>;
  /** The faulty driver's deaths during the experiment. */
  deaths?: Array<{ kind: string; detail: string; at: number }>;
  /** The first (at most 10) of its requests the kernel refused. */
  denials?: Array<{ kind: string; at: number }>;
  /** The first (at most 10) IOMMU faults of its device's DMA. */
  iommuFaults?: Array<{ device: string; address: number; length: number; write: boolean; at: number }>;
  /** Its first write outside its domain and how many there were. */
  propagation?: { writes: number; firstPa: number; firstAt: number; owner: number };
  /** The end of the console (kernel diagnostics and UART). */
  console?: string;
}

/** One experiment's result: a row of the store. */
export interface ExperimentResult {
  id: number;
  build: string;
  workload: string;
  faultType: string;
  /** The fault's human-readable description. */
  fault: string;
  /** The concrete fault, as JSON (for replay). */
  faultJson: string;
  faultKey: string;
  seed: number;
  activated: boolean;
  /** Cycle (from the experiment's start) at which the fault was activated, or -1. */
  activationCycle: number;
  outcome: Outcome;
  detection: Detection;
  restarts: number;
  /** Cycles from activation to the driver's recovery (its announcement after restart), or -1. */
  recoveryCycles: number;
  /** The faulty driver (its stores or its DMA) wrote memory outside its own domain. */
  propagated: boolean;
  /** Cycles the experiment ran (0 when decided without running). */
  cycles: number;
  /** How the run ended (completed, panic, hang, ...) and the oracle's verdict. */
  end: string;
  verdict: string;
  /** ExperimentDetail as JSON: for drill-down in reports. */
  detail: string;
  stateHash: string;
}
