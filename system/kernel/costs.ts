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
 * KERNEL_COSTS is the model every build uses today. Every constant below names its source; the
 * sources are in shared/COSTS.md with their tables, and README "What the costs are made of"
 * sums them up. The core is a 100 MHz in-order RV32 (1 µs = 100 cycles) whose own costs
 * (system/machine/costs.ts: one cycle per instruction, TRAP_ENTRY, TRAP_RETURN, page walks) the
 * CPU charges itself, so a published figure that includes them has them taken out here.
 *
 * The kernel figures come from one source and one core where one source has them all:
 * L4Re/Fiasco on the Cortex-A53 (an in-order core, the nearest to ours with a published null
 * system call), l4re.org/performance.html, "IPC, Context-Switch and Syscall Performance", row
 * "NXP S32G2 64bit - EL1": syscall 230, IPC intra-address-space 562, inter-address-space 691
 * cycles. (An older version of the page, l4re.org/perf, gives the A53 syscall as 115; we take the
 * current page, which also states that its figures are averages over tens of thousands of calls.)
 * The only RISC-V kernel figures found, seL4 on the SiFive U54 (IPC call 472, reply 629, IRQ to a
 * user handler 986 cycles; seL4 website performance page), lack a null system call; we use them
 * for the interrupt, where L4Re has no figure, and as a check: our one-way message between two
 * address spaces comes to 226 + 2×133 + 66 + 129 (+ 2×32 for MINIX's 64-byte copies) = 687
 * (751) cycles against seL4's 472–629 on the U54.
 *
 * No published figure was found for a MINIX 3 IPC or kernel call, a RISC-V null system call, a
 * page walk, an sfence.vma or an MMIO access (COSTS.md §4); the constants that needed one are
 * derived from the instruction counts of the code path on our core, and say so.
 */

import { PORT_BUS } from "../machine/costs.js";

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
  /**
   * Nooks' wrapper on one call across a protection domain (an XPC, kernel/wrappers.ts): its
   * parameter checks and its object tracking, on top of the two page-table switches (charged as
   * addressSpaceSwitch and tlbFlush, the TLB refills after them by the MMU). Only builds with
   * domains have it: absent, it is neither charged nor counted (so a model without it, and the
   * state of a run under it, are what they were before it existed).
   */
  wrapper?: number;
  /**
   * One VM exit of a driver VM and the resume after it (kernel/hypervisor.ts): a port access the
   * deprivileged DD/OS traps on, which the hypervisor checks and performs, and an interrupt or
   * timer it injects into the VM. On top of the trap's kernelEntry. Only the driver-VM builds
   * have it (absent: neither charged nor counted, as wrapper).
   */
  vmExit?: number;
  /**
   * One software check of a software-isolated process (Singularity, cpu.ts sfi): the code a safe
   * language's compiler puts before a load, a store or an indirect jump. Charged by the CPU on
   * each (the kernel never sees them; counters.ts reads them from it). Only the Singularity
   * builds have it (absent: neither charged nor counted, as wrapper).
   */
  sfiCheck?: number;
  /**
   * Checking one message against its channel's contract (kernel/channels.ts): the channel's
   * state, the message's type and fields, the transition. Only the Singularity builds have it.
   */
  contractCheck?: number;
}

export type CostKind = keyof CostModel;

export const KERNEL_COSTS: CostModel = {
  // L4Re A53 syscall 230 cycles minus the trap entry the CPU charges itself (TRAP_ENTRY 4; the
  // kernel returns to a process without an xRET, so nothing else): 226.
  kernelEntry: 226,
  // L4Re A53: an intra-address-space IPC costs 562 - 230 = 332 cycles more than a syscall: the
  // IPC path and the thread switch, payload in registers. Less our contextSwitch (66) leaves 266
  // for one L4 IPC, which sends and receives in one call; we charge each primitive (send, receive)
  // separately, so one is half: 133. Derived.
  ipcOp: 133,
  // Derived from our core: a 64-byte message is 16 loads and 16 stores at one cycle each (INSN).
  // L4 passes short messages in registers, so no published figure covers MINIX's copy.
  messageCopy: 32,
  // MINIX 3.1.2a (the seeds' era) delivered a kernel call as a SENDREC to the SYSTEM task, so its
  // decode and checks ride on an IPC send and receive: 2 × ipcOp. (HEAD runs the same checks in
  // the trap handler, kernel_call(); no measured MINIX kernel-call figure exists, COSTS.md §1.1.)
  kernelCall: 266,
  // Derived from our core: a word copy is a load and a store (2 cycles) per 4 bytes.
  copyByte: 0.5,
  // Derived from our core: restoring another process's 31 registers, pc and status and saving
  // the leaving one's (33 + 33 loads/stores at one cycle). Part of the L4Re IPC figure above.
  contextSwitch: 66,
  // L4Re A53: inter- minus intra-address-space IPC, 691 - 562 = 129 cycles, less the TLB flush
  // charged separately (tlbFlush): 119. Derived.
  addressSpaceSwitch: 119,
  // The machine's TLB_FLUSH (system/machine/costs.ts; no published sfence.vma cost, COSTS.md §4).
  tlbFlush: 10,
  // Not a mechanism's cost: it stands for the user-space code of a server (written in TypeScript
  // here) handling one message. No source can give it; it is the same in every build, so it
  // cancels in a comparison of builds, and the sensitivity view shows how far it moves the
  // overhead (it dilutes it: a larger value makes isolation look cheaper).
  nativeHandler: 2_000,
  // seL4 on the SiFive U54: an interrupt delivered to a user-level handler costs 986 cycles, a
  // one-way IPC call 472; the difference, 514, is the interrupt's own work (PLIC claim, IRQ
  // lookup, masking, acknowledge) on top of the notification (ipcOp) and switches we charge.
  interrupt: 514,
  // A port access through SYS_DEVIO: the instruction's bus time (portInstruction) plus do_devio's
  // checks — a loop over the caller's I/O ranges (two compares and a branch each, 3-4 ranges)
  // and the alignment test, ~20 instructions at one cycle. Derived from MINIX's do_devio.c.
  portAccess: 120,
  // Derived: load the field, compare, branch (3 instructions; no published per-check cost).
  kernelAssert: 3,
  // Derived: MINIX's runqueues_ok() checks ~20 fields of an entry, a load and a compare-branch each.
  sanitySlot: 40,
  // Derived: load the entry, test the valid bit, compare the frame with RAM's bounds.
  sanityPte: 3,
  // SPIN's protected in-kernel call, 0.13 µs on a 133 MHz Alpha ≈ 17 cycles (COSTS.md §1.3,
  // derived; no measured call+return cost of a RISC-V in-order core was found). Singularity's
  // ring-0 "minimum kernel API call" is 91 cycles (CACM 2010, Table 3): the sensitivity view's
  // doubling and halving bracket the choice's effect.
  functionCall: 17,
  // An in/out's bus transaction: the machine's PORT_BUS (system/machine/costs.ts, 1 µs).
  portInstruction: PORT_BUS,
};

