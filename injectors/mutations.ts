/*
 * The code mutations, defined on RV32 encodings: for each type, which instructions are sites
 * and how the word of a site is changed. One table entry per type; a planner picks a site with
 * its rng and asks the entry for the mutated word. The exact definitions are in README.md
 * ("Fault models") and must stay in step with this file.
 */
import { type Func, type Insn, loopsOf, type Program } from "./program.js";
import {
  encodeJal, flipBit, immIBit, immSBit, immUBit, invertBranch, isCall, isShiftImm, JAL_SELF, NOP, type RegField,
  setReg, sourceFields, writesReg,
} from "./rv32.js";
import type { Rng } from "./types.js";

/** The mutated word, and what else the fault record should say about it. */
export interface Mutation {
  mutated: number;
  /** INTERFACE: the call the mutated instruction prepares an argument for. */
  callSite?: number;
  /** INFINITE_LOOP loop-never-ends: the loop that loses its exit. */
  loop?: { head: number; latch: number };
}

export interface MutationDef {
  /** Variants, when the type has them (the planner resolves one before asking for sites). */
  variants?: readonly string[];
  /** The sites of the type among function f's instructions. */
  sites(p: Program, f: Func, variant?: string): Insn[];
  /** The mutated word for site i. */
  mutate(i: Insn, rng: Rng, variant: string | undefined, p: Program): Mutation;
}

/** An integer in [0, n). */
export const pick = (rng: Rng, n: number): number => Math.min(n - 1, Math.floor(rng() * n));

/** A register in lo..31 other than `old`. */
function otherReg(rng: Rng, lo: number, old: number): number {
  const r = lo + pick(rng, 31 - lo);
  return r >= old && old >= lo ? r + 1 : r;
}

/** Replace one register field of i (chosen among `fields`) by a different register (lo..31). */
function changeReg(i: Insn, rng: Rng, fields: RegField[], lo: number): number {
  const field = fields[pick(rng, fields.length)];
  return setReg(i.word, field, otherReg(rng, lo, i.d[field]!));
}

/** Flip one bit of the 12-bit offset of a load (I) or store (S). */
function flipOffset(i: Insn, rng: Rng): number {
  const k = pick(rng, 12);
  return flipBit(i.word, i.d.isStore ? immSBit(k) : immIBit(k));
}

const ARG_REGS = (r: number | undefined): boolean => r !== undefined && r >= 10 && r <= 17;
/** How far back (instructions) INTERFACE looks for the argument set-up of a call. */
export const INTERFACE_WINDOW = 6;

/**
 * The nearest instruction before call `c` in the same basic block (at most INTERFACE_WINDOW
 * back) that writes an argument register a0..a7; undefined if none.
 */
export function argumentWriter(f: Func, c: Insn): Insn | undefined {
  const at = (c.va - f.start) >>> 2;
  if (f.targets.has(c.va)) return undefined; // the call starts its block
  for (let k = at - 1; k >= 0 && k >= at - INTERFACE_WINDOW; k--) {
    const i = f.insns[k];
    if (i.d.isBranch || i.d.isJump) return undefined; // the previous block ends here
    if (ARG_REGS(i.d.rd)) return i;
    if (f.targets.has(i.va)) return undefined; // i starts the block
  }
  return undefined;
}

/** INTERFACE "corrupt" is defined for instructions with an immediate (I, shift, U) or with sources (R). */
function corruptible(i: Insn): boolean {
  return i.d.format === "I" || i.d.format === "U" || i.d.format === "R";
}

function corruptArgument(i: Insn, rng: Rng): number {
  if (isShiftImm(i.d)) return flipBit(i.word, immIBit(pick(rng, 5)));
  if (i.d.format === "I") return flipBit(i.word, immIBit(pick(rng, 12)));
  if (i.d.format === "U") return flipBit(i.word, immUBit(12 + pick(rng, 20)));
  return changeReg(i, rng, ["rs1", "rs2"], 0);
}

/** The (writer, call) pairs of f. */
function interfacePairs(f: Func): Array<[Insn, Insn]> {
  const pairs: Array<[Insn, Insn]> = [];
  for (const c of f.insns) {
    if (!isCall(c.d)) continue;
    const w = argumentWriter(f, c);
    if (w) pairs.push([w, c]);
  }
  return pairs;
}

/** Whether s0 serves as f's frame pointer (`addi s0, sp, N` among its first 16 instructions). */
function hasFramePointer(f: Func): boolean {
  return f.insns.slice(0, 16).some((i) => i.d.op === "addi" && i.d.rd === 8 && i.d.rs1 === 2);
}

