// Counter CSRs (writes instead of the increment, 64 bits exact modulo 2^64) and the trigger CSRs
// of a hart with no triggers: on the real machine, and on csr.ts alone with literal counts.
import { describe, expect, it } from "vitest";
import { CSR, csrRead, csrWrite, resetCsrs, type CsrHart } from "../../system/machine/csr.js";
import { Machine } from "../../system/machine/machine.js";
import { RAM_BASE } from "../../system/machine/memmap.js";
import { Cause, Mode } from "../../system/machine/trap.js";
import { asm, words } from "./asm.js";

const HANDLER = RAM_BASE + 0x1000;
const T0 = 5;
const [A0, A1, A2, A3] = [10, 11, 12, 13];

/** Runs `code` (then `j .`) from RAM_BASE in M-mode for `cycles`; guest traps spin at HANDLER. */
function run(code: number[], cycles = 200, mode: number = Mode.M): Machine {
  const m = new Machine({ ramSize: 1 << 20 });
  m.load(RAM_BASE, words([...code, asm.jal(0, 0)]));
  m.load(HANDLER, words([asm.jal(0, 0)]));
  m.cpu.reset(RAM_BASE);
  m.cpu.csr.mtvec = HANDLER;
  m.cpu.setMode(mode);
  m.run(cycles);
  return m;
}

/** `li rd, v` for any 32-bit v (lui + addi). */
function li(rd: number, v: number): number[] {
  const lo = (v << 20) >> 20;
  return [asm.lui(rd, ((v - lo) >>> 12) & 0xfffff), asm.addi(rd, rd, lo)];
}

const reg = (m: Machine, r: number): number => m.cpu.x[r] >>> 0;

describe("a counter write is done instead of the writing instruction's increment (Zicsr)", () => {
  // Zicsr: "if a CSR access instruction reads a CSR, it reads the value prior to the execution of
  // the instruction. If a CSR access instruction writes such a CSR, the write is done instead of
  // the increment." So the instruction after a write reads the value written; the reading
  // instruction itself is not yet counted.
  it("csrwi minstret, 0; csrr a0, minstret reads 0", () => {
    const m = run([asm.nop(), asm.nop(), asm.csrrwi(0, CSR.minstret, 0), asm.csrrs(A0, CSR.minstret, 0), asm.csrrs(A1, CSR.instret, 0)]);
    expect(m.cpu.csr.mcause).toBe(0);
    expect(reg(m, A0)).toBe(0);
    expect(reg(m, A1)).toBe(1); // the csrr before it retired since
  });

  it("csrwi mcycle, 0; csrr a0, mcycle reads 0 (one cycle per instruction here)", () => {
    const m = run([asm.nop(), asm.csrrwi(0, CSR.mcycle, 0), asm.csrrs(A0, CSR.mcycle, 0), asm.nop(), asm.csrrs(A1, CSR.cycle, 0)]);
    expect([reg(m, A0), reg(m, A1)]).toEqual([0, 2]);
  });

  it("csrrw returns the count before the instruction; the next one reads what it wrote", () => {
    const m = run([asm.nop(), asm.nop(), asm.nop(), ...li(T0, 100), asm.csrrw(A0, CSR.minstret, T0), asm.csrrs(A1, CSR.minstret, 0)]);
    expect([reg(m, A0), reg(m, A1)]).toEqual([5, 100]);
  });

  it("a write to the high half keeps the low half from before the instruction and stops its increment", () => {
    const m = run([asm.nop(), asm.nop(), asm.csrrwi(0, CSR.minstreth, 7), asm.csrrs(A0, CSR.minstret, 0), asm.csrrs(A1, CSR.instreth, 0)]);
    expect([reg(m, A0), reg(m, A1)]).toEqual([2, 7]);
  });

  it("the user-mode shadows are read-only: a write is an illegal instruction", () => {
    for (const num of [CSR.cycle, CSR.instret, CSR.cycleh, CSR.instreth]) {
      const m = run([asm.csrrwi(0, num, 0)]);
      expect(m.cpu.csr.mcause).toBe(Cause.IllegalInsn);
    }
  });
});