/**
 * The cost model of the Nooks builds: KERNEL_COSTS plus the wrapper. Nooks reports that "recovery
 * support doubles the cost of its cross-domain communication" (SOSP 2003, with Fig. 8; COSTS.md
 * §1.5): the wrapper's checks and object tracking cost as much as the domain crossing itself,
 * here the two page-table switches of one XPC, 2 × (addressSpaceSwitch + tlbFlush) = 258 cycles.
 * Derived. (Nooks' own per-XPC figure, ~15,000 cycles on a 1.7-GHz Pentium 4, is derived from
 * its compile benchmark and is mostly TLB refills, COSTS.md §1.3; our MMU charges refills itself.)
 */
export const NOOKS_COSTS: CostModel = {
  ...KERNEL_COSTS,
  wrapper: 2 * (KERNEL_COSTS.addressSpaceSwitch + KERNEL_COSTS.tlbFlush),
};

/**
 * The cost model of the driver-VM builds: KERNEL_COSTS plus the VM exit. In our paravirtual
 * scheme (hypervisor.ts) an exit is what L4 does for a deprivileged guest's trap: the exception
 * message to the VM's monitor and its reply, two inter-address-space IPCs, 2 × 691 = 1,382
 * cycles (L4Re on the Cortex-A53, the source of KERNEL_COSTS; COSTS.md §1.1), on top of the trap
 * itself (kernelEntry). Check: AMD SVM's VMRUN→#VMEXIT alone costs 1,344–1,376 cycles and KVM's
 * whole exit round trip 2,528–2,576 (LKML 2020-12, COSTS.md §1.5); ours comes to 1,382 + 226 +
 * TRAP_ENTRY 4 = 1,612. No RISC-V H-extension exit cost is published (COSTS.md §1.5). Derived.
 */
export const PARAVIRT_COSTS: CostModel = {
  ...KERNEL_COSTS,
  vmExit: 2 * 691,
};

/**
 * The cost model of the Singularity builds: KERNEL_COSTS plus the software checks and the
 * contract checks; what Singularity saves (no trap, no message copy, no address-space switch) is
 * in which costs the kernel charges (policy.ts callsDirectly, zeroCopy, oneAddressSpace), not in
 * other values.
 *
 * sfiCheck: 2 cycles. A compiler-inserted bounds check is a compare and a branch to the failure
 * path, the region's bounds in registers (Wahbe et al.'s address sandboxing, SOSP 1993, likewise
 * puts two instructions, an and and an or, before each unsafe store or jump: COSTS.md §1.5 SFI
 * row). At one cycle an instruction (machine/costs.ts INSN): 2. Derived; no per-check figure of
 * Singularity's own is published (CACM 2010 gives only the total, 4.7% of cycles, for its null
 * and bounds checks; bulkhead overhead measures ours).
 *
 * contractCheck: 10 cycles. Derived from the work of kernel/channels.ts: load the channel's
 * state, look the message's type up in the contract, compare the reply's id and its count with
 * the request's (two compares), update the outstanding set: about ten loads, compares, branches
 * and stores at one cycle. Singularity checks contracts at compile time; its channels' run-time
 * cost is in its 803-cycle round trip (CACM 2010 Table 3), which we do not use: it is an Athlon's.
 */
export const SINGULARITY_COSTS: CostModel = {
  ...KERNEL_COSTS,
  sfiCheck: 2,
  contractCheck: 10,
};

/** Every cost name of the base model, in its order (the order of the counters). */
export const COST_KINDS = Object.keys(KERNEL_COSTS) as CostKind[];

/** Cost names only some models have (counted from their first charge: costs.ts wrapper). */
export const OPTIONAL_COST_KINDS: CostKind[] = ["wrapper", "vmExit", "sfiCheck", "contractCheck"];
