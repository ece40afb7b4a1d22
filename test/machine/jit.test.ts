// Block translation is a cache, never a change in behaviour: the same programs with it on and off
// end in the same state (hash), after the same number of cycles and instructions — including
// loops that touch MMIO, fault, modify their own code and run into the cycle limit mid-loop.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { Machine } from "../../system/machine/machine.js";
import { RAM_BASE } from "../../system/machine/memmap.js";
import { Mode } from "../../system/machine/trap.js";
import { asm, words } from "./asm.js";

const HANDLER = RAM_BASE + 0x1000;
/** Blocks translated across the runs of a test (it must really have used the translator). */
let translated = 0;

/** Runs `code` (with a guest trap handler that skips the faulting instruction) to `cycles`, jit on or off. */
function run(code: number[], jit: boolean, cycles: number, setup?: (m: Machine) => void) {
  const m = new Machine({ ramSize: 1 << 20, disk: 64 });
  m.cpu.jit = jit;
  m.load(RAM_BASE, words(code));
  // Handler: mepc += 4; mret  (csrr t6, mepc; addi t6, t6, 4; csrw mepc, t6; mret)
  m.load(HANDLER, words([asm.csrrs(31, 0x341, 0), asm.addi(31, 31, 4), asm.csrrw(0, 0x341, 31), asm.mret()]));
  m.cpu.reset(RAM_BASE);
  m.cpu.csr.mtvec = HANDLER;
  setup?.(m);
  // Run in several slices, as the machine does between events.
  for (let t = 0; t < cycles; t += 7_777) m.run(Math.min(cycles, t + 7_777));
  translated += m.cpu.translatedBlocks;
  return { hash: m.stateHash(), cycles: m.clock.now, retired: m.cpu.retired, x: Array.from(m.cpu.x) };
}

