// Spin skipping is a shortcut, never a change in behaviour: a program that spins on a jump or
// branch to itself ends in the same state (pc, registers, cycles, retired instructions, hash)
// as when every iteration is executed — at odd and even run limits, across slices, with timer
// interrupts arriving mid-spin (taken by the guest or by the host), under breakpoints, coverage
// and trace — and the skip really happens (it is not the slow path passing the tests).
import { describe, expect, it } from "vitest";
import { MIP_MTIP } from "../../system/machine/csr.js";
import { CLINT_BASE, RAM_BASE } from "../../system/machine/memmap.js";
import type { Breakpoint } from "../../system/machine/cpu.js";
import { Machine } from "../../system/machine/machine.js";
import { asm, words } from "./asm.js";

const HANDLER = RAM_BASE + 0x1000;
const MSTATUS_MIE = 1 << 3;
/** Timer period the handlers re-arm, in mtime ticks (10 cycles each): an odd number of cycles apart from the spin's 2. */
const PERIOD = 37;

/** A conditional branch with funct3 `f3` (0 beq, 1 bne, 4 blt, 5 bge, 6 bltu, 7 bgeu). */
const branch = (f3: number, rs1: number, rs2: number, off: number) => (asm.beq(rs1, rs2, off) | (f3 << 12)) >>> 0;
const J_SELF = asm.jal(0, 0);

/**
 * Programs that end in a spin, after a few instructions (so the spin starts at an odd cycle) or
 * with the spin first. x10 = 1, x11 = 2 are set up before it.
 */
const PROGRAMS: Record<string, number[]> = {
  "j .": [asm.addi(10, 0, 1), asm.addi(11, 0, 2), asm.addi(5, 0, 9), J_SELF],
  "j . first": [J_SELF],
  "jal ra, .": [asm.addi(10, 0, 1), asm.addi(11, 0, 2), asm.jal(1, 0)],
  "beq x5, x5, .": [asm.addi(10, 0, 1), asm.addi(11, 0, 2), asm.addi(5, 0, 3), branch(0, 5, 5, 0)],
  "bne a0, a1, .": [asm.addi(10, 0, 1), asm.addi(11, 0, 2), branch(1, 10, 11, 0)],
  "bltu a0, a1, .": [asm.addi(10, 0, 1), asm.addi(11, 0, 2), branch(6, 10, 11, 0)],
  // Not a spin: the self-branch falls through, and the program spins on the next one.
  "bge a0, a1, . then j .": [asm.addi(10, 0, 1), asm.addi(11, 0, 2), branch(5, 10, 11, 0), asm.addi(6, 0, 5), J_SELF],
  // A loop that reaches its spin by a jump from inside a translated block.
  "loop, then a spin inside it": [
    asm.addi(10, 0, 1), asm.addi(11, 0, 2),
    asm.addi(6, 6, 1), asm.addi(7, 0, 200), branch(0, 6, 7, 8), asm.jal(0, -12), // count x6 to 200
    asm.addi(8, 0, 1), branch(0, 8, 10, 0), // then spin (x8 == x10)
  ],
};

/**
 * Guest timer handler: x28 counts interrupts; the `escapeAfter`-th (x27; 0 = none) also moves
 * mepc past the spin; re-arms mtimecmp PERIOD ticks after mtime.
 */
const TIMER_HANDLER = [
  asm.addi(28, 28, 1),
  branch(1, 28, 27, 16), // bne x28, x27, +16: not this one
  asm.csrrs(31, 0x341, 0), asm.addi(31, 31, 4), asm.csrrw(0, 0x341, 31), // mepc += 4
  asm.lui(29, (CLINT_BASE + 0xc000) >>> 12),
  asm.lw(30, 29, -8), // mtime (low word)
  asm.addi(30, 30, PERIOD),
  asm.lui(29, (CLINT_BASE + 0x4000) >>> 12),
  asm.sw(30, 29, 0), // mtimecmp (low word; the high word is 0)
  asm.mret(),
];

/** Guest timer handler that returns to x26 (instead of mepc), re-arming the timer; x28 counts. */
const RESTART_HANDLER = [
  asm.addi(28, 28, 1),
  asm.csrrw(0, 0x341, 26), // mepc = x26
  ...TIMER_HANDLER.slice(5),
];

