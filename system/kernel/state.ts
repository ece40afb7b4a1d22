/*
 * The kernel's plain-data state (what snapshots copy and the state hash covers, besides its
 * data in guest RAM — process and privilege tables, ready queues, allocators, the native run
 * queue, asynchronous messages, labels and boot data, drawn in params.ts) and the few constants
 * every kernel file agrees on: the protection domain of a process, the idle loop's code, the
 * length of a clock tick in mtime units. What stays here is what the harness observes (events,
 * console, deaths, denials) and the CPU-side registers of the kernel (current, ticks).
 *
 * The state is hashed as JSON, so the key order of the object bootTables (spawn.ts) builds is
 * part of every state hash: add keys at the end, never reorder them.
 */
import { CPU_HZ, MTIME_DIVIDER } from "../machine/memmap.js";
import type { CostKind } from "./costs.js";
import { HZ } from "./params.js";

/** Protection domain of process-table index idx (page ownership; 0 is the kernel). */
export const domainOf = (idx: number): number => idx + 1;

/** mtime ticks per clock tick. */
export const MTIME_PER_TICK = CPU_HZ / HZ / MTIME_DIVIDER;
/** The idle loop at the start of RAM: wfi; j .-4 */
export const IDLE_CODE = [0x10500073, 0xffdff06f];

export interface KernelEvent {
  /** Cycle. */
  at: number;
  kind: "start" | "exit" | "crash" | "killed" | "panic" | "lockup";
  label: string;
  endpoint: number;
  detail: string;
}

/**
 * A native process's program (its code, by name) and the program's own state. What the kernel
 * knows about it (where its next message is, whom it called) is in its process-table entry.
 */
export interface NativeSlot {
  program: string;
  state: unknown;
}

/** A death for the signal manager (RS): who, why, when. */
export interface DeathRecord {
  endpoint: number;
  label: string;
  kind: "exit" | "crash" | "killed";
  detail: string;
  at: number;
}

/** What a privilege check refused: a kernel call, an IPC, a port, a grant (a safe copy outside it). */
export type DenialKind = "call" | "ipc" | "port" | "grant";

export interface KernelState {
  /** Process-table index whose context is in the CPU; -1 = the idle loop. */
  current: number;
  ticks: number;
  /** mtime at boot: tick n fires at bootMtime + n * MTIME_PER_TICK. */
  bootMtime: number;
  natives: Record<number, NativeSlot>;
  /** Set by a kernel panic: the system stops. */
  panic: { reason: string; at: number } | null;
  events: KernelEvent[];
  /** Diagnostic output of processes (SYS_DIAGCTL) and the kernel. */
  console: string;
  /** Deaths not yet collected by the signal manager. */
  deaths: DeathRecord[];
  /** Endpoint told of deaths (RS), or NONE. */
  signalManager: number;
  /** Per device: the protection domain that last programmed it (its DMA is attributed to it). */
  dmaOwner: Record<string, number>;
  /** Tick at which the process on the CPU got it (soft-lockup detection). */
  runningSince: number;
  /** The soft-lockup detector's first warning (a detection; the system runs on). */
  lockup: { label: string; at: number; ticks: number } | null;
  /** Requests the privilege checks refused, in order (a detection mechanism of their own). */
  denials: Array<{ label: string; kind: DenialKind; at: number }>;
  /**
   * IOMMU faults the kernel took (builds with an IOMMU; dma.ts), oldest first: the refused
   * access and the process its device's DMA was attributed to (label, endpoint; "" and NONE
   * when none was alive).
   */
  iommuFaults: Array<{ at: number; device: string; address: number; length: number; write: boolean; label: string; endpoint: number }>;
  /** Kernel work done, per cost name (units: events, or bytes for copies), and the cycles it was charged. */
  counts: Record<CostKind, number>;
  charged: Record<CostKind, number>;
  /** Cycles the CPU spent in the idle loop, and the cycle it last entered it (-1: not idle). */
  idleCycles: number;
  idleSince: number;
}
