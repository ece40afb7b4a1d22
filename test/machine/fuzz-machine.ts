/*
 * The fuzz tests' machines: random instruction streams (seeded) loaded into a fresh Machine in
 * a given mode, bare or with Sv32 paging, with random guest trap vectors. Shared by
 * fuzz.test.ts and fuzz-hash.ts (which runs one in a separate process for the determinism test).
 */
import seedrandom from "seedrandom";
import { Machine } from "../../system/machine/machine.js";
import { RAM_BASE } from "../../system/machine/memmap.js";
import { Mode } from "../../system/machine/trap.js";
import { words } from "./asm.js";

export const CODE = RAM_BASE + 0x4000;
export const CODE_WORDS = 4096;
const PT = RAM_BASE + 0x1000;
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

/** A fresh machine holding the random program of `seed`, started at a random instruction in `mode`. */
export function fuzzMachine(seed: string, mode: number, paging: boolean, hosted: boolean): { m: Machine; rng: seedrandom.PRNG } {
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

/**
 * A host trap handler that decides from the machine's state alone (pc and cycle, no host state):
 * skip the trapping instruction, or now and then jump elsewhere in the code; mask interrupts
 * once taken. A snapshot therefore carries all a replay needs. `count` counts the traps.
 */
export function statelessHost(count: { traps: number }): (m: Machine) => void {
  return (m) => {
    const c = m.cpu;
    count.traps++;
    const mix = Math.imul(c.pc ^ m.clock.now, 0x9e3779b1) >>> 0;
    c.pc = mix % 5 === 0 ? (CODE + 4 * ((mix >>> 8) % CODE_WORDS)) | 0 : (c.pc + 4) | 0;
    if (c.trapInterrupt) c.csr.mie = 0;
  };
}

/**
 * The determinism test's run: seed's program, hosted, S-mode with paging, run to cycle
 * `cycles` under statelessHost; its state hash and the number of traps the host handled.
 */
export function fuzzHash(seed: string, cycles: number): { hash: string; traps: number; retired: number } {
  const { m } = fuzzMachine(seed, Mode.S, true, true);
  const count = { traps: 0 };
  m.hostHandler = statelessHost(count);
  m.run(cycles);
  return { hash: m.stateHash(), traps: count.traps, retired: m.cpu.retired };
}
