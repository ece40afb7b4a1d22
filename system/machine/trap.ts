/*
 * Trap causes (RISC-V privileged spec, mcause values) and privilege modes. Guest faults are
 * values of these, never JavaScript exceptions.
 */

export const enum Mode {
  U = 0,
  S = 1,
  M = 3,
}

/** Synchronous exception causes. */
export const enum Cause {
  InsnMisaligned = 0,
  InsnAccessFault = 1,
  IllegalInsn = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccessFault = 5,
  StoreMisaligned = 6,
  StoreAccessFault = 7,
  EcallU = 8,
  EcallS = 9,
  EcallM = 11,
  InsnPageFault = 12,
  LoadPageFault = 13,
  StorePageFault = 15,
}

/** Interrupt numbers (mcause with bit 31 set; also the MIP/MIE bit positions). */
export const enum Irq {
  SSI = 1,
  MSI = 3,
  STI = 5,
  MTI = 7,
  SEI = 9,
  MEI = 11,
}

export const INTERRUPT_BIT = 0x8000_0000;

const causeNames: Record<number, string> = {
  0: "instruction address misaligned",
  1: "instruction access fault",
  2: "illegal instruction",
  3: "breakpoint",
  4: "load address misaligned",
  5: "load access fault",
  6: "store address misaligned",
  7: "store access fault",
  8: "environment call from U-mode",
  9: "environment call from S-mode",
  11: "environment call from M-mode",
  12: "instruction page fault",
  13: "load page fault",
  15: "store page fault",
};

const irqNames: Record<number, string> = {
  1: "supervisor software interrupt",
  3: "machine software interrupt",
  5: "supervisor timer interrupt",
  7: "machine timer interrupt",
  9: "supervisor external interrupt",
  11: "machine external interrupt",
};

/** Human-readable name of a cause (interrupt when `interrupt` is true). */
export function causeName(cause: number, interrupt = false): string {
  return (interrupt ? irqNames[cause] : causeNames[cause]) ?? `${interrupt ? "interrupt" : "exception"} ${cause}`;
}

export const modeName = (m: number): string => (m === Mode.M ? "M" : m === Mode.S ? "S" : m === Mode.U ? "U" : `?${m}`);
