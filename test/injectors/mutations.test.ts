// The code mutations on literal RV32 words and tiny literal functions: each one changes exactly
// the field its definition names (checked by decoding before and after), and the site rules
// (INTERFACE's basic block, INIT's first store to a slot, LOOP's backward branch, a loop's single
// exit) pick exactly the instructions they should.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { MUTATIONS, argumentWriter } from "../../injectors/mutations.js";
import { makeFunc, loopsOf, type Func, type Program } from "../../injectors/program.js";
import { encodeJal, JAL_SELF, NOP } from "../../injectors/rv32.js";
import { decode, disassemble, type Decoded } from "../../system/machine/disasm.js";
import { asm } from "../machine/asm.js";

const [ZERO, RA, SP, S0, S1, A0, A1, A2, S7] = [0, 1, 2, 8, 9, 10, 11, 12, 23];
const bne = (rs1: number, rs2: number, off: number) => (asm.beq(rs1, rs2, off) | (1 << 12)) >>> 0;
const bltu = (rs1: number, rs2: number, off: number) => (asm.beq(rs1, rs2, off) | (6 << 12)) >>> 0;
const jalr = (rd: number, rs1: number, imm: number) => ((imm & 0xfff) << 20 | (rs1 << 15) | (rd << 7) | 0x67) >>> 0;

const LW = asm.lw(A0, S1, 8);
const SW = asm.sw(S7, SP, 12);
const ADD = asm.add(A0, A1, A2);

function program(...funcs: Func[]): Program {
  return { elf: { entry: 0, segments: [], symbols: [], sections: [] }, funcs, data: [] };
}
const insn = (word: number, va = 0x1000) => makeFunc("f", va, [word]).insns[0];

/** The Decoded fields that differ between two words. */
function changed(a: number, b: number): string[] {
  const da = decode(a) as unknown as Record<string, unknown>;
  const db = decode(b) as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(da), ...Object.keys(db)]);
  return [...keys].filter((k) => da[k] !== db[k]).sort();
}
const popcount = (v: number) => v.toString(2).split("").filter((c) => c === "1").length;

