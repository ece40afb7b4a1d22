/*
 * Golden runs: per build × workload, the fault-free run from the post-boot snapshot. It gives
 * the reference outcome, the timing, and the set of the driver's instructions that executed:
 * a code mutation anywhere else cannot change the run (it is never executed), so such an
 * experiment is classified not-activated without running it.
 */
import { parseElf, PF_X } from "../system/machine/elf.js";
import { runWorkload, type RunLimits } from "../system/run.js";
import type { System } from "../system/system.js";
import type { Workload } from "../system/workloads/workload.js";
import type { GoldenRun } from "./types.js";

/** Virtual addresses of the instructions in the executable segments of a driver image. */
export function textAddresses(image: Uint8Array): number[] {
  const parsed = parseElf(image);
  if (!parsed.ok) return [];
  const out: number[] = [];
  for (const seg of parsed.elf.segments) if (seg.flags & PF_X) for (let va = seg.vaddr; va < seg.vaddr + seg.filesz; va += 4) out.push(va);
  return out;
}

/**
 * Runs the golden run on `sys` (at its post-boot point) with coverage of `driver`'s text;
 * leaves the system at the end of the run (the caller restores its snapshot).
 */
export function goldenRun(sys: System, build: string, workload: Workload, params: string, driver: string, limits: RunLimits): GoldenRun {
  const texts = textAddresses(sys.images[driver]);
  const pages = [...new Set(texts.map((va) => va & ~0xfff))].map((va) => sys.translate(driver, va)).filter((pa): pa is number => pa !== undefined);
  const cov = sys.machine.cpu.setCoverage(pages)!;
  const start = sys.machine.clock.now;
  const obs = runWorkload(sys, workload, params, limits);
  const base = sys.machine.bus.ramBase;
  // Coverage is by physical word; map the driver's text back (its pages are where they were at boot).
  const covered = texts.filter((va) => {
    const pa = sys.translate(driver, va);
    return pa !== undefined && cov[(pa - base) >>> 2] === 1;
  });
  sys.machine.cpu.setCoverage([]);
  return { build, workload: workload.name, end: obs.end, verdict: obs.oracle.verdict, cycles: sys.machine.clock.now - start, covered, stateHash: sys.stateHash() };
}
