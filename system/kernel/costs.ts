/*
 * The kernel's cost model: what each piece of kernel work charges the emulated clock, in cycles,
 * on top of the machine's own costs (system/machine/costs.ts: instructions, traps, page walks).
 * The TypeScript kernel does its work between guest instructions, so a build's model is data
 * (Build.costs) and the kernel charges it by name (Kernel.charge), which also counts each event
 * and the cycles it cost, per name: a run's counters say where its time went.
 *
 * Code that runs in the kernel (a driver in a kernel address space, policy.ts callsDirectly)
 * reaches it by function call: functionCall instead of kernelEntry, no kernelCall work, no
 * message copies for a kernel call, and its own in/out (portInstruction) instead of portAccess.
 * Everything else — its IPC with the servers, which are processes in every build — is charged
 * as for anyone.
 *
 * KERNEL_COSTS is the model every build uses today: the constants the kernel has charged since
 * wave 1 ("MINIX 3 IPC round trips measured at ~1-2 µs on 2 GHz x86, scaled to 100 MHz and
 * rounded; copies at one word per cycle plus setup" — a source that does not give these numbers:
 * issue 15 replaces them with cited ones per build), and the checks' instruction counts.
 */

export interface CostModel {
  /** Kernel entry + exit in software (save/restore registers, dispatch). */
  kernelEntry: number;
  /** One IPC primitive (checks, queue manipulation), excluding the message copy. */
  ipcOp: number;
  /** Copying one 64-byte message between address spaces (two translations + 16 words). */
  messageCopy: number;
  /** A kernel call's fixed work (decode, permission checks). */
  kernelCall: number;
  /** Per byte copied by SAFECOPY / SDEVIO. */
  copyByte: number;
  /** Context switch between processes (save + restore of 32 registers and the status). */
  contextSwitch: number;
  /** Address-space switch: the satp write. */
  addressSpaceSwitch: number;
  /** The TLB flush an address-space switch causes (an untagged TLB). */
  tlbFlush: number;
  /** A native (TypeScript) server handling one message, standing in for its user-space code. */
  nativeHandler: number;
  /** Interrupt dispatch: PLIC claim, hook lookup, notification. */
  interrupt: number;
  /** One port access through SYS_DEVIO (the kernel's IN/OUT plus bus time). */
  portAccess: number;
  /** One assert: load the field, compare, branch (no published per-check cost, COSTS.md §4). */
  kernelAssert: number;
  /** Sanity checking one process-table entry and its privilege entry (~20 field checks). */
  sanitySlot: number;
  /** Sanity checking one page-table entry (load, valid bit, range). */
  sanityPte: number;
  /**
   * A call into the kernel by code that runs in it (a driver in a kernel address space): a
   * function call and return, no trap, no register save, no message. Charged instead of
   * kernelEntry for such code's requests, whose kernel calls then also skip kernelCall's
   * decode and checks and the request's and reply's message copies (passed by reference).
   */
  functionCall: number;
  /** A port access such code makes itself (an in/out instruction: the bus transaction only), instead of portAccess. */
  portInstruction: number;
}

export type CostKind = keyof CostModel;

export const KERNEL_COSTS: CostModel = {
  kernelEntry: 80,
  ipcOp: 120,
  messageCopy: 40,
  kernelCall: 150,
  copyByte: 0.25,
  contextSwitch: 100,
  addressSpaceSwitch: 30,
  tlbFlush: 10, // the machine's TLB_FLUSH (system/machine/costs.ts)
  nativeHandler: 2_000,
  interrupt: 150,
  portAccess: 20,
  kernelAssert: 3,
  sanitySlot: 40,
  sanityPte: 3,
  // SPIN's protected in-kernel call, 0.13 µs on a 133 MHz Alpha ≈ 17 cycles (COSTS.md §1.3,
  // derived; no measured call+return cost of a RISC-V in-order core was found). Singularity's
  // ring-0 "minimum kernel API call" is 91 cycles (CACM 2010, Table 3): the sensitivity view's
  // doubling and halving bracket the choice's effect.
  functionCall: 17,
  // The machine's own cost of an uncached bus transaction (system/machine/costs.ts IO_ACCESS).
  portInstruction: 10,
};

/** Every cost name, in the model's order (the order of the counters). */
export const COST_KINDS = Object.keys(KERNEL_COSTS) as CostKind[];
