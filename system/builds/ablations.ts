/*
 * Ablations: a build with one mechanism switched off (or, for the IOMMU and sanity checks, on), so a campaign can
 * measure what that mechanism buys (DESIGN.md: "what does the IPC send mask actually buy?").
 */
import { minix3 } from "./minix3.js";
import { monolithic } from "./monolithic.js";
import type { Build } from "./types.js";

/** minix3 without recovery: RS still detects failures (heartbeats, crashes) but restarts nothing. */
export const minix3NoRestart: Build = {
  ...minix3,
  name: "minix3-norestart",
  description: "minix3 with the restart policy off: failures are detected, never repaired",
  recovery: { agent: "rs", heartbeat: true, restart: false, keepState: true },
};

/** minix3 without stateful recovery: a restarted driver finds nothing of what it published in DS (RS has DS drop it). */
export const minix3NoState: Build = {
  ...minix3,
  name: "minix3-nostate",
  description: "minix3 without stateful recovery: a failed driver's DS entries are dropped before its restart",
  recovery: { agent: "rs", heartbeat: true, restart: true, keepState: false },
};

/** minix3 with an IOMMU: a device's DMA reaches only the memory of the driver that owns the device's ports. */
export const minix3Iommu: Build = {
  ...minix3,
  name: "minix3-iommu",
  description: "minix3 with an IOMMU: each device's DMA is limited to its driver's memory",
  isolation: { ...minix3.isolation, iommu: true },
};

/**
 * minix3 checking nothing: drivers stay isolated by the MMU, but the kernel checks no IPC mask,
 * call mask, ports, IRQs or grants, and asserts nothing of its own tables. What checking buys.
 */
export const minix3NoChecks: Build = {
  ...minix3,
  name: "minix3-nochecks",
  description: "minix3 with every check off (privileges and kernel asserts): MMU isolation and recovery only",
  privilegeChecks: false,
  kernelChecks: { queueAsserts: false, sanityChecks: false, stackGuard: false },
};

/** minix3 with MINIX's DEBUG_SANITYCHECKS compiled in: every table checked on every kernel entry and tick, at their price. */
export const minix3Sanity: Build = {
  ...minix3,
  name: "minix3-sanity",
  description: "minix3 with the kernel's sanity checks on (DEBUG_SANITYCHECKS): every table checked on every entry and tick",
  kernelChecks: { ...minix3.kernelChecks, sanityChecks: true },
};

/** monolithic with Linux 2.4's stack (the Nooks era): no guard page, an overflow runs into the kernel heap. Its only check off. */
export const monolithicNoChecks: Build = {
  ...monolithic,
  name: "monolithic-nochecks",
  description: "monolithic without the stack guard page (Linux before VMAP_STACK): checks nothing",
  kernelChecks: { ...monolithic.kernelChecks, stackGuard: false },
};

/**
 * monolithic with Linux's oops, the baseline Nooks measured against (Linux, not MINIX 2): an
 * exception in a driver serving a request kills the driver's thread of execution and the kernel
 * runs on; one while it handles an interrupt or a timer panics ("Fatal exception in interrupt").
 * Nothing restarts the driver; its clients see it gone.
 */
export const monolithicOops: Build = {
  ...monolithic,
  name: "monolithic-oops",
  description: "monolithic with Linux's oops: a driver exception in process context kills the driver, in interrupt context panics",
  kernelMode: { ...monolithic.kernelMode, oops: true },
};
