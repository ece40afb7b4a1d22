/*
 * Cycle costs of kernel work, added to the machine's cost model (system/machine/costs.ts). The
 * TypeScript kernel does its work between guest instructions; these constants charge the
 * emulated clock what a MINIX 3 kernel on a ~100 MHz in-order core would spend. Sources:
 * MINIX 3 IPC round trips measured at ~1-2 µs on 2 GHz x86 (Herder et al.), scaled to 100 MHz
 * and rounded; copies at one word per cycle plus setup.
 */

/** Kernel entry + exit (save/restore registers, dispatch). */
export const KERNEL_ENTRY = 80;
/** One IPC primitive (checks, queue manipulation), excluding the message copy. */
export const IPC_OP = 120;
/** Copying one 64-byte message between address spaces (two translations + 16 words). */
export const MESSAGE_COPY = 40;
/** A kernel call's fixed work (decode, permission checks). */
export const KERNEL_CALL = 150;
/** Per byte copied by SAFECOPY / SDEVIO (one word per cycle). */
export const COPY_PER_BYTE = 0.25;
/** Context switch between processes (save + restore of 32 registers and the status). */
export const CONTEXT_SWITCH = 100;
/** Address-space switch: satp write; the TLB flush is charged by the machine. */
export const ADDRESS_SPACE_SWITCH = 30;
/** A native (TypeScript) server handling one message, standing in for its user-space code. */
export const NATIVE_HANDLER = 2_000;
/** Interrupt dispatch: PLIC claim, hook lookup, notification. */
export const INTERRUPT = 150;
/** One port access through SYS_DEVIO (the kernel's IN/OUT plus bus time). */
export const PORT_ACCESS = 20;

/*
 * The kernel's own checks. No published per-check cost exists (COSTS.md §4): these are
 * instruction counts on an in-order core at one instruction per cycle.
 */
/** One assert: load the field, compare, branch (MINIX's assert() on a table field). */
export const KERNEL_ASSERT = 3;
/** Sanity checking one process-table entry and its privilege entry (DEBUG_SANITYCHECKS: ~20 field checks). */
export const SANITY_PER_SLOT = 40;
/** Sanity checking one page-table entry (load, valid bit, range). */
export const SANITY_PER_PTE = 3;
