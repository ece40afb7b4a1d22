/*
 * The vocabulary of fault injection: fault types, triggers, persistence, the fault model a user
 * asks for and the concrete Fault the planner turns it into. A Fault is plain JSON: everything an
 * experiment needs to inject it, replay it or describe it, with no reference to a running system.
 * See injectors/README.md ("Fault models") for the exact definition of every type on RV32.
 */

/** Code mutations (SWIFI, after Ng & Chen's Rio and the Nooks / MINIX 3 injectors). */
export const MUTATION_TYPES = ["TEXT", "NOP", "SRC", "DST", "PTR", "INTERFACE", "LOOP", "BRANCH", "INIT"] as const;
/** Faults a user names directly. */
export const DIRECTED_TYPES = ["BAD_POINTER", "INFINITE_LOOP", "BAD_PORT_WRITE", "BAD_DMA"] as const;
/** Corruption of the driver's state at a trigger point. */
export const STATE_TYPES = ["REG_FLIP", "MEM_FLIP"] as const;
/** What RANDOM chooses among (uniformly, over those with at least one site in the targets). */
export const RANDOM_POOL = ["TEXT", "NOP", "SRC", "DST", "PTR", "LOOP", "INTERFACE"] as const;

export type MutationType = (typeof MUTATION_TYPES)[number];
export type DirectedType = (typeof DIRECTED_TYPES)[number];
export type StateType = (typeof STATE_TYPES)[number];
/** A type a fault actually has (RANDOM is resolved when the fault is planned). */
export type ResolvedType = MutationType | DirectedType | StateType;
export type FaultType = ResolvedType | "RANDOM";

export const FAULT_TYPES: readonly FaultType[] = [...MUTATION_TYPES, "RANDOM", ...DIRECTED_TYPES, ...STATE_TYPES];

/**
 * Types applied while the driver runs, at an executed instruction, rather than written into its
 * code: a campaign places them among instructions the workload executes (INFINITE_LOOP is a code
 * change, like the mutations).
 */
export const RUNTIME_TYPES: readonly FaultType[] = ["BAD_POINTER", "BAD_PORT_WRITE", "BAD_DMA", ...STATE_TYPES];

/**
 * Variants a model may ask for; absent, the planner's rng picks one (uniformly among those with
 * a site). Types not listed here have no variants.
 */
export const VARIANTS: Partial<Record<FaultType, readonly string[]>> = {
  PTR: ["base", "offset"],
  INTERFACE: ["drop", "corrupt"],
  BAD_POINTER: ["null", "random", "kernel", "off-by-page", "kernel-priv", "kernel-pagetable", "kernel-queues", "kernel-ipc", "servers"],
  INFINITE_LOOP: ["self-branch", "loop-never-ends"],
  BAD_PORT_WRITE: ["other-device", "sysctl", "random"],
  BAD_DMA: ["kernel", "other-process", "random", "off-by-page"],
};

/** BAD_DMA: which address the driver hands its device is replaced (see README.md). */
export const DMA_ADDRESSES = ["data", "table"] as const;
export type DmaAddress = (typeof DMA_ADDRESSES)[number];

/**
 * When the fault strikes. first: the first execution of the site (code mutations are written
 * before it, at arm time); nth: the n-th execution (n >= 1) of the site, counted from arming;
 * cycle: `at` cycles after arming (code is patched then; a runtime action waits for the first
 * execution of its site at or after that cycle).
 */
export type Trigger = { kind: "first" } | { kind: "nth"; n: number } | { kind: "cycle"; at: number };

/**
 * transient: only the running copy of the driver (a restarted driver is clean; a runtime action
 * is applied once). persistent: the image RS restarts from is changed too, so the fault comes
 * back (a runtime action is applied at every later execution of its site, in every incarnation).
 */
export type Persistence = "transient" | "persistent";

/** What a user (or a campaign spec) asks for; the planner turns it into concrete Faults. */
export interface FaultModel {
  type: FaultType;
  /** Driver image name = process label, e.g. "at_wini". */
  driver: string;
  /** Function names the sites must lie in; default: every function in the driver's text. */
  targets?: string[];
  trigger: Trigger;
  persistence: Persistence;
  /** One of VARIANTS[type]; default: chosen by the rng. */
  variant?: string;
  /** Fixes the site (virtual address of the instruction acted on); it must fit the type. */
  site?: number;
  /**
   * BAD_PORT_WRITE: the port written instead (overrides what the variant would choose).
   * BAD_DMA: the device's DMA-address port (default: the driver's, from its driver.json).
   */
  port?: number;
  /** BAD_DMA: replace the data address in the first descriptor (default) or the table pointer. */
  dmaAddress?: DmaAddress;
}

