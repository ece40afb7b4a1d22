/*
 * `npm run bench:cpu`: MIPS of the interpreter on (a) an arithmetic loop in M-mode and (b) a
 * driver-like loop (loads, stores, branches, calls) in U-mode with Sv32 paging on. Compiles the
 * guest programs in bench/guest/ with clang; reports the best of several runs (wall time: this
 * is a benchmark, outside the deterministic system).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execElf } from "../system/machine/exec.js";

const guest = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "guest");

function build(define: string): Uint8Array {
  const out = join(mkdtempSync(join(tmpdir(), "bulkhead-bench-")), `${define}.elf`);
  execFileSync("clang", [
    "--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32", "-O2", "-nostdlib",
    "-ffreestanding", "-fuse-ld=lld", `-D${define}`, "-T", join(guest, "link.ld"), "-o", out,
    join(guest, "start.S"), join(guest, "bench.c"),
  ]);
  return readFileSync(out);
}

function measure(name: string, elf: Uint8Array, runs: number): void {
  let best = 0;
  let instret = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = execElf(elf, { maxCycles: 1e10 });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (!r.ok || r.result.status !== "pass") throw new Error(`${name}: ${r.ok ? `${r.result.status} ${r.result.exitCode}` : r.error}`);
    instret = r.result.instret;
    best = Math.max(best, instret / secs / 1e6);
  }
  console.log(`${name.padEnd(34)} ${(instret / 1e6).toFixed(1).padStart(6)} M instructions  ${best.toFixed(1).padStart(7)} MIPS (best of ${runs})`);
}

const runs = Number(process.env.BENCH_RUNS ?? 5);
measure("(a) compute loop, M-mode", build("BENCH_COMPUTE"), runs);
measure("(b) driver-like loop, U-mode + Sv32", build("BENCH_DRIVER"), runs);
