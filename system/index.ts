/*
 * The system's facade: all that campaigns/ (and the CLI) use of the emulated system. Compose and
 * boot a system from a build, a workload and drivers; run it under limits and hooks; get
 * Observations that carry what a classifier and a report need; snapshot, restore, hash, replay
 * with a trace. Nothing behind it knows about campaigns, and campaigns reach nothing behind it.
 */
export { BUILDS, fingerprint, getBuild, type Build } from "./builds/index.js";
export { composeSystem, withDefaultDrivers, type ComposeOptions, type Composed, type DriverInstance } from "./compose.js";
export { driverEntry, driverNames, type DriverEntry } from "./drivers/catalog.js";
export { loadImage } from "./drivers/images.js";
export { CPU_HZ } from "./machine/memmap.js";
export { INSN as INSTRUCTION_CYCLES, WALK_LEVEL as PAGE_WALK_READ_CYCLES } from "./machine/costs.js";
export { execElf, type ExecResult, type ExecTrap } from "./machine/exec.js";
export { ramChanges, type RamChanges } from "./machine/machine.js";
export { DEFAULT_LIMITS, runWorkload, type DriverObservations, type Observations, type RunLimits } from "./run.js";
export { countersBetween, readCounters, type RunCounters } from "./counters.js";
export { System, type SystemSnapshot } from "./system.js";
export { getWorkload, WORKLOADS } from "./workloads/index.js";
export type { OracleVerdict, Workload } from "./workloads/workload.js";