describe("64-bit counters are exact modulo 2^64", () => {
  it("after csrw minstreth, 0x7fffffff two back-to-back reads of minstret differ by one", () => {
    const m = run([...li(T0, 0x7fff_ffff), asm.csrrw(0, CSR.minstreth, T0), asm.csrrs(A0, CSR.minstret, 0), asm.csrrs(A1, CSR.minstret, 0), asm.csrrs(A2, CSR.minstreth, 0)]);
    expect([reg(m, A0), reg(m, A1), reg(m, A2)]).toEqual([2, 3, 0x7fff_ffff]);
  });

  it("after csrw mcycleh, -1; csrw mcycle, 0 mcycle advances and mcycleh stays all ones", () => {
    const m = run([asm.addi(T0, 0, -1), asm.csrrw(0, CSR.mcycleh, T0), asm.csrrw(0, CSR.mcycle, 0), asm.csrrs(A0, CSR.mcycle, 0), asm.nop(), asm.csrrs(A1, CSR.mcycle, 0), asm.csrrs(A2, CSR.mcycleh, 0)]);
    expect([reg(m, A0), reg(m, A1), reg(m, A2)]).toEqual([0, 2, 0xffff_ffff]);
  });

  for (const [name, lo, hi, shadowLo, shadowHi] of [
    ["minstret", CSR.minstret, CSR.minstreth, CSR.instret, CSR.instreth],
    ["mcycle", CSR.mcycle, CSR.mcycleh, CSR.cycle, CSR.cycleh],
  ] as const)
    it(`${name} counts across the 2^64 wrap, and the high half reads right on both sides`, () => {
      const m = run([
        asm.addi(T0, 0, -1), asm.csrrw(0, hi, T0), asm.addi(T0, 0, -3), asm.csrrw(0, lo, T0), // 2^64 - 3 from here
        asm.csrrs(A0, lo, 0), // 2^64 - 3
        asm.csrrs(A1, shadowHi, 0), // 2^64 - 2: high half all ones
        asm.nop(), // 2^64 - 1
        asm.csrrs(A2, hi, 0), // 0: wrapped
        asm.csrrs(A3, shadowLo, 0), // 1
      ]);
      expect([reg(m, A0), reg(m, A1), reg(m, A2), reg(m, A3)]).toEqual([0xffff_fffd, 0xffff_ffff, 0, 1]);
    });
});

/** A hart for csr.ts alone: raw counts given, the instruction adding one to each. */
function hart(cycles: number, instret: number): CsrHart {
  return {
    csr: resetCsrs(),
    mode: Mode.M,
    cycles: (end) => (end ? cycles + 1 : cycles),
    instret: (end) => (end ? instret + 1 : instret),
    mtime: () => 0,
  };
}

describe("counters on raw counts beyond 2^32 and near 2^53 (csr.ts alone)", () => {
  it("reads split a raw count exactly", () => {
    const h = hart(2 ** 52 + 2 ** 32 * 5 + 7, 2 ** 33 + 1);
    expect(csrRead(h, CSR.mcycle)).toBe(7);
    expect(csrRead(h, CSR.mcycleh)).toBe(2 ** 20 + 5);
    expect(csrRead(h, CSR.minstret)).toBe(1);
    expect(csrRead(h, CSR.minstreth)).toBe(2);
  });

  it("a write sets the value at the instruction's end; later counts add to it exactly", () => {
    const h = hart(2 ** 52 + 3, 0);
    expect(csrWrite(h, CSR.mcycleh, 0xffff_fffe)).toBe(true);
    // The low half kept its value from before the instruction (3), with no increment.
    const later = { ...h, cycles: () => 2 ** 52 + 4 + 0xffff_fffc }; // 0xffff_fffc cycles after the write
    expect(csrRead(later, CSR.mcycle)! >>> 0).toBe(0xffff_ffff);
    expect(csrRead(later, CSR.mcycleh)! >>> 0).toBe(0xffff_fffe);
    const wrapped = { ...h, cycles: () => 2 ** 52 + 4 + 0xffff_fffc + 2 ** 32 + 1 };
    expect(csrRead(wrapped, CSR.mcycle)! >>> 0).toBe(0);
    expect(csrRead(wrapped, CSR.mcycleh)! >>> 0).toBe(0);
  });
});

describe("trigger CSRs: a hart with no triggers (debug spec)", () => {
  it("tselect, tdata1..3 read 0 and ignore writes; tinfo reads 1 (no trigger at this tselect)", () => {
    const nums = [CSR.tselect, CSR.tdata1, CSR.tdata2, CSR.tdata3, CSR.tinfo];
    const m = run([asm.addi(T0, 0, -1), ...nums.map((n) => asm.csrrw(0, n, T0)), ...nums.map((n, k) => asm.csrrs(A0 + k, n, 0))]);
    expect(m.cpu.csr.mcause).toBe(0); // no trap
    expect(m.cpu.pc >>> 0).toBe(RAM_BASE + 4 * (1 + 2 * nums.length));
    expect(nums.map((_, k) => reg(m, A0 + k))).toEqual([0, 0, 0, 0, 1]);
  });

  it("are machine-mode CSRs: from S-mode an access is an illegal instruction", () => {
    const m = run([asm.csrrs(A0, CSR.tselect, 0)], 200, Mode.S);
    expect(m.cpu.csr.mcause).toBe(Cause.IllegalInsn);
  });
});
