/*
 * Control and status registers (Zicsr + privileged spec 1.12, RV32): their state, the access
 * rules per mode, and the WARL behaviour of each register. The CPU calls csrAccess() for the
 * rules, then csrRead()/csrWrite(); an access that is not allowed is an illegal instruction.
 *
 * Implemented: the machine and supervisor trap CSRs, satp, the counters (cycle, time, instret
 * and their M-mode and high halves; hpm counters read as zero), the ID registers, PMP
 * registers hardwired to zero (no PMP entries, which the spec allows), and the debug trigger
 * registers of a hart with no triggers (tselect, tdata1..3 read 0, tinfo reads 1; writes ignored).
 *
 * Counters are 64 bits, exact modulo 2^64: each is a raw count (the clock, instructions retired;
 * safe integers) plus an offset kept as two int32 halves, added with an explicit carry. A CSR
 * access sees the count before the instruction doing it; a write sets the value seen after it,
 * done instead of that instruction's increment (Zicsr: "if a CSR access instruction reads a CSR,
 * it reads the value prior to the execution of the instruction. If a CSR access instruction
 * writes such a CSR, the write is done instead of the increment.").
 */
import { Mode } from "./trap.js";

export const CSR = {
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, satp: 0x180,
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305,
  mcounteren: 0x306, menvcfg: 0x30a, mstatush: 0x310, menvcfgh: 0x31a, mcountinhibit: 0x320,
  mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  tselect: 0x7a0, tdata1: 0x7a1, tdata2: 0x7a2, tdata3: 0x7a3, tinfo: 0x7a4,
  mcycle: 0xb00, minstret: 0xb02, mcycleh: 0xb80, minstreth: 0xb82,
  cycle: 0xc00, time: 0xc01, instret: 0xc02, cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82,
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
} as const;

/* mstatus fields. */
export const MSTATUS_SIE = 1 << 1;
export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_SPIE = 1 << 5;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_SPP = 1 << 8;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_MPP = 3 << MSTATUS_MPP_SHIFT;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_SUM = 1 << 18;
export const MSTATUS_MXR = 1 << 19;
export const MSTATUS_TVM = 1 << 20;
export const MSTATUS_TW = 1 << 21;
export const MSTATUS_TSR = 1 << 22;

const MSTATUS_WRITABLE =
  MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |
  MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
const SSTATUS_VIEW = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;
/** Bits of mstatus whose change alters address translation (TLB must be flushed). */
export const MSTATUS_XLATE = MSTATUS_MPRV | MSTATUS_MPP | MSTATUS_SUM | MSTATUS_MXR;

/** MIP/MIE bits. */
export const MIP_SSIP = 1 << 1;
export const MIP_MSIP = 1 << 3;
export const MIP_STIP = 1 << 5;
export const MIP_MTIP = 1 << 7;
export const MIP_SEIP = 1 << 9;
export const MIP_MEIP = 1 << 11;
const MIE_WRITABLE = MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP;
/** Bits of mip that M-mode software may write (the rest are driven by devices). */
const MIP_SW_WRITABLE = MIP_SSIP | MIP_STIP | MIP_SEIP;
const MIDELEG_WRITABLE = MIP_SSIP | MIP_STIP | MIP_SEIP;
/** Every exception but ecall-from-M (11) and the reserved 10 and 14 may be delegated. */
const MEDELEG_WRITABLE = 0xb3ff;

/** RV32 (MXL=1) with I, M, S and U. */
export const MISA = (1 << 30) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);

/** The CSR state of one hart: plain numbers (int32), so a snapshot is a spread copy. */
export interface CsrState {
  mstatus: number;
  medeleg: number;
  mideleg: number;
  mie: number;
  /** Software-writable pending bits (SSIP, STIP, SEIP). */
  mipSw: number;
  /** Pending bits driven by devices (MSIP, MTIP, MEIP, SEIP from the PLIC). */
  mipHw: number;
  mtvec: number;
  mcounteren: number;
  mscratch: number;
  mepc: number;
  mcause: number;
  mtval: number;
  stvec: number;
  scounteren: number;
  sscratch: number;
  sepc: number;
  scause: number;
  stval: number;
  satp: number;
  /**
   * mcycle = clock + cycleOffset and minstret = instret + instretOffset, modulo 2^64; each
   * offset as its low and high words (int32). Only counter writes change them.
   */
  cycleOffsetLo: number;
  cycleOffsetHi: number;
  instretOffsetLo: number;
  instretOffsetHi: number;
}

export function resetCsrs(): CsrState {
  return {
    mstatus: 0, medeleg: 0, mideleg: 0, mie: 0, mipSw: 0, mipHw: 0, mtvec: 0, mcounteren: 0,
    mscratch: 0, mepc: 0, mcause: 0, mtval: 0, stvec: 0, scounteren: 0, sscratch: 0, sepc: 0,
    scause: 0, stval: 0, satp: 0,
    cycleOffsetLo: 0, cycleOffsetHi: 0, instretOffsetLo: 0, instretOffsetHi: 0,
  };
}