/**
 * INIT sites of f: stores to a stack slot (base sp, or s0 when it is the frame pointer; a slot
 * is base + offset) that come, in address order, before any load from that slot and before any
 * other store to it.
 */
function initSites(f: Func): Insn[] {
  const bases = hasFramePointer(f) ? [2, 8] : [2];
  const loaded = new Set<string>();
  const stored = new Set<string>();
  const sites: Insn[] = [];
  for (const i of f.insns) {
    if (!(i.d.isLoad || i.d.isStore) || !bases.includes(i.d.rs1!)) continue;
    const slot = `${i.d.rs1}:${i.d.imm}`;
    if (i.d.isLoad) loaded.add(slot);
    else if (!loaded.has(slot) && !stored.has(slot)) sites.push(i);
    if (i.d.isStore) stored.add(slot);
  }
  return sites;
}

/**
 * loop-never-ends sites of f: loops with exactly one exit, a conditional branch. If it is the
 * latch (the loop is left by falling through it), the latch becomes `jal x0, head`; otherwise the
 * latch is an unconditional `jal x0` back and the exit branch becomes a NOP.
 */
function foreverLoops(f: Func): Map<number, Mutation> {
  const out = new Map<number, Mutation>();
  for (const l of loopsOf(f)) {
    if (l.exits.length !== 1 || !l.exits[0].d.isBranch) continue;
    const x = l.exits[0];
    const mutated = x === l.latch ? encodeJal(0, l.head.va - l.latch.va) : NOP;
    if (!out.has(x.va)) out.set(x.va, { mutated, loop: { head: l.head.va, latch: l.latch.va } });
  }
  return out;
}

const all = (_p: Program, f: Func): Insn[] => f.insns;
const memory = (_p: Program, f: Func): Insn[] => f.insns.filter((i) => i.d.isLoad || i.d.isStore);

export const MUTATIONS: Record<string, MutationDef> = {
  TEXT: { sites: all, mutate: (i, rng) => ({ mutated: flipBit(i.word, pick(rng, 32)) }) },
  NOP: { sites: (_p, f) => f.insns.filter((i) => i.word !== NOP), mutate: () => ({ mutated: NOP }) },
  SRC: {
    sites: (_p, f) => f.insns.filter((i) => sourceFields(i.d).length > 0),
    mutate: (i, rng) => ({ mutated: changeReg(i, rng, sourceFields(i.d), 0) }),
  },
  DST: { sites: (_p, f) => f.insns.filter((i) => writesReg(i.d)), mutate: (i, rng) => ({ mutated: changeReg(i, rng, ["rd"], 1) }) },
  PTR: {
    variants: ["base", "offset"],
    sites: memory,
    mutate: (i, rng, v) => ({ mutated: v === "base" ? changeReg(i, rng, ["rs1"], 0) : flipOffset(i, rng) }),
  },
  INTERFACE: {
    variants: ["drop", "corrupt"],
    sites: (_p, f, v) => interfacePairs(f).map(([w]) => w).filter((w) => v !== "corrupt" || corruptible(w)),
    mutate: (i, rng, v, p) => {
      const f = p.funcs[i.fn];
      const call = interfacePairs(f).find(([w]) => w === i)![1];
      return { mutated: v === "drop" ? NOP : corruptArgument(i, rng), callSite: call.va };
    },
  },
  LOOP: {
    sites: (_p, f) => f.insns.filter((i) => i.d.isBranch && (i.d.imm ?? 0) < 0),
    mutate: (i) => ({ mutated: invertBranch(i.word) }),
  },
  BRANCH: { sites: (_p, f) => f.insns.filter((i) => i.d.isBranch), mutate: () => ({ mutated: NOP }) },
  INIT: { sites: (_p, f) => initSites(f), mutate: () => ({ mutated: NOP }) },
  INFINITE_LOOP: {
    variants: ["self-branch", "loop-never-ends"],
    sites: (_p, f, v) => {
      if (v === "self-branch") return f.insns.filter((i) => i.word !== JAL_SELF);
      const loops = foreverLoops(f);
      return f.insns.filter((i) => loops.has(i.va));
    },
    mutate: (i, _rng, v, p) => (v === "self-branch" ? { mutated: JAL_SELF } : foreverLoops(p.funcs[i.fn]).get(i.va)!),
  },
};