type Mode = "reference" | "skip" | "skip, no jit" | "trace";

interface Setup {
  /** Timer interrupts: the first at this mtime (ticks), then every PERIOD ticks. */
  timerAt?: number;
  /** Guest handler moves past the spin from this interrupt on (0 = never). */
  escapeAfter?: number;
  /** Hosted: the host takes the interrupts (re-arming the timer) instead of the guest. */
  hosted?: boolean;
  breakpoints?: Array<{ pa: number; stopAt: number; expect?: number }>;
  /** Called at each breakpoint stop (may re-arm: stopAt = hits + k), before the run resumes. */
  onBreakpoint?: (bps: Breakpoint[]) => void;
  coverage?: boolean;
  /** The timer handler returns to this address instead of the interrupted pc. */
  restartAt?: number;
  /** Host patches between run limits: before the k-th limit, `words` at RAM_BASE + `at`. */
  patches?: Array<{ before: number; at: number; words: number[] }>;
}

/**
 * Runs `code` at RAM_BASE in `mode` through run limits `limits` (absolute cycles, in order);
 * returns the state after each, plus what instrumentation saw. "reference" executes every
 * iteration (no skip, no translation); "trace" single-steps with the skip on.
 */
function run(code: number[], mode: Mode, limits: number[], setup: Setup = {}) {
  const m = new Machine({ ramSize: 1 << 20, disk: 64, hosted: setup.hosted });
  m.cpu.jit = mode === "skip";
  m.cpu.spinSkip = mode !== "reference";
  let traced = 0;
  if (mode === "trace") m.trace = () => void traced++;
  m.load(RAM_BASE, words(code));
  m.load(HANDLER, words(setup.restartAt === undefined ? TIMER_HANDLER : RESTART_HANDLER));
  m.cpu.reset(RAM_BASE);
  m.cpu.csr.mtvec = HANDLER;
  m.cpu.x[27] = setup.escapeAfter ?? 0;
  m.cpu.x[26] = setup.restartAt ?? 0;
  if (setup.timerAt !== undefined) {
    m.cpu.csr.mie = MIP_MTIP;
    m.cpu.csr.mstatus |= MSTATUS_MIE;
    m.clint.setTimecmp(setup.timerAt);
  }
  if (setup.hosted)
    m.hostHandler = (mm) => {
      mm.cpu.x[28]++;
      mm.clint.setTimecmp(mm.clint.mtime() + PERIOD);
    };
  const bps = setup.breakpoints ? m.cpu.setBreakpoints(setup.breakpoints) : [];
  const cover = setup.coverage ? m.cpu.setCoverage([RAM_BASE, HANDLER]) : null;
  const states = [];
  const stops: Array<{ cycles: number; pc: number; retired: number; hits: number[] }> = [];
  for (const [k, until] of limits.entries()) {
    for (const p of setup.patches ?? []) if (p.before === k) m.load(RAM_BASE + p.at, words(p.words));
    let stop = m.run(until);
    while (stop === "breakpoint") {
      stops.push({ cycles: m.clock.now, pc: m.cpu.pc, retired: m.cpu.retired, hits: bps.map((b) => b.hits) });
      setup.onBreakpoint?.(bps);
      stop = m.run(until); // resume: the stop counted that execution
    }
    states.push({
      until, stop, pc: m.cpu.pc, x: Array.from(m.cpu.x), cycles: m.clock.now, retired: m.cpu.retired,
      csr: { ...m.cpu.csr }, hash: m.stateHash(),
    });
  }
  return {
    states,
    stops,
    hits: bps.map((b) => ({ hits: b.hits, firstHitAt: b.firstHitAt })),
    coverage: cover && Array.from(cover.subarray(0, 64)).concat(Array.from(cover.subarray(0x400, 0x440))),
    traced,
    skipped: m.cpu.skippedSpins,
    translated: m.cpu.translatedBlocks,
  };
}

/** Run limits: single odd and even cycles, a run in many small slices, long jumps. */
const LIMITS = [1, 2, 3, 7, 8, 1_000, 1_001, 4_444, 4_445, 10_000, 33_333, 100_000];

