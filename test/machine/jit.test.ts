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

describe("block translation with software isolation (cpu.ts sfi: Singularity's checks)", () => {
  const DOMAIN = 3;
  const DATA = RAM_BASE + 0x8000; // randomLoop's data area (x10)
  const FOREIGN = RAM_BASE + 0x9000; // a page owned by nobody (0)
  const page = (pa: number) => (pa - RAM_BASE) >>> 12;

  /** run() in `mode` with the CPU's software checks on (2 cycles each), the code and data pages owned by the running domain. */
  function runChecked(code: number[], jit: boolean, cycles: number, mode: number, setup?: (m: Machine) => void) {
    let machine!: Machine;
    const r = run(code, jit, cycles, (m) => {
      machine = m;
      m.cpu.sfi = true;
      m.cpu.sfiCycles = 2;
      m.cpu.owner[page(RAM_BASE)] = DOMAIN;
      m.cpu.owner[page(DATA)] = DOMAIN;
      m.cpu.domain = DOMAIN;
      m.cpu.csr.medeleg = 0;
      m.cpu.setMode(mode); // satp is Bare: addresses are physical, the checks are all that guard them
      setup?.(m);
    });
    const cpu = machine.cpu;
    const foreign = machine.bus.ram32[(FOREIGN + 4 - RAM_BASE) >>> 2];
    return { ...r, checks: cpu.sfiChecks, mcause: cpu.csr.mcause, mtval: cpu.csr.mtval, foreign };
  }

  it.each([
    ["S", Mode.S],
    ["U", Mode.U],
  ])("random loops in %s-mode end identically with and without it: state, cycles, instructions and checks", (_, mode) => {
    translated = 0;
    for (let k = 0; k < 12; k++) {
      const code = randomLoop(seedrandom(`jit-sfi-${mode}-${k}`));
      const cycles = 150_000 + k * 1_000;
      const a = runChecked(code, false, cycles, mode);
      const b = runChecked(code, true, cycles, mode);
      expect(b).toEqual(a);
      expect(a.checks).toBeGreaterThan(0); // counted outside M-mode only: the loop ran in `mode`
      expect(a.x[19]).toBeGreaterThan(100); // passes of the loop
      // The checks cost cycles: the same loop without them retires more instructions in the same time.
      const plain = run(code, false, cycles, (m) => m.cpu.setMode(mode));
      expect(plain.retired).toBeGreaterThan(a.retired);
    }
    expect(translated).toBeGreaterThan(12);
  });

  it("calls through JALR (a checked indirect jump) to another owned page: the same ends, three checks a pass (load, store, jalr)", () => {
    const FN = RAM_BASE + 0x2000;
    // Page 0: count a pass, call FN, loop. FN: increment the data word, return through x1.
    const main = [asm.lui(10, DATA >>> 12), asm.addi(19, 19, 1), asm.jal(1, FN - (RAM_BASE + 8)), asm.beq(0, 0, -8)];
    const fn = [asm.lw(11, 10, 0), asm.addi(11, 11, 1), asm.sw(11, 10, 0), jalr(0, 1, 0)];
    translated = 0;
    const results = [false, true].map((jit) =>
      runChecked(main, jit, 120_000, Mode.U, (m) => {
        m.load(FN, words(fn));
        m.cpu.owner[page(FN)] = DOMAIN;
      }),
    );
    expect(results[1]).toEqual(results[0]);
    expect(translated).toBeGreaterThan(0);
    const { x, checks } = results[0];
    expect(x[19]).toBeGreaterThan(1000);
    expect(Math.abs(checks - 3 * x[19])).toBeLessThanOrEqual(3);
    expect(Math.abs(x[11] - x[19])).toBeLessThanOrEqual(1);
  });

  it("a store to a page the domain does not own faults (store access fault) in both, and the word is untouched", () => {
    // x19 counts passes; each stores to its own data (and adds), then to the foreign page (faults, skipped by the handler).
    const code = [asm.lui(20, FOREIGN >>> 12), asm.lui(10, DATA >>> 12), asm.addi(11, 0, 0x55), asm.addi(19, 19, 1), asm.sw(11, 10, 0), asm.sw(11, 20, 4), asm.add(12, 12, 11), asm.beq(0, 0, -16)];
    translated = 0;
    const results = [false, true].map((jit) => runChecked(code, jit, 100_000, Mode.S));
    expect(results[1]).toEqual(results[0]);
    expect(translated).toBeGreaterThan(0);
    expect(results[0].mcause).toBe(7); // StoreAccessFault
    expect(results[0].mtval >>> 0).toBe(FOREIGN + 4);
    expect(results[0].foreign).toBe(0);
    expect(results[0].x[19]).toBeGreaterThan(500); // it faulted on every pass and went on
    expect(Math.abs(results[0].x[12] - results[0].x[19] * 0x55)).toBeLessThanOrEqual(0x55); // its own stores and adds ran
    // Without the checks the same store lands.
    let plain!: Machine;
    run(code, true, 100_000, (m) => {
      plain = m;
      m.cpu.setMode(Mode.S);
    });
    expect(plain.bus.ram32[(FOREIGN + 4 - RAM_BASE) >>> 2]).toBe(0x55);
  });
});
