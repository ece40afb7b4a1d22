/*
 * Block translation: a hot run of guest instructions (up to and including the unconditional
 * jump that ends it, never crossing a page; a conditional branch, when taken, leaves it early:
 * a side exit) becomes one JavaScript function, so V8 compiles the guest's hot code instead of
 * our interpreter dispatching each instruction.
 *
 * Exactness rules (the interpreter stays the reference):
 * - a block is entered only at its first instruction, never when it holds a breakpoint, under
 *   coverage only when it does not loop (the caller marks the prefix it ran), and only when the
 *   cycle budget covers its worst case (the whole block plus one taken jump);
 * - on every entry its words are compared with RAM, so patched or self-modified code is never
 *   run stale (translated code is a cache, not state: snapshots do not contain it), and its
 *   virtual pc with the current one (the same physical code mapped elsewhere is not reused);
 * - a load or store that misses the TLB fast path, and a jump to a misaligned target, leave the
 *   block *before* that instruction: the interpreter then executes it with full semantics
 *   (page walk, MMIO, faults, watched pages, ownership);
 * - SYSTEM, FENCE and illegal words end a block before them;
 * - no block starts with a JAL or branch to itself (the interpreter skips through such spins).
 * The function reports where it stopped through the `out` record: next pc, instructions
 * completed, cycles used.
 *
 * A block whose jump goes back to its own start (a tight loop: a copy, a poll) iterates inside
 * the function, on exactly the conditions under which the dispatcher would enter it again: the
 * remaining budget covers another worst case, and its words are unchanged — only the block's
 * own stores could change them while it runs, and a store into its own words leaves it at once.
 */
import * as cost from "./costs.js";
import { TLB_MASK } from "./mmu.js";

/** What a block function reports. */
export interface BlockExit {
  pc: number;
  done: number;
  cycles: number;
  /** Software-checked accesses it made (blocks compiled with checks: cpu.ts sfi). */
  checks: number;
}

/**
 * What a block works on: one CPU's registers, exit record, RAM views, TLB arrays and M-extension
 * helper. These objects live as long as the CPU (restores copy into them), so a block function
 * is made once per CPU with them bound, and a call passes just the cycle budget.
 */
export interface BlockEnv {
  x: Int32Array;
  out: BlockExit;
  ram32: Int32Array;
  ram16: Int16Array;
  ramu16: Uint16Array;
  ram8: Int8Array;
  ramu8: Uint8Array;
  tagR: Int32Array;
  offR: Int32Array;
  tagW: Int32Array;
  offW: Int32Array;
  mulDiv: (f3: number, a: number, b: number) => number;
}

/** A translated block: `budget` = cycles left in the slice (another iteration starts only if it stays below). */
export type BlockFn = (budget: number) => void;

const ENV_NAMES = ["x", "out", "ram32", "ram16", "ramu16", "ram8", "ramu8", "tagR", "offR", "tagW", "offW", "mulDiv"] as const;

export interface Block {
  fn: BlockFn;
  /** The virtual pc it was translated at (pc-relative values are baked in). */
  pc: number;
  /** The instruction words it was translated from (validated on entry). */
  words: Int32Array;
  /** Most cycles it can take (budget check). */
  maxCycles: number;
  /** It may go round inside the function (then the instructions it ran are not just a prefix). */
  loops: boolean;
  /** Host cache: whether a breakpoint lies in the block, as of breakpoint generation bpGen. */
  bpGen: number;
  hasBp: boolean;
  /** The CPU's slice in which its words were last found unchanged. */
  slice: number;
  /** Compiled with software checks (cpu.ts sfi): its loads, stores and JALR cost more and report `checks`. */
  sfi: boolean;
}

export const MAX_BLOCK = 48;
/** Executions before a block start is translated. */
export const HOT = 32;

const imm = {
  i: (w: number) => w >> 20,
  s: (w: number) => ((w >> 25) << 5) | ((w >>> 7) & 31),
  b: (w: number) => ((w >> 31) << 12) | ((w << 4) & 0x800) | ((w >>> 20) & 0x7e0) | ((w >>> 7) & 0x1e),
  j: (w: number) => ((w >> 31) << 20) | (w & 0xff000) | ((w >>> 9) & 0x800) | ((w >>> 20) & 0x7fe),
};

