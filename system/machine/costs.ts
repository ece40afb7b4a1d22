/*
 * The cycle cost model: what each machine-level operation costs in emulated cycles. Later layers
 * (kernel, IPC, copies) add their own entries next to these. The numbers are those of a simple
 * in-order 32-bit core with single-cycle caches (e.g. a 5-stage pipeline like the Rocket or
 * SiFive E31 cores); they only need to be plausible and fixed, since builds are compared with the
 * same table.
 */

/** Any instruction retires in one cycle (pipelined, cache hit). */
export const INSN = 1;
/** Extra cycles for MUL/MULH*: a 3-cycle pipelined multiplier (SiFive E31 manual: 3). */
export const MUL_EXTRA = 2;
/** Extra cycles for DIV/REM: an iterative divider, one bit per cycle (E31: up to 33). */
export const DIV_EXTRA = 32;
/** Extra cycles for a taken branch or jump: pipeline refill of a 5-stage core. */
export const JUMP_EXTRA = 1;
/** Cycles per page-table level read by the hardware walker on a TLB miss (one memory access). */
export const WALK_LEVEL = 4;
/** Cycles to enter a trap: pipeline flush plus CSR updates. */
export const TRAP_ENTRY = 5;
/** Cycles of an xRET: pipeline flush. */
export const TRAP_RETURN = 3;
/** Cycles of a TLB flush (sfence.vma or satp write): invalidate every entry. */
export const TLB_FLUSH = 10;
/** Cycles for an MMIO or port access: an uncached bus transaction (~100 ns on a PC's I/O bus). */
export const IO_ACCESS = 10;
