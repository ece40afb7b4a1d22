/*
 * Every question the kernel asks of its build, answered in one place. The rest of the kernel
 * calls these and never reads Build fields itself, so a new build (Nooks' domains, a driver VM,
 * software-isolated processes) adds its answers here instead of flags across the kernel.
 */
import type { Build } from "../builds/types.js";
import type { CostModel } from "./costs.js";
import type { ServiceConf } from "./service.js";

/** A process of this role runs in supervisor mode (a driver inside the kernel). */
export const runsInKernel = (build: Build, role: ServiceConf["role"]): boolean => role === "driver" && build.isolation.driverMode === "supervisor";

/** The process's address space maps all of RAM besides its own memory (one kernel address space). */
export const mapsAllRam = (build: Build, role: ServiceConf["role"]): boolean => role === "driver" && build.isolation.addressSpace === "kernel";

/** The kernel checks the process's requests against its service entry (IPC, calls, ports, IRQs, grants). */
export const privilegeChecked = (build: Build): boolean => build.privilegeChecks;

/** A CPU exception or an exit of a process running in supervisor mode panics the kernel. */
export const faultPanics = (build: Build, supervisor: boolean): boolean => supervisor && build.kernelMode.faultPanics;

/** The clock preempts a process running in this mode (user mode always). */
export const preemptible = (build: Build, supervisor: boolean): boolean => !supervisor || build.kernelMode.preemptible;

/** The soft-lockup detector: ticks a non-preemptible process may hold the CPU before it fires (0 = off), and whether it panics or warns. */
export const softLockup = (build: Build): { ticks: number; panic: boolean } => build.kernelMode.softLockup;

/** Devices' DMA is limited to the memory of the driver that owns them (IOMMU). */
export const dmaRestricted = (build: Build): boolean => build.isolation.iommu;

/** The kernel asserts on its queues as MINIX does (proc.c enqueue/dequeue/deadlock). */
export const queueAsserts = (build: Build): boolean => build.kernelChecks.queueAsserts;

/** The kernel checks every table's invariants on every entry and tick (MINIX DEBUG_SANITYCHECKS). */
export const sanityChecks = (build: Build): boolean => build.kernelChecks.sanityChecks;

/** A guard page below a kernel-mode driver's stack in a kernel address space (Linux VMAP_STACK). */
export const stackGuard = (build: Build): boolean => build.kernelChecks.stackGuard;

/** What kernel work costs in this build (costs.ts). */
export const costModel = (build: Build): CostModel => build.costs;

/** The process (running in `supervisor` mode) calls the kernel directly: a driver inside one kernel address space (costs.ts functionCall). */
export const callsDirectly = (build: Build, supervisor: boolean): boolean => supervisor && build.isolation.addressSpace === "kernel";
