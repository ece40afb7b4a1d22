// Guest code must never crash the host: random instruction streams in M, S and U mode (bare
// and with Sv32 paging), with guest trap vectors and in hosted mode, end in defined results or
// traps. Seeded, so a failure reproduces.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { Machine } from "../../system/machine/machine.js";
import { RAM_BASE } from "../../system/machine/memmap.js";
import { Mode } from "../../system/machine/trap.js";
import { words } from "./asm.js";

const CODE = RAM_BASE + 0x4000;
const CODE_WORDS = 4096;
const PT = RAM_BASE + 0x1000;
const LEGAL_CAUSES = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15]);
const OPCODES = [0x03, 0x0f, 0x13, 0x17, 0x23, 0x33, 0x37, 0x63, 0x67, 0x6f, 0x73];

/** Random words; most with a real opcode so that decoding goes past the first switch. */
function randomCode(rng: seedrandom.PRNG): number[] {
  return Array.from({ length: CODE_WORDS }, () => {
    const w = rng.int32() >>> 0;
    return rng() < 0.8 ? ((w & ~0x7f) | OPCODES[Math.floor(rng() * OPCODES.length)]) >>> 0 : w;
  });
}

/** Identity-maps RAM's first 4 MiB as a superpage with user or supervisor access. */
function pageTables(m: Machine, user: boolean): void {
  const leaf = (((RAM_BASE >>> 12) << 10) | 0xcf | (user ? 0x10 : 0)) >>> 0; // V R W X A D (+U)
  m.load(PT + (RAM_BASE >>> 22) * 4, words([leaf]));
  m.cpu.csr.satp = (1 << 31) | (PT >>> 12);
}

function setup(seed: string, mode: number, paging: boolean, hosted: boolean): { m: Machine; rng: seedrandom.PRNG } {
  const rng = seedrandom(seed);
  const m = new Machine({ ramSize: 1 << 20, hosted, disk: 64 });
  m.load(CODE, words(randomCode(rng)));
  m.cpu.reset(CODE + 4 * Math.floor(rng() * CODE_WORDS));
  m.cpu.csr.mtvec = CODE + 4 * Math.floor(rng() * CODE_WORDS);
  m.cpu.csr.stvec = CODE + 4 * Math.floor(rng() * CODE_WORDS);
  m.cpu.csr.medeleg = rng.int32() & 0xb3ff;
  if (paging) pageTables(m, mode === Mode.U);
  m.cpu.setMode(mode);
  return { m, rng };
}

function checkSane(m: Machine): void {
  const c = m.cpu;
  expect(c.x[0]).toBe(0);
  expect([Mode.U, Mode.S, Mode.M]).toContain(c.mode);
  expect(Number.isInteger(c.pc) && c.pc === (c.pc | 0)).toBe(true);
  expect(c.retired).toBeLessThanOrEqual(m.clock.now);
  for (const v of Object.values(c.csr)) expect(Number.isFinite(v)).toBe(true);
}

const configs: Array<[string, number, boolean]> = [
  ["M-mode", Mode.M, false],
  ["S-mode, bare", Mode.S, false],
  ["S-mode, Sv32", Mode.S, true],
  ["U-mode, Sv32", Mode.U, true],
];

describe("fuzz: random instruction streams never crash the host", () => {
  for (const [name, mode, paging] of configs) {
    it(`${name}, guest trap vectors`, () => {
      for (let k = 0; k < 60; k++) {
        const { m } = setup(`guest-${name}-${k}`, mode, paging, false);
        expect(() => m.run(20_000)).not.toThrow();
        checkSane(m);
      }
    });

    it(`${name}, hosted: every trap has a legal cause and the host resumes`, () => {
      for (let k = 0; k < 60; k++) {
        const { m, rng } = setup(`hosted-${name}-${k}`, mode, paging, true);
        let traps = 0;
        m.hostHandler = (mm) => {
          const c = mm.cpu;
          traps++;
          if (c.trapInterrupt) expect([1, 3, 5, 7, 9, 11]).toContain(c.trapCause);
          else expect(LEGAL_CAUSES.has(c.trapCause)).toBe(true);
          // Skip the instruction; sometimes jump somewhere else in the code or drop the mode.
          c.pc = rng() < 0.2 ? (CODE + 4 * Math.floor(rng() * CODE_WORDS)) | 0 : (c.pc + 4) | 0;
          if (c.trapInterrupt) c.csr.mie = 0;
          if (rng() < 0.05) c.setMode(mode);
          if (traps > 5000) return "stop";
        };
        expect(() => m.run(20_000)).not.toThrow();
        checkSane(m);
        expect(traps).toBeGreaterThan(0);
      }
    });
  }

  it("is deterministic: the same seed ends in the same state hash", () => {
    const hash = () => {
      const { m } = setup("determinism", Mode.S, true, false);
      m.run(50_000);
      return m.stateHash();
    };
    expect(hash()).toBe(hash());
  });
});
