/*
 * execElf's trap-loop detection, on small programs built here with clang/lld: a fault with no
 * handler stops at once naming the fault; a handler that runs (but never fixes anything) is not
 * a trap loop.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execElf, TRAP_LOOP_REPEATS, type ExecResult } from "../../system/machine/exec.js";
import { Cause } from "../../system/machine/trap.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, "fixtures", "exec");
const LINK_LD = join(HERE, "..", "..", "examples", "hello", "link.ld");

let dir: string;

/** Builds fixture `name`.S and runs it for at most `maxCycles`. */
function run(name: string, maxCycles: number): ExecResult {
  const out = join(dir, `${name}.elf`);
  execFileSync("clang", ["--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32", "-nostdlib", "-fuse-ld=lld", "-T", LINK_LD, "-o", out, join(FIXTURES, `${name}.S`)]);
  const r = execElf(new Uint8Array(readFileSync(out)), { maxCycles });
  if (!r.ok) throw new Error(r.error);
  return r.result;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bulkhead-exec-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("trap loops", () => {
  it("a store through sp = 0 with mtvec = 0 stops as a trap loop naming the store fault", () => {
    const r = run("nostack", 1e9);
    expect(r.status).toBe("trap-loop");
    expect(r.trapLoop).toEqual({
      first: { cause: Cause.StoreAccessFault, interrupt: false, pc: 0x8000_0000, tval: 0xffff_fffc, name: "store access fault" },
      repeated: { cause: Cause.InsnAccessFault, interrupt: false, pc: 0, tval: 0, name: "instruction access fault" },
      repeats: TRAP_LOOP_REPEATS,
    });
    expect(r.instret).toBe(0);
    expect(r.cycles).toBeLessThan(10 * (TRAP_LOOP_REPEATS + 1)); // stopped at once, not at the budget
  });

  it("a handler that runs and returns to the faulting load is no trap loop: it runs out of cycles", () => {
    const r = run("retry", 200_000);
    expect(r.status).toBe("timeout");
    expect(r.trapLoop).toBeUndefined();
  });
});