/** What CSR reads need from the hart besides the CSR state. */
export interface CsrHart {
  csr: CsrState;
  mode: number;
  /**
   * The raw counts (the clock; instructions retired) at the start (end = false) or the end
   * (end = true) of the CSR instruction now executing. Safe integers >= 0.
   */
  cycles(end: boolean): number;
  instret(end: boolean): number;
  /** The CLINT's mtime, for the `time` CSR. */
  mtime(): number;
}

/**
 * Whether `mode` may access CSR `num` (write = the instruction writes it). Checks the privilege
 * encoded in the number, read-only CSRs, TVM for satp, and the counter-enable registers.
 */
export function csrAccess(h: CsrHart, num: number, write: boolean): boolean {
  if (((num >>> 8) & 3) > h.mode) return false;
  if (write && ((num >>> 10) & 3) === 3) return false;
  if (num === CSR.satp && h.mode === Mode.S && h.csr.mstatus & MSTATUS_TVM) return false;
  if ((num >= 0xc00 && num <= 0xc1f) || (num >= 0xc80 && num <= 0xc9f)) {
    const bit = 1 << (num & 0x1f);
    if (h.mode < Mode.M && !(h.csr.mcounteren & bit)) return false;
    if (h.mode === Mode.U && !(h.csr.scounteren & bit)) return false;
  }
  return true;
}

const U32 = 0x1_0000_0000;
const lo = (v: number): number => v | 0; // ToInt32 is exact modulo 2^32 for any safe integer
const hi = (v: number): number => Math.floor(v / U32) | 0;

/** Reads CSR `num`; undefined when it does not exist (→ illegal instruction). */
export function csrRead(h: CsrHart, num: number): number | undefined {
  const c = h.csr;
  switch (num) {
    case CSR.sstatus: return c.mstatus & SSTATUS_VIEW;
    case CSR.sie: return c.mie & c.mideleg;
    case CSR.stvec: return c.stvec;
    case CSR.scounteren: return c.scounteren;
    case CSR.sscratch: return c.sscratch;
    case CSR.sepc: return c.sepc;
    case CSR.scause: return c.scause;
    case CSR.stval: return c.stval;
    case CSR.sip: return (c.mipSw | c.mipHw) & c.mideleg;
    case CSR.satp: return c.satp;
    case CSR.mstatus: return c.mstatus;
    case CSR.misa: return MISA;
    case CSR.medeleg: return c.medeleg;
    case CSR.mideleg: return c.mideleg;
    case CSR.mie: return c.mie;
    case CSR.mtvec: return c.mtvec;
    case CSR.mcounteren: return c.mcounteren;
    case CSR.mscratch: return c.mscratch;
    case CSR.mepc: return c.mepc;
    case CSR.mcause: return c.mcause;
    case CSR.mtval: return c.mtval;
    case CSR.mip: return c.mipSw | c.mipHw;
    case CSR.mcycle: case CSR.cycle: return counterLo(h.cycles(false), c.cycleOffsetLo);
    case CSR.mcycleh: case CSR.cycleh: return counterHi(h.cycles(false), c.cycleOffsetLo, c.cycleOffsetHi);
    case CSR.minstret: case CSR.instret: return counterLo(h.instret(false), c.instretOffsetLo);
    case CSR.minstreth: case CSR.instreth: return counterHi(h.instret(false), c.instretOffsetLo, c.instretOffsetHi);
    case CSR.time: return lo(h.mtime());
    case CSR.timeh: return hi(h.mtime());
    case CSR.tinfo: return 1; // debug spec: "If the currently selected trigger doesn't exist, this field contains 1."
    case CSR.tselect: case CSR.tdata1: case CSR.tdata2: case CSR.tdata3: // no triggers: tdata1.type 0 = none here
    case CSR.senvcfg: case CSR.menvcfg: case CSR.menvcfgh: case CSR.mstatush: case CSR.mcountinhibit:
    case CSR.mvendorid: case CSR.marchid: case CSR.mimpid: case CSR.mhartid: case CSR.mconfigptr:
      return 0;
  }
  if (isHardwiredZero(num)) return 0;
  return undefined;
}

/** PMP registers, hpm counters and events: present but hardwired to zero. */
function isHardwiredZero(num: number): boolean {
  return (
    (num >= 0x3a0 && num <= 0x3a3) || (num >= 0x3b0 && num <= 0x3bf) ||
    (num >= 0xb03 && num <= 0xb1f) || (num >= 0xb83 && num <= 0xb9f) ||
    (num >= 0xc03 && num <= 0xc1f) || (num >= 0xc83 && num <= 0xc9f) ||
    (num >= 0x323 && num <= 0x33f)
  );
}

