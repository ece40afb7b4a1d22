/*
 * The Nooks builds (Swift, Bershad, Levy, SOSP 2003; shadow drivers: Swift et al., OSDI 2004).
 * Drivers stay in the kernel, in supervisor mode, each in a lightweight protection domain: its
 * own copy of the kernel page table in which the kernel's memory is read-only and only the
 * driver's image and stack are writable. Calls across the domain go through wrappers that check
 * their parameters and track the kernel objects the driver holds (kernel/wrappers.ts). The
 * isolation manager fails a driver on a CPU exception, a failed wrapper check or a livelock, and
 * the recovery manager reloads it from its pristine image. Nothing stops what Nooks does not
 * stop: privileged instructions (the driver runs in supervisor mode and may write satp), port
 * I/O to any port, DMA anywhere, and a loop while handling an interrupt (interrupts off).
 *
 * The soft-lockup detector is Linux's (the kernel Nooks extends), as in monolithic. The livelock
 * timeout is not published (COSTS.md §4 lists no Nooks timeout); 600 ticks (6 s) is the time
 * minix3's RS takes to declare a hang with the 3-s heartbeat of the standard SWIFI campaigns (two
 * periods), so that the builds are compared on which loops they catch, not on how soon.
 */
import { NOOKS_COSTS } from "../kernel/costs.js";
import type { Build } from "./types.js";

export const nooks: Build = {
  name: "nooks",
  description: "Nooks: drivers in supervisor mode in lightweight protection domains (kernel memory read-only, wrapped calls); the recovery manager reloads a failed driver in its initial state",
  isolation: { driverMode: "supervisor", addressSpace: "domain", iommu: false },
  privilegeChecks: false,
  costs: NOOKS_COSTS,
  kernelChecks: { queueAsserts: false, sanityChecks: false, stackGuard: true },
  kernelMode: { faultPanics: false, preemptible: false, softLockup: { ticks: 2000, panic: false }, livelockTicks: 600 },
  recovery: { agent: "nooks", shadow: false },
};

/** Nooks with a shadow driver per class: the driver's clients do not see it fail (servers/recovery-mode.ts). */
export const nooksShadow: Build = {
  ...nooks,
  name: "nooks-shadow",
  description: "nooks plus shadow drivers: each class's shadow logs configuration and requests in flight and replays them to the reloaded driver",
  recovery: { agent: "nooks", shadow: true },
};
