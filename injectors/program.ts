/*
 * A driver image seen as code: its functions (from the ELF's function symbols in executable
 * segments), every instruction word in them, decoded, and the control-flow facts the fault
 * types need — branch targets (basic-block starts), loops (backward jumps) and their exits.
 * Pure: built from an ElfImage, never from a running system.
 */
import { decode, type Decoded } from "../system/machine/disasm.js";
import { PF_W, PF_X, type ElfImage } from "../system/machine/elf.js";

export interface Insn {
  va: number;
  word: number;
  d: Decoded;
  /** Index of the function in Program.funcs. */
  fn: number;
}

export interface Func {
  name: string;
  start: number;
  /** First address past the function. */
  end: number;
  insns: Insn[];
  /** Addresses inside the function that some branch or jal of the function jumps to. */
  targets: Set<number>;
}

export interface Program {
  elf: ElfImage;
  funcs: Func[];
  /** The driver's data and bss: writable allocated sections inside writable segments, as [vaddr, size]. */
  data: Array<[number, number]>;
}

/** Builds the Program of an image: functions sorted by address, one symbol per address. */
export function analyze(elf: ElfImage): Program {
  const code = elf.segments.filter((s) => s.flags & PF_X);
  const seen = new Set<number>();
  const syms = elf.symbols
    .filter((s) => s.type === "func" && s.size > 0 && code.some((g) => s.value >= g.vaddr && s.value + s.size <= g.vaddr + g.filesz))
    .sort((a, b) => a.value - b.value || (a.bind === "local" ? 1 : 0) - (b.bind === "local" ? 1 : 0));
  const funcs: Func[] = [];
  for (const s of syms) {
    if (seen.has(s.value)) continue;
    seen.add(s.value);
    const seg = code.find((g) => s.value >= g.vaddr && s.value < g.vaddr + g.filesz)!;
    const view = new DataView(seg.data.buffer, seg.data.byteOffset, seg.data.byteLength);
    const words: number[] = [];
    for (let va = s.value; va + 4 <= s.value + s.size; va += 4) words.push(view.getUint32(va - seg.vaddr, true));
    funcs.push(makeFunc(s.name, s.value, words, funcs.length));
  }
  return { elf, funcs, data: dataRegions(elf) };
}

const SHF_WRITE = 1;
const SHF_ALLOC = 2;

/** Writable sections (.data, .bss, ...) within writable segments; the segments themselves if the image has no section headers. */
function dataRegions(elf: ElfImage): Array<[number, number]> {
  const segs = elf.segments.filter((s) => s.flags & PF_W);
  const inSeg = (a: number, n: number) => segs.some((g) => a >= g.vaddr && a + n <= g.vaddr + g.memsz);
  const secs = elf.sections.filter((s) => (s.flags & (SHF_WRITE | SHF_ALLOC)) === (SHF_WRITE | SHF_ALLOC) && s.size >= 4 && inSeg(s.addr, s.size));
  if (secs.length) return secs.map((s): [number, number] => [s.addr, s.size]);
  return segs.map((s): [number, number] => [s.vaddr, s.memsz]);
}

/** A function of `words` at address `start`, decoded, with its branch targets; `fn` is its index in the program. */
export function makeFunc(name: string, start: number, words: number[], fn = 0): Func {
  const insns = words.map((word, k): Insn => ({ va: start + 4 * k, word: word >>> 0, d: decode(word), fn }));
  const end = start + 4 * words.length;
  return { name, start, end, insns, targets: branchTargets(insns, start, end) };
}

/** Target of a conditional branch or jal at `i` (undefined for anything else). */
export function jumpTarget(i: Insn): number | undefined {
  return i.d.isBranch || i.d.op === "jal" ? (i.va + (i.d.imm ?? 0)) >>> 0 : undefined;
}

function branchTargets(insns: Insn[], start: number, end: number): Set<number> {
  const t = new Set<number>();
  for (const i of insns) {
    const to = jumpTarget(i);
    if (to !== undefined && to >= start && to < end) t.add(to);
  }
  return t;
}

/** The function containing `va`, or undefined. */
export function funcAt(p: Program, va: number): Func | undefined {
  return p.funcs.find((f) => va >= f.start && va < f.end);
}

/** The instruction at `va`, or undefined if no function holds it. */
export function insnAt(p: Program, va: number): Insn | undefined {
  const f = funcAt(p, va);
  return f && f.insns[(va - f.start) >>> 2];
}

/**
 * The functions named in `targets` (every function when absent). An error names the first
 * target that is no function of the image.
 */
export function selectFuncs(p: Program, targets: string[] | undefined, driver: string): Func[] | { error: string } {
  if (!targets) return p.funcs;
  const out: Func[] = [];
  for (const name of targets) {
    const f = p.funcs.find((g) => g.name === name);
    if (!f) return { error: `${driver} has no function named "${name}"` };
    out.push(f);
  }
  return out;
}

/** A loop: a backward jump (conditional branch or `jal x0`) at `latch` to `head` <= latch. */
export interface Loop {
  head: Insn;
  latch: Insn;
  /** Instructions through which control can leave [head, latch] (see loopExits). */
  exits: Insn[];
}

/** Every loop of function f, innermost first by address of the latch. */
export function loopsOf(f: Func): Loop[] {
  const loops: Loop[] = [];
  for (const latch of f.insns) {
    const to = jumpTarget(latch);
    if (to === undefined || to > latch.va || to < f.start) continue;
    if (!latch.d.isBranch && latch.d.rd !== 0) continue; // a backward call is no loop
    const head = f.insns[(to - f.start) >>> 2];
    loops.push({ head, latch, exits: loopExits(f, head.va, latch) });
  }
  return loops;
}

/**
 * The instructions through which control leaves the region [head, latch] (conservatively, in
 * address order): a conditional branch or `jal x0` whose target is outside; a `jalr x0`
 * (return, tail call, indirect jump); and the latch itself when it is conditional (its fall-
 * through leaves). Calls (jal/jalr linking ra or another register) return, so they are no exits.
 */
function loopExits(f: Func, head: number, latch: Insn): Insn[] {
  const exits: Insn[] = [];
  for (let va = head; va <= latch.va; va += 4) {
    const i = f.insns[(va - f.start) >>> 2];
    const to = jumpTarget(i);
    const leaves = to !== undefined && (to < head || to > latch.va) && (i.d.isBranch || i.d.rd === 0);
    const indirect = i.d.op === "jalr" && i.d.rd === 0;
    if (leaves || indirect || (i === latch && i.d.isBranch)) exits.push(i);
  }
  return exits;
}