/** An instruction of the driver: its virtual address and where that is, symbolically. */
export interface Site {
  va: number;
  func: string;
  offset: number;
}

/**
 * A runtime action, applied when the CPU is about to execute the site (registers are the
 * driver's then). set-reg: x[reg] = value; add-reg: x[reg] += add; xor-reg: x[reg] ^= xor;
 * xor-mem: the word at virtual address va (in the driver) ^= xor; aim-page-table: x[reg] =
 * w - imm, w the physical address of word (draw mod N) of the N words of the page tables of
 * the processes alive at that moment (injectors/kernel-targets.ts, pageTableWord);
 * aim-server-tables: the same over the words of the live servers' tables
 * (injectors/server-targets.ts, serverTableWord);
 * dma-address: BAD_DMA at the driver's hand-over of its descriptor table (a1 = its physical
 * address): replaces the data address in the table's first entry (`replace: "data"`, the word
 * at physical a1) or the table pointer a1 (`"table"`) with the address `aim` gives (injectors/dma.ts).
 */
export type Action =
  | { kind: "set-reg"; reg: number; value: number }
  | { kind: "dma-address"; replace: DmaAddress; aim: DmaAim }
  | { kind: "aim-page-table"; reg: number; imm: number; draw: number }
  | { kind: "aim-server-tables"; reg: number; imm: number; draw: number }
  | { kind: "add-reg"; reg: number; add: number }
  | { kind: "xor-reg"; reg: number; xor: number }
  | { kind: "xor-mem"; va: number; xor: number };

/**
 * Where BAD_DMA sends the device, given the address the driver handed over (a data address or
 * a table pointer) and the bytes the device will move from there (the first entry's count, or
 * one 8-byte entry for a table): address → that physical address; offset → the driver's address
 * + add; ram → word (draw mod N) of the N words of RAM; process → page (draw mod N) of the N
 * pages of the memory of the live process `label` at which those bytes fit in it. ram and
 * process are resolved when the site is reached (RAM's size and the process's memory are the
 * running system's).
 */
export type DmaAim =
  | { to: "address"; address: number }
  | { to: "offset"; add: number }
  | { to: "ram"; draw: number }
  | { to: "process"; label: string; draw: number };

interface FaultCommon {
  type: ResolvedType;
  /** The type the model asked for (RANDOM, or the same as type). */
  requested: FaultType;
  variant?: string;
  driver: string;
  site: Site;
  trigger: Trigger;
  persistence: Persistence;
  /** INTERFACE: the call whose argument the mutated instruction sets up. */
  callSite?: Site;
  /** INFINITE_LOOP loop-never-ends: the loop [head, latch] that loses its only exit. */
  loop?: { head: number; latch: number };
  /** One line: driver, function+offset, address, instructions, type, trigger, persistence. */
  description: string;
}

/** The instruction word at site.va (original) is replaced by mutated. */
export interface CodeFault extends FaultCommon {
  kind: "code";
  original: number;
  mutated: number;
}

/**
 * The action is applied when the instruction at site.va (whose word is `original`) is reached —
 * with `when`, only at executions where register x[when.reg] holds `when.equals` (or one of
 * `when.oneOf`): the others do not count towards the trigger and are left alone (BAD_DMA:
 * sys_outl called with a DMA-address port).
 */
export interface RuntimeFault extends FaultCommon {
  kind: "runtime";
  original: number;
  action: Action;
  when?: { reg: number; equals: number; oneOf?: number[] };
}

export type Fault = CodeFault | RuntimeFault;

/** A seeded generator of numbers in [0, 1), e.g. seedrandom("campaign-7"). */
export type Rng = () => number;

export type PlanResult = { ok: true; fault: Fault } | { ok: false; error: string };

/** Planning options that are not part of the model. */
export interface PlanOptions {
  /**
   * Virtual addresses known to execute (a golden run's coverage). When given, only sites among
   * them are chosen — useful for state faults, whose trigger site must run to matter.
   */
  executed?: Iterable<number>;
}