describe("literal words", () => {
  it("are what the tests say they are", () => {
    expect(disassemble(LW)).toBe("lw a0, 8(s1)");
    expect(disassemble(SW)).toBe("sw s7, 12(sp)");
    expect(disassemble(ADD)).toBe("add a0, a1, a2");
    expect(disassemble(bne(A0, ZERO, -8))).toBe("bne a0, zero, -8");
    expect(disassemble(NOP)).toBe("addi zero, zero, 0");
    expect(disassemble(JAL_SELF)).toBe("jal zero, 0");
    expect(disassemble(encodeJal(0, -24))).toBe("jal zero, -24");
    expect(disassemble(encodeJal(RA, 0x7fffe))).toBe("jal ra, 524286");
  });

  it("TEXT flips exactly one bit", () => {
    for (let s = 0; s < 50; s++) {
      const m = MUTATIONS.TEXT.mutate(insn(LW), seedrandom(`t${s}`), undefined, program());
      expect(popcount((m.mutated ^ LW) >>> 0)).toBe(1);
    }
  });

  it("NOP, BRANCH and INIT replace the word by addi x0, x0, 0", () => {
    for (const t of ["NOP", "BRANCH", "INIT"]) expect(MUTATIONS[t].mutate(insn(SW), seedrandom("n"), undefined, program()).mutated).toBe(NOP);
  });

  it("SRC changes exactly one source register field to another register", () => {
    for (let s = 0; s < 60; s++) {
      const lw = MUTATIONS.SRC.mutate(insn(LW), seedrandom(`s${s}`), undefined, program()).mutated;
      expect(changed(LW, lw)).toEqual(["rs1"]);
      const add = MUTATIONS.SRC.mutate(insn(ADD), seedrandom(`s${s}`), undefined, program()).mutated;
      expect([["rs1"], ["rs2"]]).toContainEqual(changed(ADD, add));
      expect(decode(add).op).toBe("add");
    }
  });

  it("DST changes exactly rd, never to x0", () => {
    const seen = new Set<number>();
    for (let s = 0; s < 200; s++) {
      const m = MUTATIONS.DST.mutate(insn(ADD), seedrandom(`d${s}`), undefined, program()).mutated;
      expect(changed(ADD, m)).toEqual(["rd"]);
      seen.add(decode(m).rd!);
    }
    expect(seen.has(0)).toBe(false);
    expect(seen.has(A0)).toBe(false);
    expect(seen.size).toBe(30); // every other register can be chosen
  });

  it("PTR changes the base register or exactly one bit of the 12-bit offset (I and S layouts)", () => {
    for (let s = 0; s < 60; s++) {
      for (const w of [LW, SW]) {
        const base = MUTATIONS.PTR.mutate(insn(w), seedrandom(`p${s}`), "base", program()).mutated;
        expect(changed(w, base)).toEqual(["rs1"]);
        const off = MUTATIONS.PTR.mutate(insn(w), seedrandom(`p${s}`), "offset", program()).mutated;
        expect(changed(w, off)).toEqual(["imm"]);
        expect(popcount((off ^ w) >>> 0)).toBe(1);
        expect(popcount((decode(off).imm! ^ decode(w).imm!) & 0xfff)).toBe(1);
      }
    }
  });

  it("LOOP flips funct3 bit 0 of a branch: beq<->bne, blt<->bge, bltu<->bgeu", () => {
    const pairs: Array<[number, string]> = [[asm.beq(A0, A1, -8), "bne"], [bne(A0, A1, -8), "beq"], [bltu(A0, A1, -8), "bgeu"]];
    for (const [w, inverse] of pairs) {
      const m = MUTATIONS.LOOP.mutate(insn(w), seedrandom("l"), undefined, program()).mutated;
      expect(changed(w, m)).toEqual(["op"]);
      expect(decode(m).op).toBe(inverse);
    }
    const blt = (asm.beq(A0, A1, -8) | (4 << 12)) >>> 0;
    expect(decode(MUTATIONS.LOOP.mutate(insn(blt), seedrandom("l"), undefined, program()).mutated).op).toBe("bge");
  });
});

