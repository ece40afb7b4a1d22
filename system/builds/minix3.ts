/* The MINIX 3 multiserver build: drivers are unprivileged, isolated user processes. */
import type { Build } from "./types.js";

export const minix3: Build = {
  name: "minix3",
  description: "MINIX-3-style multiserver: drivers in user mode, private address spaces, least privilege",
  driverMode: "user",
  driverAddressSpace: "private",
  checks: true,
  supervisorFaultPanics: true,
  preemptSupervisor: false,
  softLockupTicks: 0,
  recovery: { heartbeat: true, restart: true },
  iommu: false,
};
