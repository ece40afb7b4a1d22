/*
 * RV32 instruction fields as bit positions, and the word-level edits the mutations are made of:
 * replace a register field, flip an immediate bit, flip funct3 bit 0, build `jal`. Everything
 * returns an unsigned 32-bit word; nothing here decides *which* edit a fault makes.
 *
 *   31      25 24  20 19  15 14 12 11       7 6      0
 *   | funct7  |  rs2 |  rs1 |funct3|    rd    | opcode |   R
 *   |     imm[11:0]  |  rs1 |funct3|    rd    | opcode |   I  (shifts: imm[4:0] = shamt)
 *   |imm[11:5]|  rs2 |  rs1 |funct3| imm[4:0] | opcode |   S
 *   |         imm[31:12]          |    rd    | opcode |   U
 */
import type { Decoded } from "../system/machine/disasm.js";

/** `addi x0, x0, 0`, the canonical NOP. */
export const NOP = 0x0000_0013;
/** `jal x0, 0`: a jump to itself. */
export const JAL_SELF = 0x0000_006f;

export type RegField = "rd" | "rs1" | "rs2";

const REG_SHIFT: Record<RegField, number> = { rd: 7, rs1: 15, rs2: 20 };

/** `word` with register field `field` set to `reg` (0..31). */
export function setReg(word: number, field: RegField, reg: number): number {
  const s = REG_SHIFT[field];
  return ((word & ~(0x1f << s)) | ((reg & 0x1f) << s)) >>> 0;
}

/** `word` with bit `bit` (0..31) inverted. */
export function flipBit(word: number, bit: number): number {
  return (word ^ (1 << bit)) >>> 0;
}

/** The word bit that holds bit k (0..11) of an I-type immediate. */
export const immIBit = (k: number): number => 20 + k;
/** The word bit that holds bit k (0..11) of an S-type immediate (imm[4:0] at 7..11, imm[11:5] at 25..31). */
export const immSBit = (k: number): number => (k < 5 ? 7 + k : 25 + (k - 5));
/** The word bit that holds bit k (12..31) of a U-type immediate. */
export const immUBit = (k: number): number => k;

/** Conditional branch with the opposite condition (beq<->bne, blt<->bge, bltu<->bgeu): funct3 bit 0. */
export function invertBranch(word: number): number {
  return flipBit(word, 12);
}

/** `jal rd, offset` (offset even, within +-1 MiB). */
export function encodeJal(rd: number, offset: number): number {
  const o = offset & 0x1f_fffe;
  const imm = (((o >>> 20) & 1) << 31) | (((o >>> 1) & 0x3ff) << 21) | (((o >>> 11) & 1) << 20) | (((o >>> 12) & 0xff) << 12);
  return (imm | ((rd & 0x1f) << 7) | 0x6f) >>> 0;
}

/** Whether a decoded instruction is a shift by an immediate (its I immediate is a 5-bit shamt). */
export const isShiftImm = (d: Decoded): boolean => d.op === "slli" || d.op === "srli" || d.op === "srai";

/** Whether it is a call: jal/jalr that links into ra. */
export const isCall = (d: Decoded): boolean => d.isJump && d.rd === 1;

/** Source register fields an instruction reads (in rs1, rs2 order). */
export function sourceFields(d: Decoded): RegField[] {
  const f: RegField[] = [];
  if (d.rs1 !== undefined) f.push("rs1");
  if (d.rs2 !== undefined) f.push("rs2");
  return f;
}

/** Whether it writes a register other than x0. */
export const writesReg = (d: Decoded): boolean => d.rd !== undefined && d.rd !== 0;

/** Access size in bytes of a load or store (lb/lbu/sb 1, lh/lhu/sh 2, lw/sw 4). */
export function accessSize(d: Decoded): number {
  return d.op.startsWith("lb") || d.op === "sb" ? 1 : d.op.startsWith("lh") || d.op === "sh" ? 2 : 4;
}

/** The 32-bit register-valued `v` as an unsigned number. */
export const u32 = (v: number): number => v >>> 0;

/** "0x" + 8 hex digits. */
export const hex8 = (v: number): string => "0x" + (v >>> 0).toString(16).padStart(8, "0");
