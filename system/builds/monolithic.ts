/* The monolithic build: drivers run in supervisor mode inside the one kernel address space. */
import type { Build } from "./types.js";

export const monolithic: Build = {
  name: "monolithic",
  description: "Monolithic kernel: drivers in supervisor mode, all of RAM mapped, no privilege checks, no recovery",
  isolation: { driverMode: "supervisor", addressSpace: "kernel", iommu: false },
  privilegeChecks: false,
  kernelMode: { faultPanics: true, preemptible: false, softLockupTicks: 20 },
  recovery: { agent: "none" },
};
