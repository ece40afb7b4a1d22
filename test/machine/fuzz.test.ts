// Guest code must never crash the host: random instruction streams in M, S and U mode (bare
// and with Sv32 paging), with guest trap vectors and in hosted mode, end in defined results or
// traps. Seeded, so a failure reproduces. One hosted run ends in the same state hash in this
// process, in another process and in a replay from a mid-run snapshot.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { Machine } from "../../system/machine/machine.js";
import { Mode } from "../../system/machine/trap.js";
import { CODE, CODE_WORDS, fuzzHash, fuzzMachine, statelessHost } from "./fuzz-machine.js";

const LEGAL_CAUSES = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15]);
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const HASH_SCRIPT = fileURLToPath(new URL("./fuzz-hash.ts", import.meta.url));
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
        const { m } = fuzzMachine(`guest-${name}-${k}`, mode, paging, false);
        expect(() => m.run(20_000)).not.toThrow();
        checkSane(m);
      }
    });

    it(`${name}, hosted: every trap has a legal cause and the host resumes`, () => {
      for (let k = 0; k < 60; k++) {
        const { m, rng } = fuzzMachine(`hosted-${name}-${k}`, mode, paging, true);
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

  // Determinism across independent computations: the same seed run in this process (after the
  // hundreds of machines above, with whatever caches they warmed), in a fresh process, and as a
  // replay (a snapshot at mid-run restored into a machine that held another program) must end in
  // one state hash. The run is hosted under a handler that decides from machine state alone, so
  // it goes on through thousands of traps instead of settling in a trap loop. The test fails if
  // execution depends on anything but the machine's state (host time, Math.random, a cache shared
  // between machines or left warm in a process), if a snapshot misses state the rest of the run
  // depends on, or if the hash is blind (different seeds, or one machine at two times, would then
  // hash alike).
  it("is deterministic: the same seed ends in the same state hash in another process and in a replay", () => {
    const END = 50_000;
    const here = fuzzHash("determinism", END);
    expect(here.retired).toBeGreaterThan(1000);
    expect(here.traps).toBeGreaterThan(1000);
    const child = spawnSync(process.execPath, ["--import", TSX, HASH_SCRIPT, "determinism", String(END)], { encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe(here.hash);

    const { m } = fuzzMachine("determinism", Mode.S, true, true);
    m.hostHandler = statelessHost({ traps: 0 });
    m.run(END / 2);
    const mid = m.snapshot();
    const { m: other } = fuzzMachine("another program", Mode.S, true, true);
    other.hostHandler = statelessHost({ traps: 0 });
    other.restore(mid);
    other.run(END);
    expect(other.stateHash()).toBe(here.hash);

    expect(m.stateHash()).not.toBe(here.hash);
    expect(fuzzHash("determinism 2", END).hash).not.toBe(here.hash);
  });
});