describe("site rules on literal functions", () => {
  it("LOOP sites are backward conditional branches only", () => {
    const f = makeFunc("f", 0x1000, [asm.addi(A0, A0, 1), bne(A0, A1, -4), asm.beq(A0, ZERO, 8), asm.nop()]);
    expect(MUTATIONS.LOOP.sites(program(f), f).map((i) => i.va)).toEqual([0x1004]);
    expect(MUTATIONS.BRANCH.sites(program(f), f).map((i) => i.va)).toEqual([0x1004, 0x1008]);
  });

  it("INTERFACE takes the nearest argument write before a call, within its basic block", () => {
    const call = asm.jal(RA, 64);
    const f = makeFunc("f", 0x1000, [asm.addi(A0, ZERO, 5), asm.addi(A1, S0, 0), asm.lui(5, 1), call]);
    const p = program(f);
    expect(argumentWriter(f, f.insns[3])?.va).toBe(0x1004); // addi a1, s0, 0 (lui t0 is no argument)
    const drop = MUTATIONS.INTERFACE.mutate(f.insns[1], seedrandom("i"), "drop", p);
    expect(drop).toEqual({ mutated: NOP, callSite: 0x100c });
    for (let s = 0; s < 40; s++) {
      const m = MUTATIONS.INTERFACE.mutate(f.insns[1], seedrandom(`i${s}`), "corrupt", p).mutated;
      expect(changed(f.insns[1].word, m)).toEqual(["imm"]);
      expect(popcount((m ^ f.insns[1].word) >>> 0)).toBe(1);
    }
    const viaJalr = makeFunc("g", 0x1000, [asm.add(A2, S0, S1), 0x00000097 /* auipc ra, 0 */, jalr(RA, RA, 16)]);
    const corrupt = MUTATIONS.INTERFACE.mutate(viaJalr.insns[0], seedrandom("r"), "corrupt", program(viaJalr)).mutated;
    expect([["rs1"], ["rs2"]]).toContainEqual(changed(viaJalr.insns[0].word, corrupt));
  });

  it("INTERFACE finds nothing across a branch, a jump target, or beyond its window", () => {
    const call = asm.jal(RA, 64);
    const branch = makeFunc("f", 0x1000, [asm.addi(A0, ZERO, 5), asm.beq(S0, ZERO, 8), asm.nop(), call]);
    expect(argumentWriter(branch, branch.insns[3])).toBeUndefined();
    // 0x1004 is a branch target: the block starts there, so a0's write at 0x1000 is in another block.
    const target = makeFunc("g", 0x1000, [asm.addi(A0, ZERO, 5), asm.nop(), call, asm.beq(S0, ZERO, -8)]);
    expect(argumentWriter(target, target.insns[2])).toBeUndefined();
    const far = makeFunc("h", 0x1000, [asm.addi(A0, ZERO, 5), ...Array(6).fill(asm.nop()), call]);
    expect(argumentWriter(far, far.insns[7])).toBeUndefined();
  });

  it("INIT sites are the first stores to a stack slot, before any load from it", () => {
    const f = makeFunc("f", 0x1000, [
      asm.addi(SP, SP, -16), asm.sw(RA, SP, 12), asm.lw(A0, SP, 8), asm.sw(A0, SP, 8), asm.sw(A1, SP, 4), asm.sw(A2, SP, 4), asm.sw(A0, S1, 0),
    ]);
    expect(MUTATIONS.INIT.sites(program(f), f).map((i) => i.va)).toEqual([0x1004, 0x1010]);
    const fp = makeFunc("g", 0x1000, [asm.addi(SP, SP, -16), asm.addi(S0, SP, 16), asm.sw(A0, S0, -12)]);
    expect(MUTATIONS.INIT.sites(program(fp), fp).map((i) => i.va)).toEqual([0x1008]);
  });

  it("loop-never-ends makes a single-exit loop's exit go away", () => {
    // do { a0++ } while (a0 != a1): the latch is the only exit; it becomes `jal zero, head`.
    const bottom = makeFunc("f", 0x1000, [asm.addi(A0, A0, 1), bne(A0, A1, -4), jalr(ZERO, RA, 0)]);
    const p1 = program(bottom);
    expect(loopsOf(bottom).map((l) => l.exits.map((x) => x.va))).toEqual([[0x1004]]);
    const m1 = MUTATIONS.INFINITE_LOOP.mutate(bottom.insns[1], seedrandom("x"), "loop-never-ends", p1);
    expect(m1).toEqual({ mutated: encodeJal(0, -4), loop: { head: 0x1000, latch: 0x1004 } });
    expect(decode(m1.mutated)).toMatchObject({ op: "jal", rd: 0, imm: -4 } satisfies Partial<Decoded>);
    // while (a0 != a1) a0++: the top test is the only exit; it becomes a NOP.
    const top = makeFunc("g", 0x1000, [asm.beq(A0, A1, 12), asm.addi(A0, A0, 1), asm.jal(0, -8), jalr(ZERO, RA, 0)]);
    expect(MUTATIONS.INFINITE_LOOP.sites(program(top), top, "loop-never-ends").map((i) => i.va)).toEqual([0x1000]);
    expect(MUTATIONS.INFINITE_LOOP.mutate(top.insns[0], seedrandom("x"), "loop-never-ends", program(top)).mutated).toBe(NOP);
    // Two exits: no site.
    const two = makeFunc("h", 0x1000, [asm.beq(A0, ZERO, 12), asm.addi(A0, A0, 1), bne(A0, A1, -8), jalr(ZERO, RA, 0)]);
    expect(MUTATIONS.INFINITE_LOOP.sites(program(two), two, "loop-never-ends")).toEqual([]);
    expect(MUTATIONS.INFINITE_LOOP.mutate(two.insns[1], seedrandom("x"), "self-branch", program(two)).mutated).toBe(JAL_SELF);
  });
});
