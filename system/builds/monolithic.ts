/*
 * The monolithic build: drivers run in supervisor mode inside the one kernel address space. Its
 * soft-lockup detector has Linux's defaults: 20 s (2 × watchdog_thresh of 10 s), warn only.
 */
import { KERNEL_COSTS } from "../kernel/costs.js";
import type { Build } from "./types.js";

export const monolithic: Build = {
  name: "monolithic",
  description: "Monolithic kernel: drivers in supervisor mode, all of RAM mapped, no privilege checks, no recovery",
  isolation: { driverMode: "supervisor", addressSpace: "kernel", iommu: false },
  privilegeChecks: false,
  costs: KERNEL_COSTS,
  kernelChecks: { queueAsserts: false, sanityChecks: false, stackGuard: true },
  kernelMode: { faultPanics: true, preemptible: false, softLockup: { ticks: 2000, panic: false } },
  recovery: { agent: "none" },
};