const xor = (rd: number, rs1: number, rs2: number) => ((rs2 << 20) | (rs1 << 15) | (4 << 12) | (rd << 7) | 0x33) >>> 0;
const andi = (rd: number, rs1: number, imm: number) => ((imm << 20) | (rs1 << 15) | (7 << 12) | (rd << 7) | 0x13) >>> 0;
const jalr = (rd: number, rs1: number, off: number) => (((off & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x67) >>> 0;
/** Two words self-modifying tests swap: "addi x5, x5, 1" and "addi x5, x5, 3". */
const [one, three] = [asm.addi(5, 5, 1), asm.addi(5, 5, 3)];

/**
 * Runs `code`, a loop at RAM_BASE that swaps `one` and `three` in its own text (x7 starts as
 * `x7`, x8 = RAM_BASE, x9 = one ^ three, x6 counts passes), with and without translation: the
 * ends must be equal and every swap seen (x5 grows by 1 and 3 in turn).
 */
function expectSwapsSeen(code: number[], x7: number): void {
  const results = [false, true].map((jit) =>
    run(code, jit, 100_000, (m) => {
      m.cpu.x[7] = x7 | 0;
      m.cpu.x[8] = RAM_BASE;
      m.cpu.x[9] = (one ^ three) | 0;
    }),
  );
  expect(results[1]).toEqual(results[0]);
  const [x5, x6] = [results[0].x[5], results[0].x[6]];
  expect(x6).toBeGreaterThan(1000);
  expect(Math.abs(x5 - 2 * x6)).toBeLessThanOrEqual(3);
}

/** A conditional branch (funct3 f3) over the next instruction: +8. */
const BRANCH = (rs1: number, rs2: number, f3: number) => ((4 << 8) | (f3 << 12) | (rs1 << 15) | (rs2 << 20) | 0x63) >>> 0;

/** A loop of random ALU, load, store and forward-branch instructions over a small data area (x10 = base). */
function randomLoop(rng: seedrandom.PRNG): number[] {
  const body: number[] = [];
  const reg = () => 11 + Math.floor(rng() * 8); // x11..x18
  for (let i = 0; i < 6 + Math.floor(rng() * 20); i++) {
    const r = rng();
    const off = 4 * Math.floor(rng() * 64);
    if (r < 0.15) body.push(asm.lw(reg(), 10, off));
    else if (r < 0.25) body.push(asm.sw(reg(), 10, off));
    else if (r < 0.3) body.push(asm.lb(reg(), 10, off + Math.floor(rng() * 4)));
    else if (r < 0.35) body.push(asm.sb(reg(), 10, off + 1));
    else if (r < 0.4) body.push(asm.lw(reg(), 10, off + 2)); // misaligned: traps, the handler skips it
    else if (r < 0.45) body.push(0x02000033 | (reg() << 7) | (reg() << 15) | (reg() << 20) | (Math.floor(rng() * 8) << 12)); // M extension
    else if (r < 0.52) body.push(BRANCH(reg(), reg(), Math.floor(rng() * 8)), asm.addi(reg(), reg(), 1)); // skips the next one when taken (f3 2, 3 illegal)
    else body.push(asm.add(reg(), reg(), reg()), asm.addi(reg(), reg(), Math.floor(rng() * 4096) - 2048));
  }
  const n = body.length;
  return [
    asm.lui(10, (RAM_BASE + 0x8000) >>> 12),
    asm.addi(19, 0, 0),
    ...body,
    asm.addi(19, 19, 1),
    asm.beq(0, 0, -4 * (n + 1)), // back to the body's start, forever
  ];
}

describe("block translation", () => {
  it("random loops end identically with and without it", () => {
    translated = 0;
    for (let k = 0; k < 40; k++) {
      const code = randomLoop(seedrandom(`jit-${k}`));
      const a = run(code, false, 200_000 + k * 1_000);
      const b = run(code, true, 200_000 + k * 1_000);
      expect(b).toEqual(a);
    }
    expect(translated).toBeGreaterThan(40);
  });

  it("code patched while the loop runs (the injector's way) takes effect in both modes", () => {
    const code = [asm.addi(5, 5, 1), asm.addi(6, 6, 2), asm.beq(0, 0, -8)];
    const results = [false, true].map((jit) => {
      const m = new Machine({ ramSize: 1 << 20, disk: 64 });
      m.cpu.jit = jit;
      m.load(RAM_BASE, words(code));
      m.cpu.reset(RAM_BASE);
      m.run(50_000);
      m.load(RAM_BASE + 4, words([asm.addi(6, 6, 100)])); // host patch, like a fault injection
      m.run(100_000);
      return { hash: m.stateHash(), x6: m.cpu.x[6], blocks: jit ? m.cpu.translatedBlocks > 0 : true };
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[0].x6).toBeGreaterThan(100 * 1000);
  });

  it("a loop that rewrites its own body takes the new code on its next iteration", () => {
    // Each pass stores x7 over the loop's first word, then flips x7.
    expectSwapsSeen([one, asm.sw(7, 8, 0), xor(7, 7, 9), asm.addi(6, 6, 1), asm.beq(0, 0, -16)], three);
  });

  it("a block that rewrites one of its own later instructions runs the new one in the same pass", () => {
    // Each pass flips x7, stores it over the loop's fourth word, then executes that word.
    expectSwapsSeen([xor(7, 7, 9), asm.sw(7, 8, 12), asm.addi(6, 6, 1), one, asm.beq(0, 0, -16)], one);
  });

  it("code rewritten by other code, on another page, between two entries in one slice is seen", () => {
    // Page 0: "addi x5, x5, 1|3", then a call to page 1, which counts rounds in x6 and every 64th
    // round flips that word (x7 ^= x9, stored at x8) before returning to page 0 (x10). The
    // block on page 0 runs many times unchanged, then changed, within one slice.
    const bneSkip2 = (rs1: number) => ((6 << 8) | (1 << 12) | (rs1 << 15) | 0x63) >>> 0; // bne rs1, zero, +12
    const writer = [asm.addi(6, 6, 1), andi(11, 6, 63), bneSkip2(11), xor(7, 7, 9), asm.sw(7, 8, 0), jalr(0, 10, 0)];
    const results = [false, true].map((jit) => {
      const m = new Machine({ ramSize: 1 << 20, disk: 64 });
      m.cpu.jit = jit;
      m.load(RAM_BASE, words([one, asm.jal(1, 0x1000 - 4)]));
      m.load(RAM_BASE + 0x1000, words(writer));
      m.cpu.reset(RAM_BASE);
      Object.assign(m.cpu.x, { 7: three, 8: RAM_BASE, 9: one ^ three, 10: RAM_BASE });
      m.run(300_000); // one slice: nothing else is scheduled
      return { hash: m.stateHash(), x: Array.from(m.cpu.x), blocks: m.cpu.translatedBlocks };
    });
    expect(results[1].blocks).toBeGreaterThan(0);
    expect({ ...results[1], blocks: 0 }).toEqual({ ...results[0], blocks: 0 });
    const [x5, x6] = [results[0].x[5], results[0].x[6]];
    expect(x6).toBeGreaterThan(1000);
    expect(Math.abs(x5 - 2 * x6)).toBeLessThanOrEqual(130); // 64 rounds of +1, then 64 of +3, ...
  });

  it("a jump to itself spins to exactly the cycle limit", () => {
    const results = [false, true].map((jit) => run([asm.jal(0, 0)], jit, 123_457));
    expect(results[1]).toEqual(results[0]);
    expect(results[0].retired).toBeGreaterThan(10_000);
  });

  it("the same physical code run at two virtual addresses is not confused (pc-relative values differ)", () => {
    // A loop with auipc at VA 0x1000 and, through a second mapping, at VA 0x5000 of the same page.
    const loop = [asm.lui(0, 0), 0x00000297 /* auipc t0, 0 */, asm.add(6, 6, 5), asm.addi(7, 7, 1), asm.beq(0, 0, -12)];
    const results = [false, true].map((jit) => {
      const m = new Machine({ ramSize: 1 << 20, disk: 64 });
      m.cpu.jit = jit;
      const code = RAM_BASE + 0x10000, root = RAM_BASE + 0x20000, l0 = RAM_BASE + 0x21000;
      m.load(code, words(loop));
      m.load(root, words([(((l0 >>> 12) << 10) | 1) >>> 0]));
      const leaf = (((code >>> 12) << 10) | 0xdb) >>> 0; // V R X U A D
      m.load(l0 + 4, words([leaf]));
      m.load(l0 + 20, words([leaf]));
      m.cpu.csr.satp = (1 << 31) | (root >>> 12);
      m.cpu.setMode(Mode.U);
      m.cpu.pc = 0x1000;
      m.run(50_000);
      const first = m.cpu.x[5];
      m.cpu.pc = 0x5000;
      m.run(100_000);
      return { first, second: m.cpu.x[5], hash: m.stateHash() };
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[0].first).toBe(0x1004);
    expect(results[0].second).toBe(0x5004);
  });

  it("U-mode with Sv32 and a page that faults mid-loop ends identically", () => {
    const setup = (m: Machine) => {
      // Identity-map the first 4 MiB of RAM as one user superpage, except that data writes go through it too.
      const pt = RAM_BASE + 0x4000;
      m.load(pt + (RAM_BASE >>> 22) * 4, words([(((RAM_BASE >>> 12) << 10) | 0xdf) >>> 0]));
      m.cpu.csr.satp = (1 << 31) | (pt >>> 12);
      m.cpu.csr.medeleg = 0;
      m.cpu.setMode(Mode.U);
    };
    translated = 0;
    for (let k = 0; k < 10; k++) {
      const code = randomLoop(seedrandom(`jit-u-${k}`));
      expect(run(code, true, 150_000, setup)).toEqual(run(code, false, 150_000, setup));
    }
    expect(translated).toBeGreaterThan(10);
  });
});