/**
 * Writes CSR `num` (access already checked) with WARL legalisation. Returns false when the CSR
 * does not exist. Returns true otherwise; the caller flushes the TLB / re-checks interrupts when
 * translation or interrupt state may have changed.
 */
export function csrWrite(h: CsrHart, num: number, v: number): boolean {
  const c = h.csr;
  switch (num) {
    case CSR.sstatus: c.mstatus = (c.mstatus & ~SSTATUS_VIEW) | (v & SSTATUS_VIEW); return true;
    case CSR.sie: c.mie = (c.mie & ~c.mideleg) | (v & c.mideleg); return true;
    case CSR.stvec: c.stvec = legalTvec(v); return true;
    case CSR.scounteren: c.scounteren = v & 7; return true;
    case CSR.sscratch: c.sscratch = v | 0; return true;
    case CSR.sepc: c.sepc = v & ~3; return true;
    case CSR.scause: c.scause = v | 0; return true;
    case CSR.stval: c.stval = v | 0; return true;
    case CSR.sip: c.mipSw = (c.mipSw & ~(c.mideleg & MIP_SSIP)) | (v & c.mideleg & MIP_SSIP); return true;
    case CSR.satp: c.satp = v & 0x803f_ffff; return true; // no ASID bits (ASIDLEN = 0)
    case CSR.mstatus: c.mstatus = legalMstatus(c.mstatus, v); return true;
    case CSR.medeleg: c.medeleg = v & MEDELEG_WRITABLE; return true;
    case CSR.mideleg: c.mideleg = v & MIDELEG_WRITABLE; return true;
    case CSR.mie: c.mie = v & MIE_WRITABLE; return true;
    case CSR.mtvec: c.mtvec = legalTvec(v); return true;
    case CSR.mcounteren: c.mcounteren = v & 7; return true;
    case CSR.mscratch: c.mscratch = v | 0; return true;
    case CSR.mepc: c.mepc = v & ~3; return true;
    case CSR.mcause: c.mcause = v | 0; return true;
    case CSR.mtval: c.mtval = v | 0; return true;
    case CSR.mip: c.mipSw = v & MIP_SW_WRITABLE; return true;
    case CSR.mcycle: case CSR.mcycleh:
      [c.cycleOffsetLo, c.cycleOffsetHi] = written(h.cycles(false), h.cycles(true), c.cycleOffsetLo, c.cycleOffsetHi, num === CSR.mcycleh, v);
      return true;
    case CSR.minstret: case CSR.minstreth:
      [c.instretOffsetLo, c.instretOffsetHi] = written(h.instret(false), h.instret(true), c.instretOffsetLo, c.instretOffsetHi, num === CSR.minstreth, v);
      return true;
  }
  return csrRead(h, num) !== undefined; // the rest are read-only zero / WARL-zero
}

/** mtvec/stvec: modes 0 (direct) and 1 (vectored) only; base 4-byte aligned. */
const legalTvec = (v: number): number => (v & ~3) | (v & 1);

/** mstatus: only implemented fields; MPP may not hold the reserved value 2 (kept unchanged). */
function legalMstatus(old: number, v: number): number {
  let n = (old & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
  if (((n & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT) === 2) n = (n & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
  return n;
}

/** Low word of (count + offset) mod 2^64, the offset's low word `offLo`. */
function counterLo(count: number, offLo: number): number {
  return ((count >>> 0) + (offLo >>> 0)) | 0;
}

/** High word of (count + offset) mod 2^64: the high words plus the carry out of the low words. */
function counterHi(count: number, offLo: number, offHi: number): number {
  const carry = (count >>> 0) + (offLo >>> 0) >= U32 ? 1 : 0;
  return (hi(count) + offHi + carry) | 0;
}

/**
 * The offset (low, high words) that makes the counter read (newLo, newHi) at raw count `count`:
 * (new - count) mod 2^64, with the borrow out of the low words.
 */
function offsetFor(newLo: number, newHi: number, count: number): [number, number] {
  const d = (newLo >>> 0) - (count >>> 0);
  return [d | 0, ((newHi >>> 0) - (hi(count) >>> 0) - (d < 0 ? 1 : 0)) | 0];
}

/**
 * A counter's new offset after a write of `v` to its low (high = false) or high half, given its
 * raw count at the start and at the end of the writing instruction: the other half keeps its
 * value from before the instruction, and the counter holds the result at the instruction's end.
 */
function written(before: number, after: number, offLo: number, offHi: number, high: boolean, v: number): [number, number] {
  const oldLo = counterLo(before, offLo);
  const oldHi = counterHi(before, offLo, offHi);
  return offsetFor(high ? oldLo : v, high ? v : oldHi, after);
}