/** Runs in every mode and checks each against the reference; returns the skip mode's counts. */
function expectSame(code: number[], limits: number[], setup: Setup = {}, modes: Mode[] = ["skip", "skip, no jit"]) {
  const ref = run(code, "reference", limits, setup);
  expect(ref.skipped).toBe(0);
  for (const mode of modes) {
    const r = run(code, mode, limits, setup);
    expect({ mode, ...r, traced: 0, skipped: 0, translated: 0 }).toEqual({ mode, ...ref, traced: 0, skipped: 0, translated: 0 });
    if (mode === "trace") expect(r.traced).toBe(r.states.at(-1)!.retired);
  }
  return { ref, skip: run(code, "skip", limits, setup) };
}

describe("spin skipping", () => {
  for (const [name, code] of Object.entries(PROGRAMS))
    it(`${name}: same state as executing every iteration, at every run limit`, () => {
      const { skip } = expectSame(code, LIMITS);
      expect(skip.skipped).toBeGreaterThan(10_000);
      // And each limit on its own (one slice from reset), odd and even.
      for (const until of [5, 6, 999, 1_000, 77_777, 77_778]) expectSame(code, [until]);
    });

  it("credits exactly: `j .` from reset stops at the first even cycle at or past the limit", () => {
    for (const [until, cycles] of [[1, 2], [2, 2], [1_001, 1_002], [1_000_000, 1_000_000], [1_000_001, 1_000_002]]) {
      const r = run(PROGRAMS["j . first"], "skip", [until]);
      const s = r.states[0];
      expect({ cycles: s.cycles, retired: s.retired, pc: s.pc }).toEqual({ cycles, retired: cycles / 2, pc: RAM_BASE | 0 });
      expect(r.skipped).toBe(Math.max(0, cycles / 2 - 1));
    }
  });

  it("runs past the CPU's 2^30-cycle slice cap exactly (3e9 cycles: three capped slices)", () => {
    // After one addi (1 cycle), spins of 2: slices of at most 0x3fffffff cycles end at
    // 1073741823 (odd cap, odd start), 2147483647, then 3e9 + 1, the limit.
    const code = [asm.addi(5, 0, 1), J_SELF];
    const r = run(code, "skip", [1_073_741_823, 3_000_000_001]);
    expect(r.states.map((s) => [s.cycles, s.retired])).toEqual([[1_073_741_823, 536_870_912], [3_000_000_001, 1_500_000_001]]);
    const even = run([asm.addi(5, 0, 1), asm.addi(5, 0, 1), J_SELF], "skip", [3_000_000_001]);
    // From an even start, each capped slice overshoots its odd cap by one: 1073741824, 2147483648, then 3e9 + 2.
    expect([even.states[0].cycles, even.states[0].retired]).toEqual([3_000_000_002, 1_500_000_002]);
  });

  it("timer interrupts taken by the guest mid-spin: same state, same interrupt count", () => {
    for (const code of [PROGRAMS["j ."], PROGRAMS["bne a0, a1, ."], PROGRAMS["jal ra, ."]]) {
      const { skip } = expectSame(code, LIMITS, { timerAt: 123 });
      expect(skip.states.at(-1)!.x[28]).toBeGreaterThan(200);
      // Hundreds of slices, each skipped through (a translated block never takes the spin over).
      expect(skip.skipped).toBeGreaterThan(0.9 * skip.states.at(-1)!.retired);
    }
  });

  it("a guest handler that moves past the spin: the program goes on to its next spin identically", () => {
    const { skip } = expectSame(PROGRAMS["bge a0, a1, . then j ."], LIMITS, { timerAt: 50, escapeAfter: 3 });
    expect(skip.states.at(-1)!.x[6]).toBe(5);
  });

  it("timer interrupts taken by the host (hosted mode) mid-spin", () => {
    const { skip } = expectSame(PROGRAMS["beq x5, x5, ."], LIMITS, { timerAt: 77, hosted: true });
    expect(skip.states.at(-1)!.x[28]).toBeGreaterThan(200);
  });

  it("a spin reached from inside a translated block (a taken self-branch leaves it)", () => {
    // x6 counts passes through the block [addi; bne a0, a1, .]; each interrupt restarts it.
    const code = [asm.addi(10, 0, 1), asm.addi(11, 0, 2), asm.addi(6, 6, 1), branch(1, 10, 11, 0)];
    const { skip } = expectSame(code, LIMITS, { timerAt: 20, restartAt: RAM_BASE + 8 });
    expect(skip.translated).toBeGreaterThan(0);
    expect(skip.states.at(-1)!.x[6]).toBeGreaterThan(200);
    expect(skip.skipped).toBeGreaterThan(0.9 * skip.states.at(-1)!.retired);
  });

  it("a spin patched over a block start and back (as an injection does): same state, and the block is translated again", () => {
    // Each interrupt restarts [addi x6; addi x7; beq x0, x0, -8]; the host patches the first word
    // to `j .` for a while, then back.
    const code = [asm.addi(6, 6, 1), asm.addi(7, 7, 2), asm.beq(0, 0, -8)];
    const limits = [20_000, 40_000, 60_000, 80_000, 100_000];
    const patches = [{ before: 1, at: 0, words: [J_SELF] }, { before: 3, at: 0, words: [asm.addi(6, 6, 1)] }];
    const setup = { timerAt: 20, restartAt: RAM_BASE, patches };
    const { skip } = expectSame(code, limits, setup);
    expect(skip.skipped).toBeGreaterThan(10_000);
    const unpatched = run(code, "skip", limits.slice(0, 3), { timerAt: 20, restartAt: RAM_BASE, patches: patches.slice(0, 1) });
    expect(skip.translated).toBeGreaterThan(unpatched.translated); // translated again after the patch back
  });

  it("trace mode single-steps: every iteration traced, same state", () => {
    expectSame(PROGRAMS["j ."], [1, 2, 3, 1_000, 1_001, 5_000], { timerAt: 40 }, ["trace"]);
  });

  it("breakpoints on the spin: every execution counted, stops where they would be", () => {
    const spin = RAM_BASE + 12;
    const counted = expectSame(PROGRAMS["j ."], LIMITS, { breakpoints: [{ pa: spin, stopAt: 0 }] });
    expect(counted.skip.hits[0]).toEqual({ hits: counted.skip.states.at(-1)!.retired - 3, firstHitAt: 3 });
    expect(counted.skip.skipped).toBeGreaterThan(10_000);
    // Stops at the 1st, 2nd, 1234th execution, then every 777 executions (re-armed at each stop
    // as the injector does); a second breakpoint there stops at its own count; a third one does
    // not match RAM (`expect`) and counts nothing. With timer interrupts, guest-taken.
    for (const first of [1, 2, 1_234]) {
      const { skip } = expectSame(PROGRAMS["j ."], LIMITS, {
        breakpoints: [{ pa: spin, stopAt: first }, { pa: spin, stopAt: 5_000, expect: J_SELF }, { pa: spin, stopAt: 3, expect: asm.nop() }],
        onBreakpoint: (bps) => void (bps[0].hits >= bps[0].stopAt && (bps[0].stopAt = bps[0].hits + 777)),
        timerAt: 99,
      });
      expect(skip.stops.length).toBeGreaterThan(50);
      expect(skip.stops.filter((s) => s.hits[1] === 5_000).length).toBe(1);
      expect(skip.hits[2]).toEqual({ hits: 0, firstHitAt: -1 });
      expect(skip.skipped).toBeGreaterThan(10_000);
    }
    // A branch spin whose breakpoint stops after the slice it started in.
    const b = expectSame(PROGRAMS["bne a0, a1, ."], [10_000, 20_000, 30_000], { breakpoints: [{ pa: RAM_BASE + 8, stopAt: 7_000 }] });
    expect(b.skip.stops.map((s) => s.cycles)).toEqual([2 + 2 * 6_999]); // two addis, then 2 cycles per execution
  });

  it("a breakpoint elsewhere on the page and coverage of the spin leave the skip on, with the same counts and marks", () => {
    const { skip } = expectSame(PROGRAMS["j ."], LIMITS, { breakpoints: [{ pa: RAM_BASE + 4, stopAt: 0 }], coverage: true, timerAt: 60 });
    expect(skip.hits[0].hits).toBe(1);
    expect(skip.coverage!.slice(0, 5)).toEqual([1, 1, 1, 1, 0]);
    expect(skip.skipped).toBeGreaterThan(10_000);
  });
});