/** Code that goes round the block once more when jump target t is its start (see compileBlock). */
type Again = (t: string, done: number, cycles: number, checks: number) => string;

/**
 * Software checks (cpu.ts sfi) for a block: the cycles each checked access costs (0 = none, and
 * no code for them), and the checks made before the instruction being translated.
 */
interface Checks {
  cycles: number;
  before: number;
}

/**
 * JS source of one instruction, or undefined when it must end the block before it. `cyc` is the
 * block's cycles before it; `again` makes a jump to the block's start go round once more; `code`
 * is the block's own bytes in RAM, [from, to) (stores check they miss them). Exits
 * add the iterations already done (bd instructions, bc cycles). A conditional branch does not
 * end the block: taken, it leaves (a side exit); not taken, the block goes on.
 */
function translate(
  w: number, pc: number, i: number, cyc: number, again: Again, code?: [number, number], chk: Checks = { cycles: 0, before: 0 },
): { code: string; ends: boolean; extra: number } | undefined {
  const rd = (w >> 7) & 31, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31, f3 = (w >>> 12) & 7, f7 = w >>> 25;
  const set = (e: string) => (rd === 0 ? "" : `x[${rd}] = ${e};`);
  const A = `x[${rs1}]`, B = `x[${rs2}]`;
  const sfi = chk.cycles;
  // Checks made by the exits: before this instruction, or including it (a load, a store, a JALR).
  const checks = (n: number) => (sfi ? ` out.checks = bk + ${n};` : "");
  const leave = `out.pc = ${pc | 0}; out.done = bd + ${i}; out.cycles = bc + ${cyc};${checks(chk.before)} return;`;
  const jalr = (w & 0x7f) === 0x67;
  const taken = cyc + cost.INSN + cost.JUMP_EXTRA + (jalr ? sfi : 0);
  const after = chk.before + (jalr ? 1 : 0);
  const exit = (t: string) => `${again(t, i + 1, taken, after)} out.pc = ${t}; out.done = bd + ${i + 1}; out.cycles = bc + ${taken};${checks(after)} return;`;
  const jumpTo = (t: string) => `{ const t = ${t}; if (t & 3) { ${leave} } ${exit("t")} }`;
  switch (w & 0x7f) {
    case 0x37: return { code: set(String(w & 0xfffff000)), ends: false, extra: 0 };
    case 0x17: return { code: set(String((pc + (w & 0xfffff000)) | 0)), ends: false, extra: 0 };
    case 0x6f: {
      const t = (pc + imm.j(w)) | 0;
      if (t & 3) return undefined;
      return { code: `${set(String((pc + 4) | 0))} ${exit(String(t))}`, ends: true, extra: cost.JUMP_EXTRA };
    }
    case 0x67:
      if (f3) return undefined;
      // rd may equal rs1: compute the target first.
      return { code: `{ const t = ((${A} + ${imm.i(w)}) & ~1) | 0; if (t & 3) { ${leave} } ${set(String((pc + 4) | 0))} ${exit("t")} }`, ends: true, extra: cost.JUMP_EXTRA };
    case 0x63: {
      const cond = ["===", "!==", "", "", "<", ">=", "<", ">="][f3];
      if (!cond) return undefined;
      const [a, b] = f3 >= 6 ? [`(${A} >>> 0)`, `(${B} >>> 0)`] : [A, B];
      const t = (pc + imm.b(w)) | 0;
      return { code: `if (${a} ${cond} ${b}) ${jumpTo(String(t))}`, ends: false, extra: 0 };
    }
    case 0x03: {
      const arr = { 0: "ram8", 1: "ram16", 2: "ram32", 4: "ramu8", 5: "ramu16" }[f3];
      if (!arr || rd === 0) return undefined; // a load into x0 still faults: the interpreter does it
      const shift = f3 & 3;
      const mis = shift ? ` || (va & ${(1 << shift) - 1}) !== 0` : "";
      return { code: `{ const va = (${A} + ${imm.i(w)}) | 0; const vpn = va >>> 12; const ti = vpn & ${TLB_MASK}; if (tagR[ti] !== vpn${mis}) { ${leave} } x[${rd}] = ${arr}[(offR[ti] + (va & 0xfff)) >> ${shift}]; }`, ends: false, extra: sfi };
    }
    case 0x23: {
      const arr = { 0: "ram8", 1: "ram16", 2: "ram32" }[f3];
      if (!arr) return undefined;
      const shift = f3;
      const mis = shift ? ` || (va & ${(1 << shift) - 1}) !== 0` : "";
      // A store into the block's own words leaves it right after (the rest would be stale).
      const self = code ? ` if (a < ${code[1]} && a > ${code[0] - (1 << shift)}) { out.pc = ${(pc + 4) | 0}; out.done = bd + ${i + 1}; out.cycles = bc + ${cyc + cost.INSN + sfi};${checks(chk.before + 1)} return; }` : "";
      return { code: `{ const va = (${A} + ${imm.s(w)}) | 0; const vpn = va >>> 12; const ti = vpn & ${TLB_MASK}; if (tagW[ti] !== vpn${mis}) { ${leave} } const a = offW[ti] + (va & 0xfff); ${arr}[a >> ${shift}] = ${B};${self} }`, ends: false, extra: sfi };
    }
    case 0x13: {
      const k = imm.i(w);
      switch (f3) {
        case 0: return { code: set(`(${A} + ${k}) | 0`), ends: false, extra: 0 };
        case 2: return { code: set(`${A} < ${k} ? 1 : 0`), ends: false, extra: 0 };
        case 3: return { code: set(`(${A} >>> 0) < ${k >>> 0} ? 1 : 0`), ends: false, extra: 0 };
        case 4: return { code: set(`${A} ^ ${k}`), ends: false, extra: 0 };
        case 6: return { code: set(`${A} | ${k}`), ends: false, extra: 0 };
        case 7: return { code: set(`${A} & ${k}`), ends: false, extra: 0 };
        case 1: return f7 ? undefined : { code: set(`${A} << ${k & 31}`), ends: false, extra: 0 };
        default:
          if (f7 === 0) return { code: set(`${A} >>> ${k & 31}`), ends: false, extra: 0 };
          if (f7 === 0x20) return { code: set(`${A} >> ${k & 31}`), ends: false, extra: 0 };
          return undefined;
      }
    }
    case 0x33: {
      if (f7 === 1) return { code: set(`mulDiv(${f3}, ${A}, ${B})`), ends: false, extra: f3 < 4 ? cost.MUL_EXTRA : cost.DIV_EXTRA };
      if (f7 === 0x20) {
        if (f3 === 0) return { code: set(`(${A} - ${B}) | 0`), ends: false, extra: 0 };
        if (f3 === 5) return { code: set(`${A} >> (${B} & 31)`), ends: false, extra: 0 };
        return undefined;
      }
      if (f7 !== 0) return undefined;
      const e = [`(${A} + ${B}) | 0`, `${A} << (${B} & 31)`, `${A} < ${B} ? 1 : 0`, `(${A} >>> 0) < (${B} >>> 0) ? 1 : 0`, `${A} ^ ${B}`, `${A} >>> (${B} & 31)`, `${A} | ${B}`, `${A} & ${B}`][f3];
      return { code: set(e), ends: false, extra: 0 };
    }
  }
  return undefined; // SYSTEM, FENCE, illegal: the interpreter handles them
}

