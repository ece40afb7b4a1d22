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

/** Drivers share the kernel's address space: one kernel address space, a Nooks domain in it, or Singularity's one address space. */
const kernelAddressSpace = (build: Build): boolean => {
  const a = build.isolation.addressSpace;
  return a === "kernel" || a === "domain" || a === "sip";
};

/** The process's address space maps all of RAM besides its own memory (one kernel address space, or a Nooks domain in it). */
export const mapsAllRam = (build: Build, role: ServiceConf["role"]): boolean => role === "driver" && kernelAddressSpace(build);

/** The process runs in a Nooks protection domain: kernel memory read-only, calls across wrapped (wrappers.ts). */
export const inDomain = (build: Build, role: ServiceConf["role"]): boolean => role === "driver" && build.isolation.addressSpace === "domain";

/** The build runs its drivers in VMs. */
export const hasVms = (build: Build): boolean => build.isolation.addressSpace === "vm";

/** The process is a driver VM: it runs with its own driver-domain kernel in a VM of its own (hypervisor.ts). */
export const inVm = (build: Build, role: ServiceConf["role"]): boolean => role === "driver" && hasVms(build);

/** A driver VM's own ports are in its I/O bitmap: its DD/OS's in/out to them do not exit to the hypervisor. */
export const vmIoBitmap = (build: Build): boolean => build.isolation.ioBitmap === true;

/**
 * The build runs its guest processes as Singularity's software-isolated processes: the CPU's
 * software checks on their loads, stores and jumps (machine/cpu.ts sfi), no privileged
 * instructions, channels checked against their contracts (channels.ts), and a refused resource
 * kills the process instead of failing its call.
 */
export const sips = (build: Build): boolean => build.isolation.addressSpace === "sip";

/** Messages pass by reference, their blocks' ownership moving through the exchange heap: no message copy is charged (Singularity). */
export const zeroCopy = sips;

/** All processes share one address space: switching between them switches none, and charges none (Singularity). */
export const oneAddressSpace = sips;

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

/** The process (running in `supervisor` mode) calls the kernel directly: a driver inside the kernel address space (costs.ts functionCall). */
export const callsDirectly = (build: Build, supervisor: boolean): boolean => supervisor && kernelAddressSpace(build);

/** Linux's oops: an exception of a kernel-mode driver in process context kills it, in interrupt context panics (types.ts kernelMode.oops). */
export const oops = (build: Build): boolean => build.kernelMode.oops === true;

/** Nooks' livelock detector: ticks a domain driver may hold the CPU with interrupts on before it is failed (0 = off). */
export const livelockTicks = (build: Build): number => build.kernelMode.livelockTicks ?? 0;

/** The kernel records the context (process, timer, interrupt) a kernel-mode driver runs in: oops and the livelock detector ask. */
export const tracksContext = (build: Build): boolean => oops(build) || livelockTicks(build) > 0;

/**
 * What the driver's clients (the servers standing for the kernel's subsystems) do when it fails
 * and comes back, as servers/recovery-mode.ts describes: MINIX's recovery ("minix", also where
 * nothing restarts); Nooks' restart of a driver in its initial state with the request in flight
 * failed ("restart"); Nooks' shadow drivers, which hide the failure ("shadow"); a driver VM's
 * translation modules, which reissue what was pending at the rebooted VM ("reissue"), and with
 * the VM's configuration replayed too ("shadow").
 */
export type ClientRecovery = "minix" | "restart" | "shadow" | "reissue";
export function clientRecovery(build: Build): ClientRecovery {
  const r = build.recovery;
  if (r.agent === "nooks") return r.shadow ? "shadow" : "restart";
  if (r.agent === "vm") return r.replay ? "shadow" : "reissue";
  return "minix";
}
