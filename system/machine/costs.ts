/*
 * The cycle cost model: what each machine-level operation costs in emulated cycles. The kernel
 * adds its own (system/kernel/costs.ts). The core is a simple in-order 32-bit one with
 * single-cycle caches, a 5-stage pipeline like the SiFive E31's or the Rocket's; each constant
 * names its source (shared/COSTS.md), or says it has none and how it was chosen.
 */

/** Any instruction retires in one cycle (pipelined, cache hit): a single-issue core's peak. */
export const INSN = 1;
/** Extra cycles for MUL/MULH*: a 3-cycle pipelined multiplier (SiFive E31 manual: 3). */
export const MUL_EXTRA = 2;
/** Extra cycles for DIV/REM: an iterative divider, one bit per cycle (E31: up to 33). */
export const DIV_EXTRA = 32;
/** Extra cycles for a taken branch or jump: one refetch bubble (no published E31/U54 figure; a 5-stage core's fetch redirect). */
export const JUMP_EXTRA = 1;
/**
 * Cycles per page-table level read by the hardware walker on a TLB miss. No published walk
 * latency (COSTS.md §4); CVA6's walker makes one D-cache request per level (request, grant,
 * response, FSM step), taken as 4 cycles on a cache hit.
 */
export const WALK_LEVEL = 4;
/** Cycles to enter a trap: SiFive E31 manual, interrupt latency, 4 cycles from the signal to the handler's first fetch. */
export const TRAP_ENTRY = 4;
/** Cycles of an xRET: a pipeline refill to the return address (no published figure; 3 stages before execute). */
export const TRAP_RETURN = 3;
/** Cycles of a TLB flush (sfence.vma or satp write): invalidate every entry. No published figure (COSTS.md §4); 10 for a 32-entry TLB cleared in parallel plus the pipeline flush. */
export const TLB_FLUSH = 10;
/** Cycles of an MMIO access to an on-chip device (CLINT, PLIC, UART): no published figure (COSTS.md §4); 10. */
export const IO_ACCESS = 10;
/**
 * Cycles of a port access's bus transaction (in/out to a device's I/O ports): 1 µs. Linux
 * bounds an outb's I/O delay at 2 µs (arch/x86/kernel/io_delay.c) and an outb to port 0x80 is
 * reported at ~1 µs (COSTS.md §1.4); no primary measurement of PC port I/O latency was found.
 */
export const PORT_BUS = 100;