/**
 * Where the jump or branch `w` at `pc` goes: its static target; for JALR, pc itself (a block
 * that starts with a JALR may be a jump to itself: a spin). Blocks whose jumps cannot reach
 * their start are not wrapped in a loop (correct either way: the dispatcher re-enters them).
 */
function jumpsTo(w: number, pc: number): number | undefined {
  switch (w & 0x7f) {
    case 0x63: return (pc + imm.b(w)) | 0;
    case 0x6f: return (pc + imm.j(w)) | 0;
    case 0x67: return pc | 0;
  }
  return undefined;
}

/**
 * Whether `w` is a JAL or conditional branch to its own address: a spin when it jumps. Blocks
 * never start with one: the interpreter skips through a spin in one step (cpu.ts, spinRepeats),
 * where a block would go round once per iteration. (One inside a block leaves it when taken,
 * for the interpreter at its address.) The CPU keeps such a word cold rather than untranslatable:
 * an injected spin is patched back when the fault ends.
 */
export function spinsAt(w: number): boolean {
  const op = w & 0x7f;
  return (op === 0x6f && imm.j(w) === 0) || (op === 0x63 && imm.b(w) === 0);
}

/** Whether `w` is a load, a store or a JALR: an access the software checks cover (cpu.ts sfi). */
const checkedOp = (w: number): boolean => {
  const op = w & 0x7f;
  return op === 0x03 || op === 0x23 || op === 0x67;
};

