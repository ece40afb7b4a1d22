/* The MINIX 3 multiserver build: drivers are unprivileged, isolated user processes. */
import { KERNEL_COSTS } from "../kernel/costs.js";
import type { Build } from "./types.js";

export const minix3: Build = {
  name: "minix3",
  description: "MINIX-3-style multiserver: drivers in user mode, private address spaces, least privilege",
  isolation: { driverMode: "user", addressSpace: "private", iommu: false },
  privilegeChecks: true,
  costs: KERNEL_COSTS,
  kernelChecks: { queueAsserts: true, sanityChecks: false, stackGuard: true },
  kernelMode: { faultPanics: true, preemptible: false, softLockup: { ticks: 0, panic: false } },
  recovery: { agent: "rs", heartbeat: true, restart: true, keepState: true },
};
