/*
 * Golden runs: per build × workload, the fault-free run from the post-boot snapshot. It gives
 * the reference outcome, the timing, and the set of the driver's instructions that executed:
 * a code mutation anywhere else cannot change the run (it is never executed), so such an
 * experiment is classified not-activated without running it. Its event counters say what the
 * fault-free run cost (the report's "Cost of isolation").
 */
import { runWorkload, type RunLimits, type System, type Workload } from "../system/index.js";
import type { GoldenRun } from "./types.js";

/**
 * Runs the golden run on `sys` (at its post-boot point) with coverage of `driver`'s text;
 * leaves the system at the end of the run (the caller restores its snapshot).
 */
export function goldenRun(sys: System, build: string, workload: Workload, params: string, driver: string, limits: RunLimits): GoldenRun {
  const start = sys.now();
  const obs = runWorkload(sys, workload, params, { ...limits, watch: driver, coverage: true });
  return {
    build, workload: workload.name, end: obs.end, verdict: obs.oracle.verdict, cycles: sys.now() - start, covered: obs.coverage ?? [],
    stateHash: sys.stateHash(), counters: obs.counters,
  };
}