/**
 * Translates the block starting at RAM word `w` (virtual pc `pc`), or returns undefined when its
 * first instruction cannot be translated. `sfi`: cycles of a software check on each load, store
 * and JALR (cpu.ts sfi); 0, the default, compiles exactly the code of a machine without them.
 */
export function compileBlock(env: BlockEnv, w: number, pc: number, sfi = 0): Block | undefined {
  const ram32 = env.ram32;
  if (spinsAt(ram32[w])) return undefined;
  // First pass: how far the block goes, whether it jumps, its worst case.
  let n = 0;
  let cycles = 0;
  let ended = false;
  let jumps = false;
  let loops = false; // some jump may go back to the start
  const none = () => "";
  let checks = 0;
  for (; n < MAX_BLOCK; n++) {
    const a = (pc + 4 * n) | 0;
    if (n > 0 && (a & 0xfff) === 0) break; // never cross a page
    const word = ram32[w + n];
    const t = translate(word, a, n, cycles, none, undefined, { cycles: sfi, before: checks });
    if (!t) break;
    jumps ||= (word & 0x7f) === 0x63 || t.ends;
    loops ||= jumpsTo(word, a) === (pc | 0);
    cycles += cost.INSN + (t.ends ? 0 : t.extra); // a jump's extra: once, in maxCycles
    if (sfi && checkedOp(word)) checks++;
    if (t.ends) {
      n++;
      ended = true;
      break;
    }
  }
  if (n === 0) return undefined;
  // The longest path is the whole block; a taken branch or a jump adds JUMP_EXTRA once (and a
  // JALR that ends it its check).
  const endsChecked = ended && sfi !== 0 && (ram32[w + n - 1] & 0x7f) === 0x67;
  const maxCycles = cycles + (jumps ? cost.JUMP_EXTRA : 0) + (endsChecked ? sfi : 0);
  const words = ram32.slice(w, w + n);
  // Second pass: the code, with the loop back to the start where a jump can take it.
  const again: Again = (t, done, used, chk) =>
    `if (${t} === ${pc | 0} && bc + ${used + maxCycles} < budget) { bd += ${done}; bc += ${used};${sfi ? ` bk += ${chk};` : ""} continue; }`;
  const parts: string[] = [];
  let cyc = 0;
  let chk = 0;
  for (let k = 0; k < n; k++) {
    const word = ram32[w + k];
    const t = translate(word, (pc + 4 * k) | 0, k, cyc, loops ? again : none, [4 * w, 4 * (w + n)], { cycles: sfi, before: chk })!;
    parts.push(t.code);
    cyc += cost.INSN + (t.ends ? 0 : t.extra);
    if (sfi && checkedOp(word)) chk++;
  }
  if (!ended) parts.push(`out.pc = ${(pc + 4 * n) | 0}; out.done = bd + ${n}; out.cycles = bc + ${cycles};${sfi ? ` out.checks = bk + ${checks};` : ""} return;`);
  const counters = sfi ? "bd = 0, bc = 0, bk = 0" : "bd = 0, bc = 0";
  const body = loops ? `let ${counters};\nfor (;;) {\n${parts.join("\n")}\n}` : `const ${counters};\n${parts.join("\n")}`;
  const make = new Function(...ENV_NAMES, `"use strict";\nreturn function block(budget) {\n${body}\n};`);
  const fn = make(...ENV_NAMES.map((k) => env[k])) as BlockFn;
  return { fn, pc: pc | 0, words, maxCycles, loops, bpGen: -1, hasBp: false, slice: -1, sfi: sfi !== 0 };
}
